-- Runs an Argo CD health script the way Argo CD does: the object as the global `obj`, no standard libraries
-- beyond base functions and `table`. Usage: lua5.1 harness.lua <health.lua> <object.lua>
-- where object.lua is `return { ... }`. Prints `status=<s>` and `message=<m>` lines.
local script, objectFile = arg[1], arg[2]
local object = assert(loadfile(objectFile))()
local chunk = assert(loadfile(script))
setfenv(chunk, {
  obj = object,
  ipairs = ipairs,
  pairs = pairs,
  next = next,
  tostring = tostring,
  tonumber = tonumber,
  type = type,
  table = table,
  error = error,
})
local ok, hs = pcall(chunk)
if not ok then
  print("error=" .. tostring(hs))
  os.exit(1)
end
if type(hs) ~= "table" then
  print("error=health script returned " .. type(hs))
  os.exit(1)
end
print("status=" .. tostring(hs.status))
print("message=" .. tostring(hs.message))
