/**
 * The strategic-merge keys of built-in kinds (Kubernetes' `patchMergeKey` / `x-kubernetes-list-map-keys` tags), as
 * kustomize applies them. Lists not listed here are replaced by a patch. Kinds of groups that are not built in
 * (CRDs) have no schema at all: every list of theirs is replaced, even `metadata.finalizers`, as kustomize does.
 */

export type ListRule =
  /** A list of maps matched by these keys (`protocol` defaults to TCP when matching). */
  | { readonly merge: 'keyed'; readonly keys: readonly string[]; readonly item?: TypeSchema }
  /** A list of scalars merged as a set (`metadata.finalizers`). */
  | { readonly merge: 'set' };

export interface FieldRule {
  readonly type?: TypeSchema;
  readonly list?: ListRule;
}

export interface TypeSchema {
  readonly fields: Readonly<Record<string, FieldRule>>;
}

const keyed = (keys: string[], item?: TypeSchema): FieldRule => ({
  list: item === undefined ? { merge: 'keyed', keys } : { merge: 'keyed', keys, item },
});

const objectMeta: TypeSchema = {
  fields: { finalizers: { list: { merge: 'set' } }, ownerReferences: keyed(['uid']) },
};

const container: TypeSchema = {
  fields: {
    env: keyed(['name']),
    ports: keyed(['containerPort', 'protocol']),
    volumeMounts: keyed(['mountPath']),
    volumeDevices: keyed(['devicePath']),
  },
};

const podSpec: TypeSchema = {
  fields: {
    containers: keyed(['name'], container),
    initContainers: keyed(['name'], container),
    ephemeralContainers: keyed(['name'], container),
    volumes: keyed(['name']),
    imagePullSecrets: keyed(['name']),
    hostAliases: keyed(['ip']),
    topologySpreadConstraints: keyed(['topologyKey', 'whenUnsatisfiable']),
    resourceClaims: keyed(['name']),
    schedulingGates: keyed(['name']),
  },
};

const podTemplateSpec: TypeSchema = {
  fields: { metadata: { type: objectMeta }, spec: { type: podSpec } },
};
const withMeta = (fields: Record<string, FieldRule> = {}): TypeSchema => ({
  fields: { metadata: { type: objectMeta }, ...fields },
});
const templated = withMeta({ spec: { type: { fields: { template: { type: podTemplateSpec } } } } });

const BY_KIND: Readonly<Record<string, TypeSchema>> = {
  '/Pod': withMeta({ spec: { type: podSpec } }),
  '/PodTemplate': withMeta({ template: { type: podTemplateSpec } }),
  '/ReplicationController': templated,
  '/Service': withMeta({ spec: { type: { fields: { ports: keyed(['port', 'protocol']) } } } }),
  'apps/Deployment': templated,
  'apps/ReplicaSet': templated,
  'apps/StatefulSet': templated,
  'apps/DaemonSet': templated,
  'batch/Job': templated,
  'batch/CronJob': withMeta({
    spec: {
      type: { fields: { jobTemplate: { type: { fields: { spec: templated.fields['spec']! } } } } },
    },
  }),
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': withMeta({
    webhooks: keyed(['name']),
  }),
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': withMeta({
    webhooks: keyed(['name']),
  }),
};

/** Groups whose kinds kustomize knows from the built-in OpenAPI document. */
const BUILT_IN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'scheduling.k8s.io',
  'apiextensions.k8s.io',
  'admissionregistration.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'node.k8s.io',
  'certificates.k8s.io',
  'apiregistration.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
]);

const META_ONLY = withMeta();

/** The merge schema of a kind, or undefined for kinds that are not built in (every list replaces). */
export function schemaFor(group: string, kind: string): TypeSchema | undefined {
  return BY_KIND[`${group}/${kind}`] ?? (BUILT_IN_GROUPS.has(group) ? META_ONLY : undefined);
}
