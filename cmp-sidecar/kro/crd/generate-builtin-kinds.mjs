// Writes builtin-kinds.generated.ts: the built-in Kubernetes kinds (group, version, kind, scope) and the type of
// every field of their objects, from the API models of the pinned @kubernetes/client-node (its OpenAPI, v1.33)
// and the group/version layout of kubernetes-models. The render reads no package at run time; run this after
// upgrading either package:  node cmp-sidecar/kro/crd/generate-builtin-kinds.mjs && npx prettier --write <file>
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const models = require('@kubernetes/client-node');
const kmDir = path.dirname(require.resolve('kubernetes-models/package.json'));

// Cluster-scoped built-in kinds (by group and kind); every other built-in kind is namespaced.
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'authentication.k8s.io/TokenReview',
  'authentication.k8s.io/SelfSubjectReview',
  'authorization.k8s.io/SubjectAccessReview',
  'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview',
  'resource.k8s.io/DeviceClass',
  'resource.k8s.io/ResourceSlice',
  'resource.k8s.io/DeviceTaintRule',
  'storagemigration.k8s.io/StorageVersionMigration',
  'internal.apiserver.k8s.io/StorageVersion',
]);

const PREFIXES = {
  '': ['Core', ''],
  'events.k8s.io': ['Events', ''],
  'authentication.k8s.io': ['Authentication', ''],
};

function modelName(group, version, kind) {
  const v = version[0].toUpperCase() + version.slice(1);
  for (const p of PREFIXES[group] ?? ['']) {
    const name = `${p}${v}${kind}`;
    if (typeof models[name]?.attributeTypeMap !== 'undefined') return name;
  }
  return undefined;
}

/** [group, version, kind] of every top-level kind kubernetes-models knows. */
function gvks() {
  const out = [];
  for (const dir of readdirSync(kmDir)) {
    const full = path.join(kmDir, dir);
    if (dir.startsWith('_') || !statSync(full).isDirectory()) continue;
    const versions =
      dir === 'v1'
        ? [['', 'v1', full]]
        : readdirSync(full)
            .filter((v) => statSync(path.join(full, v)).isDirectory())
            .map((v) => [dir, v, path.join(full, v)]);
    for (const [group, version, vdir] of versions)
      for (const f of readdirSync(vdir))
        if (
          f.endsWith('.js') &&
          f !== 'index.js' &&
          !f.endsWith('List.js') &&
          // top-level kinds only (their model class carries the kind), not the types inside them
          readFileSync(path.join(vdir, f), 'utf8').includes(`.kind="${f.slice(0, -3)}"`)
        )
          out.push([group, version, f.slice(0, -3)]);
  }
  return out;
}

// Served alpha/beta APIs newer than kubernetes-models' layout: the group of each model's kind.
const NEWER_GROUPS = {
  ClusterTrustBundle: 'certificates.k8s.io',
  MutatingAdmissionPolicy: 'admissionregistration.k8s.io',
  MutatingAdmissionPolicyBinding: 'admissionregistration.k8s.io',
  ValidatingAdmissionPolicy: 'admissionregistration.k8s.io',
  ValidatingAdmissionPolicyBinding: 'admissionregistration.k8s.io',
  StorageVersion: 'internal.apiserver.k8s.io',
  StorageVersionMigration: 'storagemigration.k8s.io',
  VolumeAttributesClass: 'storage.k8s.io',
  LeaseCandidate: 'coordination.k8s.io',
  DeviceClass: 'resource.k8s.io',
  DeviceTaintRule: 'resource.k8s.io',
  ResourceClaim: 'resource.k8s.io',
  ResourceClaimTemplate: 'resource.k8s.io',
  ResourceSlice: 'resource.k8s.io',
  IPAddress: 'networking.k8s.io',
  ServiceCIDR: 'networking.k8s.io',
};
function newerGvks() {
  const out = [];
  for (const name of Object.keys(models)) {
    const m = /^V(\d+(?:alpha|beta)\d+)([A-Z]\w+)$/.exec(name);
    if (m && NEWER_GROUPS[m[2]]) out.push([NEWER_GROUPS[m[2]], `v${m[1]}`, m[2]]);
  }
  return out;
}

const types = {};
function code(type) {
  if (type === 'string' || type === 'Date' || type === 'V1MicroTime') return 's';
  if (type === 'number') return 'n';
  if (type === 'boolean') return 'b';
  if (type === 'IntOrString') return 'x';
  if (type === 'any' || type === 'object') return '*';
  let m = /^Array<(.*)>$/.exec(type);
  if (m) return `[${code(m[1])}`;
  m = /^\{ \[key: string\]: (.*); \}$/.exec(type);
  if (m) return `{${code(m[1])}`;
  if (typeof models[type]?.attributeTypeMap === 'undefined')
    throw new Error(`unknown type ${type}`);
  addType(type);
  return type;
}
function addType(name) {
  if (types[name]) return;
  types[name] = {};
  for (const a of models[name].attributeTypeMap) types[name][a.baseName] = code(a.type);
}

const kinds = {};
// Versions kubernetes-models still lists but the v1.33 API no longer serves (apps/v1beta1, extensions, ...).
const removed = [];
for (const [group, version, kind] of [...gvks(), ...newerGvks()]) {
  const name = modelName(group, version, kind);
  if (!name) {
    removed.push(`${group === '' ? version : `${group}/${version}`} ${kind}`);
    continue;
  }
  const attrs = models[name].attributeTypeMap.map((a) => a.baseName);
  if (!attrs.includes('metadata') || !attrs.includes('kind')) continue;
  addType(name);
  const apiVersion = group === '' ? version : `${group}/${version}`;
  kinds[`${apiVersion} ${kind}`] = [
    name,
    CLUSTER_SCOPED.has(`${group}/${kind}`) ? 'Cluster' : 'Namespaced',
  ];
}

const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
// JSON text rather than object literals: the bundle carries one string token, parsed only when the table is used.
const json = (o) => JSON.stringify(JSON.stringify(sorted(o)));
const text = `// Generated by generate-builtin-kinds.mjs from the Kubernetes API models; do not edit.
/** \`<apiVersion> <kind>\` → [type of the object, scope]. */
export const BUILTIN_KINDS = JSON.parse(
  ${json(kinds)},
) as Readonly<Record<string, readonly [string, 'Namespaced' | 'Cluster']>>;
/**
 * Type → field → field type: s string, n number, b boolean, x int-or-string, * anything, [T list of T,
 * {T map of T, or another type's name.
 */
export const BUILTIN_TYPES = JSON.parse(
  ${json(types)},
) as Readonly<Record<string, Readonly<Record<string, string>>>>;
/** \`<apiVersion> <kind>\` of versions that Kubernetes served once and has removed. */
export const REMOVED_BUILTIN_VERSIONS: ReadonlySet<string> = new Set(
  JSON.parse(${JSON.stringify(JSON.stringify([...new Set(removed)].sort()))}) as string[],
);
`;
writeFileSync(path.join(here, 'builtin-kinds.generated.ts'), text);
console.log(
  `${Object.keys(kinds).length} kinds, ${Object.keys(types).length} types, ${text.length} bytes`,
);
