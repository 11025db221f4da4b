import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import {
  isLegacyResourceGroup,
  translateResourceGroup,
} from '../../cmp-sidecar/kro/legacy-resource-group';
import { validateKroObjects } from '../../cmp-sidecar/kro/validate';
import { CRD_DIR } from './load-yaml';

/** kro-eso-ack.md §1.3: retired ResourceGroups become current RGDs; every change is listed for the warning. */
const seed = parse(
  readFileSync(path.join(__dirname, 'fixtures', 'seed-eks-resource-group.yaml'), 'utf8'),
) as Record<string, unknown>;

test.each([
  ['kro.io/v1alpha1', true],
  ['kro.run/v1alpha1', true],
  ['x.symphony.k8s.aws/v1alpha1', true],
  ['example.com/v1', false],
])('%s ResourceGroup is legacy: %s', (apiVersion, legacy) => {
  expect(isLegacyResourceGroup({ apiVersion, kind: 'ResourceGroup' })).toBe(legacy);
});

test("the seed's raw objects are wrapped with derived ids, a schema is added, the namespace dropped", () => {
  const { rgd, changes } = translateResourceGroup(seed);
  expect(rgd).toMatchObject({
    apiVersion: 'kro.run/v1alpha1',
    kind: 'ResourceGraphDefinition',
    metadata: { name: 'eks-cluster.kro.run' },
    spec: { schema: { apiVersion: 'v1alpha1', kind: 'EksCluster', spec: {} } },
  });
  const resources = (rgd['spec'] as { resources: { id: string; template: { kind: string } }[] })
    .resources;
  expect(resources.map((r) => [r.id, r.template.kind])).toEqual([
    ['cluster', 'Cluster'],
    ['nodegroup', 'Nodegroup'],
  ]);
  expect(changes).toEqual([
    'kro.io/v1alpha1 ResourceGroup → kro.run/v1alpha1 ResourceGraphDefinition',
    'metadata.namespace dropped (ResourceGraphDefinitions are cluster-scoped)',
    'schema added (kind EksCluster, apiVersion v1alpha1, empty spec)',
    'raw objects wrapped as {id, template} with ids [cluster, nodegroup]',
  ]);
});

test('ids stay unique and clear of reserved words when kinds repeat', () => {
  const { rgd } = translateResourceGroup({
    apiVersion: 'kro.io/v1alpha1',
    kind: 'ResourceGroup',
    metadata: { name: 'roles' },
    spec: {
      resources: [
        {
          apiVersion: 'iam.services.k8s.aws/v1alpha1',
          kind: 'Role',
          metadata: { name: 'eks-cluster' },
        },
        {
          apiVersion: 'iam.services.k8s.aws/v1alpha1',
          kind: 'Role',
          metadata: { name: 'eks-nodes' },
        },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } },
      ],
    },
  });
  expect((rgd['spec'] as { resources: { id: string }[] }).resources.map((r) => r.id)).toEqual([
    'roleEksCluster',
    'roleEksNodes',
    'namespaceResource',
  ]);
});

test('v0.1.0 shape: schema.validation and defaultServiceAccounts are dropped, the rest kept', () => {
  const { rgd, changes } = translateResourceGroup({
    apiVersion: 'kro.run/v1alpha1',
    kind: 'ResourceGroup',
    metadata: { name: 'app.kro.run' },
    spec: {
      schema: { apiVersion: 'v1alpha1', kind: 'App', spec: { name: 'string' }, validation: ['x'] },
      defaultServiceAccounts: { '*': 'sa' },
      resources: [
        {
          id: 'cm',
          template: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: '${schema.spec.name}' },
          },
        },
      ],
    },
  });
  expect(rgd['spec']).toEqual({
    schema: { apiVersion: 'v1alpha1', kind: 'App', spec: { name: 'string' } },
    resources: [
      {
        id: 'cm',
        template: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: '${schema.spec.name}' },
        },
      },
    ],
  });
  expect(changes).toContain(
    'spec.defaultServiceAccounts dropped (not part of ResourceGraphDefinition)',
  );
});

test('the translated seed passes every check (templates schema-checked against the ACK CRDs)', () => {
  const result = validateKroObjects(
    [{ object: seed, source: { file: 'base/seed.yaml', line: 2 } }],
    { crdDirs: [CRD_DIR] },
  );
  expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
  expect(result.findings).toEqual([
    expect.objectContaining({
      severity: 'warning',
      rgd: 'eks-cluster.kro.run',
      message: expect.stringMatching(/^legacy ResourceGroup translated/),
    }),
  ]);
});

test('legacy: reject fails instead', () => {
  const result = validateKroObjects([{ object: seed }], { legacy: 'reject' });
  expect(result.findings).toEqual([
    expect.objectContaining({
      severity: 'error',
      message: expect.stringMatching(/ResourceGroup is retired/),
    }),
  ]);
});
