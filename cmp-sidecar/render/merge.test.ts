import { RenderError } from '../../core/errors';
import { strategicMerge } from './merge';
import { schemaFor } from './merge-schema';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- merged manifests are walked freely in assertions
type Any = any;

const src = { file: 'envs/prod/deploy.yaml', line: 3 };
const deployment = (spec: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { template: { spec } },
});
const mergeDeployments = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  (strategicMerge(deployment(a), deployment(b), schemaFor('apps', 'Deployment'), src) as Any).spec
    .template.spec;

describe('strategic merge (kustomize semantics)', () => {
  test.each([
    [
      'containers merge by name; the patch order first, then containers only the original has',
      {
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', image: 'b:1' },
        ],
      },
      {
        containers: [
          { name: 'c', image: 'c:1' },
          { name: 'b', image: 'b:2' },
        ],
      },
      {
        containers: [
          { name: 'c', image: 'c:1' },
          { name: 'b', image: 'b:2' },
          { name: 'a', image: 'a:1' },
        ],
      },
    ],
    [
      'env merges by name inside a matched container; $patch: delete removes one entry',
      {
        containers: [
          {
            name: 'a',
            env: [
              { name: 'X', value: '1' },
              { name: 'Y', value: '2' },
            ],
          },
        ],
      },
      {
        containers: [
          {
            name: 'a',
            env: [
              { name: 'X', $patch: 'delete' },
              { name: 'Z', value: '3' },
            ],
          },
        ],
      },
      {
        containers: [
          {
            name: 'a',
            env: [
              { name: 'Z', value: '3' },
              { name: 'Y', value: '2' },
            ],
          },
        ],
      },
    ],
    [
      'ports keyed by containerPort and protocol: new ports first, then the original order',
      {
        containers: [
          {
            name: 'a',
            ports: [
              { containerPort: 53, protocol: 'TCP' },
              { containerPort: 53, protocol: 'UDP' },
            ],
          },
        ],
      },
      {
        containers: [
          {
            name: 'a',
            ports: [
              { containerPort: 53, protocol: 'UDP', name: 'dns' },
              { containerPort: 80, protocol: 'TCP' },
            ],
          },
        ],
      },
      {
        containers: [
          {
            name: 'a',
            ports: [
              { containerPort: 80, protocol: 'TCP' },
              { containerPort: 53, protocol: 'TCP' },
              { containerPort: 53, protocol: 'UDP', name: 'dns' },
            ],
          },
        ],
      },
    ],
    [
      'lists without merge keys (args, tolerations) are replaced',
      { tolerations: [{ key: 'a' }], containers: [{ name: 'a', args: ['x', 'y'] }] },
      { tolerations: [{ key: 'b' }], containers: [{ name: 'a', args: ['z'] }] },
      { tolerations: [{ key: 'b' }], containers: [{ name: 'a', args: ['z'] }] },
    ],
    [
      'null deletes a key; nulls inside new subtrees are dropped',
      { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1' } } }] },
      {
        containers: [
          { name: 'a', resources: null },
          { name: 'b', image: null, command: ['sh'] },
        ],
      },
      {
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', command: ['sh'] },
        ],
      },
    ],
    [
      '$patch: replace on a map replaces it; a {$patch: replace} element replaces the list',
      { nodeSelector: { a: '1', b: '2' }, containers: [{ name: 'a' }, { name: 'b' }] },
      {
        nodeSelector: { $patch: 'replace', c: '3' },
        containers: [{ $patch: 'replace' }, { name: 'z' }],
      },
      { nodeSelector: { c: '3' }, containers: [{ name: 'z' }] },
    ],
    [
      '{$patch: delete} on a map removes it',
      { affinity: { nodeAffinity: {} }, containers: [{ name: 'a' }] },
      { affinity: { $patch: 'delete' } },
      { containers: [{ name: 'a' }] },
    ],
  ])('%s', (_name, original, patch, expected) => {
    expect(mergeDeployments(original, patch)).toEqual(expected);
  });

  test('finalizers merge as a set on built-in kinds, and are replaced on custom kinds (no schema)', () => {
    const cm = (f: string[]) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', finalizers: f },
    });
    expect(
      (strategicMerge(cm(['a', 'b']), cm(['c', 'a']), schemaFor('', 'ConfigMap'), src) as Any)
        .metadata.finalizers,
    ).toEqual(['c', 'a', 'b']);
    expect(
      (strategicMerge(cm(['a', 'b']), cm(['c']), schemaFor('example.com', 'Widget'), src) as Any)
        .metadata.finalizers,
    ).toEqual(['c']);
  });

  test('a patch element without its merge key names the file, line and path', () => {
    expect(() =>
      mergeDeployments({ containers: [{ name: 'a' }] }, { containers: [{ image: 'x' }] }),
    ).toThrow(
      new RenderError(
        'envs/prod/deploy.yaml:3: spec.template.spec.containers[0]: patch element lacks its merge key "name"',
      ),
    );
  });

  test('unsupported directives are refused', () => {
    expect(() => mergeDeployments({ containers: [] }, { $retainKeys: ['a'] })).toThrow(
      /\$retainKeys directive is not supported/,
    );
  });

  test('a __proto__ key stays data', () => {
    const patch = JSON.parse(
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"__proto__":{"x":"1"}}}',
    );
    const out = strategicMerge(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
      patch,
      undefined,
      src,
    ) as Any;
    expect(Object.getPrototypeOf(out.data)).toBe(Object.prototype);
    expect(Object.keys(out.data)).toEqual(['__proto__']);
  });
});
