/**
 * The kinds every Kubernetes API server serves, by API group, and which are cluster-scoped (marked "!"): what the
 * policy evaluator needs of the built-in kinds (scope; the plural follows kubectl's rule). A copy of the scopes in
 * kro/crd/builtin-kinds.generated.ts, small enough not to cost a render the full type table's load (a test keeps
 * the two equal).
 */
const KINDS_BY_GROUP: Readonly<Record<string, string>> = {
  '': 'Binding ComponentStatus! ConfigMap Endpoints Event LimitRange Namespace! Node! PersistentVolume! PersistentVolumeClaim Pod PodTemplate ReplicationController ResourceQuota Secret Service ServiceAccount',
  'admissionregistration.k8s.io':
    'MutatingAdmissionPolicy! MutatingAdmissionPolicyBinding! MutatingWebhookConfiguration! ValidatingAdmissionPolicy! ValidatingAdmissionPolicyBinding! ValidatingWebhookConfiguration!',
  'apiextensions.k8s.io': 'CustomResourceDefinition!',
  'apiregistration.k8s.io': 'APIService!',
  apps: 'ControllerRevision DaemonSet Deployment ReplicaSet StatefulSet',
  'authentication.k8s.io': 'SelfSubjectReview! TokenRequest TokenReview!',
  'authorization.k8s.io':
    'LocalSubjectAccessReview SelfSubjectAccessReview! SelfSubjectRulesReview! SubjectAccessReview!',
  autoscaling: 'HorizontalPodAutoscaler Scale',
  batch: 'CronJob Job',
  'certificates.k8s.io': 'CertificateSigningRequest! ClusterTrustBundle!',
  'coordination.k8s.io': 'Lease LeaseCandidate',
  'discovery.k8s.io': 'EndpointSlice',
  'events.k8s.io': 'Event',
  'flowcontrol.apiserver.k8s.io': 'FlowSchema! PriorityLevelConfiguration!',
  'internal.apiserver.k8s.io': 'StorageVersion!',
  'networking.k8s.io': 'IPAddress! Ingress IngressClass! NetworkPolicy ServiceCIDR!',
  'node.k8s.io': 'RuntimeClass!',
  policy: 'Eviction PodDisruptionBudget',
  'rbac.authorization.k8s.io': 'ClusterRole! ClusterRoleBinding! Role RoleBinding',
  'resource.k8s.io':
    'DeviceClass! DeviceTaintRule! ResourceClaim ResourceClaimTemplate ResourceSlice!',
  'scheduling.k8s.io': 'PriorityClass!',
  'storage.k8s.io':
    'CSIDriver! CSINode! CSIStorageCapacity StorageClass! VolumeAttachment! VolumeAttributesClass!',
  'storagemigration.k8s.io': 'StorageVersionMigration!',
};

let scopes: ReadonlyMap<string, 'Namespaced' | 'Cluster'> | undefined;

function table(): ReadonlyMap<string, 'Namespaced' | 'Cluster'> {
  if (scopes !== undefined) return scopes;
  const m = new Map<string, 'Namespaced' | 'Cluster'>();
  for (const [group, kinds] of Object.entries(KINDS_BY_GROUP))
    for (const k of kinds.split(' '))
      m.set(`${group}/${k.replace('!', '')}`, k.endsWith('!') ? 'Cluster' : 'Namespaced');
  return (scopes = m);
}

/** The scope of a built-in kind of `group`, or undefined when the API server has no such kind. */
export function builtinScope(group: string, kind: string): 'Namespaced' | 'Cluster' | undefined {
  return table().get(`${group}/${kind}`);
}

/** Every built-in `group/kind` with its scope (for the consistency test). */
export function builtinScopes(): ReadonlyMap<string, 'Namespaced' | 'Cluster'> {
  return table();
}
