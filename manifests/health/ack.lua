-- Argo CD health for AWS Controllers for Kubernetes resources (*.services.k8s.aws): EKS Cluster, Nodegroup,
-- IAM Role, EC2 VPC/Subnet, ... ACK reports ACK.Terminal, ACK.Recoverable, ACK.ResourceSynced,
-- ACK.ReferencesResolved and, in newer runtimes, Ready. Uses only base Lua.
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

local status = obj.status
local conditions = nil
if status ~= nil then
  conditions = status.conditions
end
if conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the ACK controller to reconcile"
  return hs
end

-- Terminal: ACK will not retry until the spec changes.
local terminal = condition(conditions, "ACK.Terminal")
if terminal ~= nil and terminal.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(terminal, "ACK reports a terminal error")
  return hs
end

-- Some AWS resources report their own failed lifecycle state (EKS Cluster/Nodegroup status).
local awsState = status.status
if awsState == "FAILED" or awsState == "CREATE_FAILED" or awsState == "DELETE_FAILED" or awsState == "DEGRADED" then
  hs.status = "Degraded"
  hs.message = "AWS reports " .. awsState
  return hs
end

local recoverable = condition(conditions, "ACK.Recoverable")
if recoverable ~= nil and recoverable.status == "True" then
  hs.status = "Progressing"
  hs.message = "Retrying: " .. describe(recoverable, "recoverable error")
  return hs
end

local refs = condition(conditions, "ACK.ReferencesResolved")
if refs ~= nil and refs.status == "False" then
  hs.status = "Progressing"
  hs.message = "Waiting for references: " .. describe(refs, "unresolved")
  return hs
end

local ready = condition(conditions, "Ready")
local synced = condition(conditions, "ACK.ResourceSynced")
if ready ~= nil then
  if ready.status == "True" then
    hs.status = "Healthy"
    hs.message = describe(ready, "Ready")
  else
    hs.status = "Progressing"
    hs.message = describe(ready, "Not ready yet")
  end
  return hs
end
if synced ~= nil and synced.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(synced, "Resource synced with AWS")
  return hs
end
hs.status = "Progressing"
hs.message = describe(synced, "Waiting for the resource to sync with AWS")
return hs
