import { ConfigError } from '../core/errors';
import { parseOverlayConfig } from './config';

function issuesOf(text: string): readonly string[] {
  try {
    parseOverlayConfig(text, 'eks-overlay.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('eks-overlay.yaml', () => {
  test('layers, allowEmpty and the stage sections passed through unvalidated', () => {
    const cfg = parseOverlayConfig(
      [
        'layers: [base, "envs/{{cluster.metadata.labels.env}}"]',
        'allowEmpty: true',
        'secrets: {mode: externalSecret, store: {kind: ClusterSecretStore, name: "aws-{{cluster.aws.region}}"}}',
        'kro: {validate: true}',
        'instances: [{kind: EksCluster, spec: {x: 1}}]',
      ].join('\n'),
      'eks-overlay.yaml',
    );
    expect(cfg.layers).toEqual(['base', 'envs/{{cluster.metadata.labels.env}}']);
    expect(cfg.allowEmpty).toBe(true);
    expect(cfg.secrets).toEqual({
      mode: 'externalSecret',
      store: { kind: 'ClusterSecretStore', name: 'aws-{{cluster.aws.region}}' },
    });
    expect(cfg.kro).toEqual({ validate: true });
    expect(cfg.instances).toEqual([{ kind: 'EksCluster', spec: { x: 1 } }]);
    expect(cfg.sources['secrets']).toEqual({ file: 'eks-overlay.yaml', line: 3 });
  });

  test('declared parameters keep their defaults', () => {
    const cfg = parseOverlayConfig(
      'layers: [base]\nparameters:\n  - {name: replicas, string: "2", title: Replicas}\n  - {name: extra, map: {a: b}}\n',
      'eks-overlay.yaml',
    );
    expect(cfg.parameters).toEqual([
      {
        name: 'replicas',
        required: false,
        collectionType: 'string',
        string: '2',
        title: 'Replicas',
      },
      { name: 'extra', required: false, collectionType: 'map', map: { a: 'b' } },
    ]);
  });

  test.each([
    [
      'unknown key with its line',
      'layers: [base]\nlayer: [x]\n',
      ['eks-overlay.yaml:2: unknown key "layer"'],
    ],
    ['missing layers', 'allowEmpty: true\n', ['"layers" is required']],
    ['empty layers', 'layers: []\n', ['eks-overlay.yaml:1: layers must be a non-empty list']],
    [
      'non-boolean allowEmpty',
      'layers: [a]\nallowEmpty: "yes"\n',
      ['eks-overlay.yaml:2: allowEmpty must be'],
    ],
    ['bad YAML with its line', 'layers:\n  - a\n - b: [\n', ['eks-overlay.yaml:3: invalid YAML']],
    ['not a map', '- base\n', ['eks-overlay.yaml:1: must be a map']],
    [
      'reserved parameter',
      'layers: [a]\nparameters: [{name: cluster}]\n',
      ['"cluster" is reserved'],
    ],
  ])('%s', (_name, text, expected) => {
    const issues = issuesOf(text);
    for (const fragment of expected) expect(issues.join('\n')).toContain(fragment);
  });

  test('yaml.duplicateKeys: warn or error, validated with the rest (every problem at once)', () => {
    expect(
      parseOverlayConfig('layers: [a]\nyaml: {duplicateKeys: error}\n', 'eks-overlay.yaml').yaml,
    ).toEqual({
      duplicateKeys: 'error',
    });
    expect(parseOverlayConfig('layers: [a]\n', 'eks-overlay.yaml').yaml).toBeUndefined();
    expect(
      issuesOf('layers: [a]\nyaml:\n  duplicateKeys: strict\n  tabs: no\nallowEmpty: 3\n'),
    ).toEqual([
      expect.stringMatching(/^eks-overlay\.yaml:3: yaml\.duplicateKeys must be warn or error/),
      'eks-overlay.yaml:4: unknown key "yaml.tabs" (allowed: duplicateKeys)',
      'eks-overlay.yaml:5: allowEmpty must be true or false',
    ]);
    expect(issuesOf('layers: [a]\nyaml: error\n')).toEqual([
      'eks-overlay.yaml:2: yaml must be a map, e.g. {duplicateKeys: error}',
    ]);
  });

  test('reports every problem at once', () => {
    expect(issuesOf('foo: 1\nbar: 2\nallowEmpty: 3\n')).toHaveLength(4);
  });
});

describe('eks-overlay.yaml under hostile input (regressions)', () => {
  test('an alias bomb is a ConfigError naming the line (was an internal error with a stack)', () => {
    let bomb = 'layers: [base]\nsecrets:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++)
      bomb += `  a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    expect(issuesOf(bomb)).toEqual([
      expect.stringMatching(/^eks-overlay\.yaml:3: Excessive alias count/),
    ]);
  });

  test('parameter names that reach for prototypes are refused', () => {
    expect(issuesOf('layers: [base]\nparameters:\n  - {name: __proto__, string: x}\n')).toEqual([
      'eks-overlay.yaml:3: parameter name "__proto__" is not allowed',
    ]);
  });
});

test('duplicate keys anywhere in eks-overlay.yaml name their line (checked in one pass)', () => {
  expect(
    issuesOf('layers: [base]\nsecrets:\n  mode: inline\n  mode: externalSecret\nlayers: [x]\n'),
  ).toEqual([
    'eks-overlay.yaml:5: invalid YAML: Map keys must be unique',
    'eks-overlay.yaml:4: invalid YAML: Map keys must be unique',
  ]);
});
