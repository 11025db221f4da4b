import { validateKroObjects } from '../../cmp-sidecar/kro/validate';
import { formatFinding, type KroFinding } from '../../cmp-sidecar/kro/types';
import { CRD_DIR } from './load-yaml';

/**
 * Typos kro rejects only at sync (after Argo CD applied the rest of the Application), caught by the render: an
 * undeclared `${schema.spec.x}`, an unknown field holding an expression, a kind nobody declares, a namespace on a
 * cluster-scoped kind. Each names the RGD, the resource id and the path. And `template: null`, which the API
 * server prunes before kro sees it, is no template at all.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rgd = Record<string, any>;

function rgd(resources: Rgd[], spec: Rgd = { name: 'string', tags: 'map[string]string' }): Rgd {
  return {
    apiVersion: 'kro.run/v1alpha1',
    kind: 'ResourceGraphDefinition',
    metadata: { name: 'typos.kro.run' },
    spec: {
      schema: {
        apiVersion: 'v1alpha1',
        kind: 'Typos',
        spec,
        types: { Pool: { size: 'integer', labels: 'map[string]string', extra: 'object' } },
      },
      resources,
    },
  };
}

const configMap = (data: Rgd, metadata: Rgd = { name: '${schema.spec.name}' }): Rgd => ({
  id: 'config',
  template: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data },
});

function errors(object: Rgd, crdDirs: string[] = [CRD_DIR]): KroFinding[] {
  return validateKroObjects([{ object, source: { file: 'base/rgd.yaml', line: 1 } }], {
    crdDirs,
  }).findings.filter((f) => f.severity === 'error');
}
const lines = (found: KroFinding[]) => found.map(formatFinding);

describe('(a) ${schema.spec.x} must be declared by the SimpleSchema', () => {
  test('an undeclared field is an error naming the RGD, the resource, the path and the field', () => {
    const found = errors(rgd([configMap({ a: '${schema.spec.nmae}' })]));
    expect(lines(found)).toEqual([
      'base/rgd.yaml:1: typos.kro.run, resource config, at spec.resources[0].template.data.a: schema.spec.nmae is not declared in spec.schema.spec (undefined field "nmae") in ${schema.spec.nmae}',
    ]);
  });

  test('nested, in a string template, in has() and through an optional: each undeclared field', () => {
    const found = errors(
      rgd(
        [
          configMap({
            a: 'x-${schema.spec.pool.sise}',
            b: '${has(schema.spec.pool.labels) ? "y" : schema.spec.pool.labelz.team}',
            c: '${schema.spec.?nam.orValue("z")}',
          }),
        ],
        { name: 'string', pool: 'Pool' },
      ),
    );
    expect(found.map((f) => f.message.split(' in ${')[0])).toEqual([
      'schema.spec.pool.sise is not declared in spec.schema.spec (undefined field "sise")',
      'schema.spec.pool.labelz is not declared in spec.schema.spec (undefined field "labelz")',
      'schema.spec.nam is not declared in spec.schema.spec (undefined field "nam")',
    ]);
  });

  test('declared fields, map keys, object subtrees, list elements and locals are fine', () => {
    const found = errors(
      rgd(
        [
          configMap({
            a: '${schema.spec.name}',
            b: '${schema.spec.tags.team + schema.spec.tags["cost-center"]}',
            c: '${string(schema.spec.pools[0].size) + schema.spec.pools[0].labels.anything}',
            d: '${schema.spec.pools[0].extra.whatever.deep}',
            e: '${schema.spec.pools.map(schema, schema.nope).join(",")}',
            f: '${schema.metadata.name}',
          }),
        ],
        { name: 'string', tags: 'map[string]string', pools: '[]Pool' },
      ),
    );
    expect(lines(found)).toEqual([]);
  });
});

describe('(b) an unknown field holding an expression', () => {
  test('in a CRD kind (standalone expressions are no longer skipped unchecked)', () => {
    const found = errors(
      rgd([
        {
          id: 'role',
          template: {
            apiVersion: 'iam.services.k8s.aws/v1alpha1',
            kind: 'Role',
            metadata: { name: '${schema.spec.name}' },
            spec: { name: '${schema.spec.name}', descripton: '${schema.spec.name}' },
          },
        },
      ]),
    );
    expect(lines(found)).toEqual([
      expect.stringContaining(
        'typos.kro.run, resource role, at spec.resources[0].template.spec.descripton: schema not found for field spec.resources[0].template.spec.descripton',
      ),
    ]);
  });

  test('in a built-in kind, standalone or string template; known fields, labels and data keys are fine', () => {
    const found = errors(
      rgd(
        [
          {
            id: 'deployment',
            template: {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name: '${schema.spec.name}', labels: { app: '${schema.spec.name}' } },
              spec: {
                replicas: '${schema.spec.replicas}',
                replica: '${schema.spec.replicas}',
                template: {
                  metadata: { annotations: { 'x/y': 'v-${schema.spec.name}' } },
                  spec: {
                    containers: [
                      {
                        name: 'app',
                        image: 'img:${schema.spec.name}',
                        imagePullPolcy: 'x-${schema.spec.name}',
                      },
                    ],
                  },
                },
              },
            },
          },
          configMap({ 'any-key': '${schema.spec.name}' }),
        ],
        { name: 'string', replicas: 'integer' },
      ),
    );
    expect(found.map((f) => `${f.resourceId ?? '-'} ${f.path}`)).toEqual([
      'deployment spec.resources[0].template.spec.replica',
      'deployment spec.resources[0].template.spec.template.spec.containers[0].imagePullPolcy',
    ]);
    expect(found[0]!.message).toMatch(/schema: built-in apps\/v1 Deployment/);
  });
});

describe('(c) a template kind nobody declares', () => {
  test('in a built-in group: an error naming the kind', () => {
    const found = errors(
      rgd([
        {
          id: 'deployment',
          template: { apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } },
        },
      ]),
    );
    expect(lines(found)).toEqual([
      'base/rgd.yaml:1: typos.kro.run, resource deployment, at spec.resources[0].template.kind: kind Deploymnet of apps/v1 is not known: it is not a built-in kind of that group, and no ResourceGraphDefinition of the render defines it (kro fails to find its schema)',
    ]);
  });

  test('a removed version of a built-in kind is not served either', () => {
    const found = errors(
      rgd([
        {
          id: 'hpa',
          template: {
            apiVersion: 'autoscaling/v2beta2',
            kind: 'HorizontalPodAutoscaler',
            metadata: { name: 'x' },
          },
        },
      ]),
    );
    expect(found.map((f) => `${f.path}: ${f.message}`)).toEqual([
      'spec.resources[0].template.kind: kind HorizontalPodAutoscaler of autoscaling/v2beta2 is no longer served by Kubernetes (use autoscaling/v1 or autoscaling/v2), and no ResourceGraphDefinition of the render defines it (kro fails to find its schema)',
    ]);
  });

  test('another version of a built-in kind (newer than the table) stays a not-schema-checked warning', () => {
    const object = rgd([
      {
        id: 'claim',
        template: {
          apiVersion: 'resource.k8s.io/v1',
          kind: 'ResourceClaimTemplate',
          metadata: { name: 'x' },
        },
      },
    ]);
    expect(lines(errors(object))).toEqual([]);
  });

  test('in a group whose CRDs the render was given', () => {
    const found = errors(
      rgd([
        {
          id: 'cluster',
          template: {
            apiVersion: 'eks.services.k8s.aws/v1alpha1',
            kind: 'Clustr',
            metadata: { name: 'x' },
          },
        },
      ]),
    );
    expect(found.map((f) => f.message)).toEqual([
      expect.stringContaining(
        'no CRD of group eks.services.k8s.aws given to the render declares it',
      ),
    ]);
  });

  test('a group nobody told the render about, or an RGD group, stays a not-schema-checked warning', () => {
    const object = rgd([
      {
        id: 'cert',
        template: {
          apiVersion: 'cert-manager.io/v1',
          kind: 'Certificate',
          metadata: { name: 'x' },
        },
      },
      {
        id: 'child',
        template: {
          apiVersion: 'kro.run/v1alpha1',
          kind: 'DefinedElsewhere',
          metadata: { name: 'x' },
        },
      },
      {
        id: 'cluster',
        template: {
          apiVersion: 'eks.services.k8s.aws/v1alpha1',
          kind: 'Clustr',
          metadata: { name: 'x' },
        },
      },
    ]);
    expect(lines(errors(object, []))).toEqual([]);
    expect(errors(object).map((f) => f.resourceId)).toEqual(['cluster']);
  });
});

describe('(d) a namespace on a cluster-scoped kind', () => {
  test.each([
    ['v1', 'Namespace'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
    ['storage.k8s.io/v1', 'StorageClass'],
  ])('%s %s', (apiVersion, kind) => {
    const found = errors(
      rgd([
        {
          id: 'thing',
          template: { apiVersion, kind, metadata: { name: 'x', namespace: 'default' } },
        },
      ]),
    );
    expect(lines(found)).toEqual([
      'base/rgd.yaml:1: typos.kro.run, resource thing, at spec.resources[0].template.metadata.namespace: resource thing is cluster-scoped and must not set metadata.namespace',
    ]);
  });

  test('a cluster-scoped instance needs a namespace on namespaced built-in kinds', () => {
    const object = rgd([configMap({})]);
    object['spec']['schema']['scope'] = 'Cluster';
    expect(errors(object).map((f) => `${f.path}: ${f.message}`)).toEqual([
      'spec.resources[0].template.metadata.namespace: the instance is cluster-scoped, so namespaced resource config must set metadata.namespace',
    ]);
  });

  test('a namespaced built-in kind may set one', () => {
    expect(lines(errors(rgd([configMap({}, { name: 'x', namespace: 'default' })])))).toEqual([]);
  });
});

describe('template: null is absent (the API server prunes nulls before kro reads the RGD)', () => {
  test('beside an externalRef', () => {
    const found = errors(
      rgd([
        {
          id: 'existing',
          template: null,
          externalRef: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
        },
        configMap({ a: '${existing.data.a}' }),
      ]),
    );
    expect(lines(found)).toEqual([]);
  });

  test('alone: the resource has neither, which is the error', () => {
    const found = errors(rgd([{ id: 'nothing', template: null }]));
    expect(found.map((f) => f.message)).toEqual([
      'exactly one of template or externalRef must be provided',
    ]);
  });
});
