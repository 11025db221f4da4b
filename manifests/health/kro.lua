-- Argo CD health for kro (kro.run): ResourceGraphDefinitions and the instances of the kinds they define.
-- Instances report status.state (ACTIVE, IN_PROGRESS, FAILED, DELETING, ERROR) and conditions
-- (Ready, InstanceManaged, GraphResolved, ResourcesReady; InstanceSynced in older kro).
-- Uses only base Lua (Argo CD runs health scripts without the standard libraries by default).
local hs = {}

local function condition(conditions, wanted)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == wanted then
      return c
    end
  end
  return nil
end

local function describe(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c ~= nil and c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return fallback
end

-- The first condition that is False, for a useful message.
local function firstFalse(conditions)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.status == "False" then
      return c
    end
  end
  return nil
end

local annotations = nil
if obj.metadata ~= nil then
  annotations = obj.metadata.annotations
end
if annotations ~= nil then
  local reconcile = annotations["kro.run/reconcile"]
  if reconcile == "suspended" or reconcile == "disabled" then
    hs.status = "Suspended"
    hs.message = "kro reconciliation is suspended (kro.run/reconcile: " .. reconcile .. ")"
    return hs
  end
end

local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for kro to reconcile"
  return hs
end
local conditions = status.conditions
local ready = condition(conditions, "Ready")

-- A condition written for an older generation says nothing about the current spec.
if ready ~= nil and ready.observedGeneration ~= nil and obj.metadata ~= nil and obj.metadata.generation ~= nil then
  if ready.observedGeneration < obj.metadata.generation then
    hs.status = "Progressing"
    hs.message = "Waiting for kro to observe generation " .. tostring(obj.metadata.generation)
    return hs
  end
end

if obj.kind == "ResourceGraphDefinition" then
  if status.state == "Active" and (ready == nil or ready.status == "True") then
    hs.status = "Healthy"
    hs.message = describe(ready, "ResourceGraphDefinition is active")
    return hs
  end
  if status.state == "Inactive" then
    hs.status = "Degraded"
    hs.message = describe(firstFalse(conditions), "ResourceGraphDefinition is inactive")
    return hs
  end
  if ready ~= nil and ready.status == "False" then
    hs.status = "Degraded"
    hs.message = describe(firstFalse(conditions), "ResourceGraphDefinition is not ready")
    return hs
  end
  hs.status = "Progressing"
  hs.message = "Waiting for kro to accept the ResourceGraphDefinition"
  return hs
end

local state = status.state
if state == "FAILED" or state == "ERROR" then
  hs.status = "Degraded"
  hs.message = describe(firstFalse(conditions), "kro instance is " .. state)
  return hs
end
local synced = condition(conditions, "InstanceSynced")
if synced ~= nil and synced.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(synced, "kro could not sync the instance")
  return hs
end
if state == "DELETING" then
  hs.status = "Progressing"
  hs.message = "kro is deleting the instance's resources"
  return hs
end
if state == "ACTIVE" and (ready == nil or ready.status == "True") then
  hs.status = "Healthy"
  hs.message = describe(ready, "All resources are ready")
  return hs
end
if state == nil and ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
  return hs
end
hs.status = "Progressing"
hs.message = describe(firstFalse(conditions), "kro instance is " .. tostring(state or "reconciling"))
return hs
