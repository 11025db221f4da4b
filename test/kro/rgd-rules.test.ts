import { validateKroObjects } from '../../cmp-sidecar/kro/validate';
import type { KroFinding } from '../../cmp-sidecar/kro/types';
import { CRD_DIR } from './load-yaml';

/**
 * kro's static rules (kro-eso-ack.md §1.8), one broken RGD per row: each must fail naming the RGD, the resource id
 * and the field path with kro's wording. The base RGD is valid.
 */
// Rows mutate deep, deliberately broken shapes; a precise type would only get in the way.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rgd = Record<string, any>;

function baseRgd(): Rgd {
  return {
    apiVersion: 'kro.run/v1alpha1',
    kind: 'ResourceGraphDefinition',
    metadata: { name: 'demo.kro.run' },
    spec: {
      schema: {
        apiVersion: 'v1alpha1',
        kind: 'Demo',
        spec: {
          name: 'string | required=true',
          replicas: 'integer | default=2 minimum=1',
          subnets: '[]string',
        },
        status: { arn: '${cluster.status.ackResourceMetadata.arn}' },
      },
      resources: [
        {
          id: 'role',
          template: {
            apiVersion: 'iam.services.k8s.aws/v1alpha1',
            kind: 'Role',
            metadata: { name: '${schema.spec.name}-role' },
            spec: { name: '${schema.spec.name}-role', assumeRolePolicyDocument: '{}' },
          },
        },
        {
          id: 'cluster',
          readyWhen: ['${cluster.status.status == "ACTIVE"}'],
          template: {
            apiVersion: 'eks.services.k8s.aws/v1alpha1',
            kind: 'Cluster',
            metadata: { name: '${schema.spec.name}' },
            spec: {
              name: '${schema.spec.name}',
              roleARN: '${role.status.ackResourceMetadata.arn}',
              resourcesVPCConfig: { subnetIDs: '${schema.spec.subnets}' },
            },
          },
        },
        {
          id: 'subnets',
          forEach: [{ subnet: '${schema.spec.subnets}' }],
          template: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: '${schema.spec.name + "-" + subnet}' },
            data: { subnet: '${subnet}', all: '${cluster.spec.subnets.map(s, s).join(",")}' },
          },
        },
      ],
    },
  };
}

function check(rgd: Rgd): KroFinding[] {
  return validateKroObjects([{ object: rgd, source: { file: 'base/rgd.yaml', line: 1 } }], {
    crdDirs: [CRD_DIR],
  }).findings;
}
const errors = (rgd: Rgd) => check(rgd).filter((f) => f.severity === 'error');

test('the base RGD is valid', () => {
  expect(errors(baseRgd())).toEqual([]);
});

type Case = [
  string,
  (r: Rgd) => void,
  { resourceId?: string; path: string; message: string | RegExp },
];
const res = (r: Rgd, i: number) => r['spec']['resources'][i];

const cases: Case[] = [
  [
    'A1 schema missing',
    (r) => delete r['spec']['schema'],
    { path: 'spec.schema', message: 'spec.schema is required' },
  ],
  [
    'R1 kind not UpperCamelCase',
    (r) => (r['spec']['schema']['kind'] = 'demo'),
    {
      path: 'spec.schema.kind',
      message: /kind 'demo' is not a valid KRO kind name: must be UpperCamelCase/,
    },
  ],
  [
    'A1 apiVersion with a group',
    (r) => (r['spec']['schema']['apiVersion'] = 'kro.run/v1alpha1'),
    { path: 'spec.schema.apiVersion', message: /must match \^v\[0-9\]\+/ },
  ],
  [
    'A1a scope',
    (r) => (r['spec']['schema']['scope'] = 'Global'),
    { path: 'spec.schema.scope', message: /scope must be Namespaced or Cluster/ },
  ],
  [
    'R2 id not lowerCamelCase',
    (r) => (res(r, 0).id = 'my-role'),
    {
      resourceId: 'my-role',
      path: 'spec.resources[0].id',
      message: 'id my-role is not a valid KRO resource id: must be lower camelCase',
    },
  ],
  [
    'R3 reserved id',
    (r) => (res(r, 0).id = 'instance'),
    {
      resourceId: 'instance',
      path: 'spec.resources[0].id',
      message: 'id instance is a reserved keyword in KRO',
    },
  ],
  [
    'R4 duplicate ids',
    (r) => (res(r, 1).id = 'role'),
    {
      resourceId: 'role',
      path: 'spec.resources[1].id',
      message: 'found duplicate resource IDs role',
    },
  ],
  [
    'A2 id missing',
    (r) => delete res(r, 0).id,
    { path: 'spec.resources[0].id', message: 'resources[].id is required' },
  ],
  [
    'A2a template and externalRef',
    (r) =>
      (res(r, 0).externalRef = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
    {
      resourceId: 'role',
      path: 'spec.resources[0]',
      message: 'exactly one of template or externalRef must be provided',
    },
  ],
  [
    'A2a raw object instead of {id, template}',
    (r) =>
      (r['spec']['resources'][0] = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'x' },
      }),
    {
      path: 'spec.resources[0]',
      message: /wrap it as \{id: <lowerCamelCase>, template: <object>\}/,
    },
  ],
  [
    'A3 externalRef with name and selector',
    (r) =>
      (r['spec']['resources'][0] = {
        id: 'role',
        externalRef: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', selector: {} } },
      }),
    {
      resourceId: 'role',
      path: 'spec.resources[0].externalRef.metadata',
      message: /exactly one of externalRef.metadata.name or selector/,
    },
  ],
  [
    'R6 template without kind',
    (r) => delete res(r, 0).template.kind,
    {
      resourceId: 'role',
      path: 'spec.resources[0].template.kind',
      message: 'kind field not found',
    },
  ],
  [
    'R6 template metadata not a map',
    (r) => (res(r, 0).template.metadata = 'x'),
    {
      resourceId: 'role',
      path: 'spec.resources[0].template.metadata',
      message: 'metadata field is not a map',
    },
  ],
  [
    'R7 reserved label prefix',
    (r) => (res(r, 0).template.metadata.labels = { 'kro.run/owned': 'x' }),
    {
      resourceId: 'role',
      path: 'spec.resources[0].template.metadata.labels',
      message: /labels with prefix kro.run\/ are reserved for internal use/,
    },
  ],
  [
    'R5 externalRef with forEach',
    (r) =>
      (r['spec']['resources'][0] = {
        id: 'role',
        forEach: [{ x: '${schema.spec.subnets}' }],
        externalRef: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
      }),
    {
      resourceId: 'role',
      path: 'spec.resources[0].forEach',
      message: 'cannot use externalRef with forEach',
    },
  ],
  [
    'A4 forEach entry with two keys',
    (r) =>
      (res(r, 2).forEach = [{ subnet: '${schema.spec.subnets}', other: '${schema.spec.subnets}' }]),
    { resourceId: 'subnets', path: 'spec.resources[2].forEach[0]', message: /exactly one key/ },
  ],
  [
    'R5 iterator equal to a resource id',
    (r) => {
      res(r, 2).forEach = [{ role: '${schema.spec.subnets}' }];
      res(r, 2).template.metadata.name = '${role}';
      res(r, 2).template.data = {};
    },
    {
      resourceId: 'subnets',
      path: 'spec.resources[2].forEach[0].role',
      message: 'forEach iterator role conflicts with the resource id role',
    },
  ],
  [
    'R13 iterator unused in metadata.name',
    (r) => (res(r, 2).template.metadata.name = '${schema.spec.name}'),
    {
      resourceId: 'subnets',
      path: 'spec.resources[2].template.metadata.name',
      message:
        'all forEach dimensions must be used to produce a unique resource identity, missing: [subnet]',
    },
  ],
  [
    'R9 forEach not standalone',
    (r) => (res(r, 2).forEach = [{ subnet: 'x-${schema.spec.subnets}' }]),
    {
      resourceId: 'subnets',
      path: 'spec.resources[2].forEach[0].subnet',
      message: /only standalone expressions are allowed in forEach/,
    },
  ],
  [
    'R9 readyWhen not standalone',
    (r) => (res(r, 1).readyWhen = ['ready: ${cluster.status.status == "ACTIVE"}']),
    {
      resourceId: 'cluster',
      path: 'spec.resources[1].readyWhen[0]',
      message: /only standalone expressions are allowed in readyWhen/,
    },
  ],
  [
    'R9 nested ${',
    (r) => (res(r, 0).template.spec.name = '${schema.spec.${x}}'),
    {
      resourceId: 'role',
      path: 'spec.resources[0].template.spec.name',
      message: /nested expressions are not allowed unless inside string literals/,
    },
  ],
  [
    'R9 CEL parse error',
    (r) => (res(r, 0).template.spec.name = '${schema.spec.name +}'),
    { resourceId: 'role', path: 'spec.resources[0].template.spec.name', message: /^parse error: / },
  ],
  [
    'R10 unknown identifier',
    (r) => (res(r, 1).template.spec.roleARN = '${rolee.status.ackResourceMetadata.arn}'),
    {
      resourceId: 'cluster',
      path: 'spec.resources[1].template.spec.roleARN',
      message: /references unknown identifiers: \[rolee\]/,
    },
  ],
  [
    'R10 unknown function',
    (r) => (res(r, 0).template.spec.name = '${upper(schema.spec.name)}'),
    {
      resourceId: 'role',
      path: 'spec.resources[0].template.spec.name',
      message: /uses unknown functions: \[upper\]/,
    },
  ],
  [
    'R11 self reference',
    (r) => (res(r, 0).template.spec.name = '${role.metadata.name}'),
    {
      resourceId: 'role',
      path: 'spec.resources[0].template.spec.name',
      message: /self references are not allowed/,
    },
  ],
  [
    'R11/R15 readyWhen referencing another resource',
    (r) => (res(r, 1).readyWhen = ['${role.status.ackResourceMetadata.arn != ""}']),
    {
      resourceId: 'cluster',
      path: 'spec.resources[1].readyWhen[0]',
      message: /readyWhen may only reference the resource itself \(cluster\), not \[role\]/,
    },
  ],
  [
    'R15 readyWhen of a collection must use each',
    (r) => (res(r, 2).readyWhen = ['${subnets.all(s, s.data != null)}']),
    {
      resourceId: 'subnets',
      path: 'spec.resources[2].readyWhen[0]',
      message: /may only reference each, not \[subnets\]/,
    },
  ],
  [
    'R15 runtime outside status.conditions',
    (r) => (res(r, 0).template.spec.name = '${string(runtime.condition(schema, "Ready"))}'),
    {
      resourceId: 'role',
      path: 'spec.resources[0].template.spec.name',
      message: 'runtime is only available in status.conditions expressions',
    },
  ],
  [
    'R15 omit() without the feature gate',
    (r) => (res(r, 0).template.spec.description = '${omit()}'),
    {
      resourceId: 'role',
      path: 'spec.resources[0].template.spec.description',
      message: /CELOmitFunction feature gate/,
    },
  ],
  [
    'R12 dependency cycle',
    (r) => (res(r, 0).template.spec.description = '${cluster.status.endpoint}'),
    {
      resourceId: 'role',
      path: 'spec.resources[0]',
      message: 'graph contains a cycle: role -> cluster -> role',
    },
  ],
  [
    'R14 status leaf without an expression',
    (r) => (r['spec']['schema']['status']['fixed'] = 'x'),
    {
      path: 'spec.schema.status.fixed',
      message: /status fields without expressions are not supported/,
    },
  ],
  [
    'R14 status without a reference',
    (r) => (r['spec']['schema']['status']['n'] = '${1 + 1}'),
    {
      path: 'spec.schema.status.n',
      message: /instance status field must refer to a resource or schema/,
    },
  ],
  [
    'R14 reserved status field',
    (r) => (r['spec']['schema']['status']['state'] = '${cluster.status.status}'),
    { path: 'spec.schema.status.state', message: 'status field state is reserved by kro' },
  ],
  [
    'R14 duplicate condition types',
    (r) =>
      (r['spec']['schema']['status']['conditions'] = [
        '${runtime.newCondition({"type": "Up", "status": "True"})}',
        '${runtime.newCondition({"type": "Up", "status": "False"})}',
      ]),
    { path: 'spec.schema.status.conditions[1]', message: /condition type Up is declared twice/ },
  ],
  [
    'R14 condition status literal',
    (r) =>
      (r['spec']['schema']['status']['conditions'] = [
        '${runtime.newCondition({"type": "Up", "status": "Yes"})}',
      ]),
    {
      path: 'spec.schema.status.conditions[0]',
      message: 'condition status must be True, False or Unknown, got Yes',
    },
  ],
  [
    'R16 CRD template with CEL outside metadata',
    (r) =>
      (r['spec']['resources'][0] = {
        id: 'crd',
        template: {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'x' },
          spec: { group: '${schema.spec.name}' },
        },
      }),
    {
      resourceId: 'crd',
      path: 'spec.resources[0].template.spec.group',
      message: 'CustomResourceDefinition templates may only use expressions under metadata',
    },
  ],
  [
    'R8 unknown type',
    (r) => (r['spec']['schema']['spec']['replicas'] = 'int'),
    { path: 'spec.schema.spec.replicas', message: 'unknown type: int' },
  ],
  [
    'R8 map key not string',
    (r) => (r['spec']['schema']['spec']['m'] = 'map[integer]string'),
    { path: 'spec.schema.spec.m', message: /map key must be string/ },
  ],
  [
    'R8 unknown marker',
    (r) => (r['spec']['schema']['spec']['name'] = 'string | requird=true'),
    { path: 'spec.schema.spec.name', message: 'unknown marker: requird' },
  ],
  [
    'R8 enum on a boolean',
    (r) => (r['spec']['schema']['spec']['on'] = 'boolean | enum="true,false"'),
    { path: 'spec.schema.spec.on', message: 'marker enum is not applicable to type boolean' },
  ],
  [
    'R8 bad integer default',
    (r) => (r['spec']['schema']['spec']['replicas'] = 'integer | default=two'),
    { path: 'spec.schema.spec.replicas', message: 'marker default: "two" is not an integer' },
  ],
  [
    'R8 custom type cycle',
    (r) => {
      r['spec']['schema']['types'] = { A: { b: 'B' }, B: { a: 'A' } };
    },
    { path: 'spec.schema.types.B.a', message: 'cyclic dependency in type A' },
  ],
  [
    'S2 unknown field of an ACK kind',
    (r) => (res(r, 1).template.spec.subnetIds = ['x']),
    {
      resourceId: 'cluster',
      path: 'spec.resources[1].template.spec.subnetIds',
      message: /schema not found for field spec.resources\[1\].template.spec.subnetIds/,
    },
  ],
  [
    'S2 literal of the wrong type',
    (r) => (res(r, 1).template.spec.resourcesVPCConfig.endpointPublicAccess = 'yes'),
    {
      resourceId: 'cluster',
      path: 'spec.resources[1].template.spec.resourcesVPCConfig.endpointPublicAccess',
      message: /expected boolean type for path .*endpointPublicAccess, got string/,
    },
  ],
  [
    'S2 string template in a non-string field',
    (r) =>
      (res(r, 1).template.spec.resourcesVPCConfig.endpointPublicAccess = '${schema.spec.name}-x'),
    {
      resourceId: 'cluster',
      path: 'spec.resources[1].template.spec.resourcesVPCConfig.endpointPublicAccess',
      message: /expected boolean type/,
    },
  ],
  [
    'S2 ACK enum kept outside the CRD (Nodegroup capacityType)',
    (r) =>
      (r['spec']['resources'][1] = {
        id: 'cluster',
        template: {
          apiVersion: 'eks.services.k8s.aws/v1alpha1',
          kind: 'Nodegroup',
          metadata: { name: 'x' },
          spec: { name: 'x', capacityType: 'ONDEMAND' },
        },
      }),
    {
      resourceId: 'cluster',
      path: 'spec.resources[1].template.spec.capacityType',
      message: /must be one of \["ON_DEMAND", "SPOT", "CAPACITY_BLOCK"\], got "ONDEMAND"/,
    },
  ],
  [
    'S3 namespace on a cluster-scoped kind',
    (r) =>
      (r['spec']['resources'][0] = {
        id: 'selector',
        template: {
          apiVersion: 'services.k8s.aws/v1alpha1',
          kind: 'IAMRoleSelector',
          metadata: { name: 'x', namespace: 'y' },
          spec: { arn: 'arn:aws:iam::1:role/x' },
        },
      }),
    {
      resourceId: 'selector',
      path: 'spec.resources[0].template.metadata.namespace',
      message: 'resource selector is cluster-scoped and must not set metadata.namespace',
    },
  ],
  [
    'S3 cluster-scoped instance, namespaced resource without namespace',
    (r) => (r['spec']['schema']['scope'] = 'Cluster'),
    {
      resourceId: 'role',
      path: 'spec.resources[0].template.metadata.namespace',
      message: /the instance is cluster-scoped/,
    },
  ],
];

test.each(cases)('%s', (_name, mutate, expected) => {
  const rgd = baseRgd();
  mutate(rgd);
  const found = errors(rgd);
  const match = found.find(
    (f) =>
      f.path === expected.path &&
      (typeof expected.message === 'string'
        ? f.message === expected.message
        : expected.message.test(f.message)),
  );
  expect({
    match: match !== undefined,
    found: found.map((f) => `${f.resourceId ?? '-'} ${f.path}: ${f.message}`),
  }).toMatchObject({ match: true });
  expect(match?.rgd).toBe('demo.kro.run');
  expect(match?.resourceId).toBe(expected.resourceId);
  expect(match?.source).toEqual({ file: 'base/rgd.yaml', line: 1 });
});

test('string constraints are not applied to a string template, and standalone values are skipped', () => {
  const rgd = baseRgd();
  res(rgd, 1).template.spec.version = '${schema.spec.name}';
  res(rgd, 1).template.spec.resourcesVPCConfig.endpointPublicAccess = '${schema.spec.replicas > 1}';
  expect(errors(rgd)).toEqual([]);
});

test('templates of kinds without a schema are reported once as not schema-checked (a warning)', () => {
  const warnings = check(baseRgd()).filter((f) => f.severity === 'warning');
  expect(warnings.map((w) => w.message)).toEqual([
    'templates not schema-checked (no CRD schema available): v1 ConfigMap',
  ]);
});

test('a template of a kind another RGD of the render defines is checked against its SimpleSchema', () => {
  const child = baseRgd();
  const parent = {
    apiVersion: 'kro.run/v1alpha1',
    kind: 'ResourceGraphDefinition',
    metadata: { name: 'parent.kro.run' },
    spec: {
      schema: { apiVersion: 'v1alpha1', kind: 'Parent', spec: { name: 'string' } },
      resources: [
        {
          id: 'demo',
          template: {
            apiVersion: 'kro.run/v1alpha1',
            kind: 'Demo',
            metadata: { name: 'x' },
            spec: { name: 'x', replicas: 'three', extra: 1 },
          },
        },
      ],
    },
  };
  const found = validateKroObjects([{ object: child }, { object: parent }], {
    crdDirs: [CRD_DIR],
  }).findings.filter((f) => f.rgd === 'parent.kro.run' && f.severity === 'error');
  expect(found.map((f) => f.path).sort()).toEqual([
    'spec.resources[0].template.spec.extra',
    'spec.resources[0].template.spec.replicas',
  ]);
});
