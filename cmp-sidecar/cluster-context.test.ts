import { ConfigError } from '../core/errors';
import { buildClusterView, flattenClusterView, missingContextMessage } from './cluster-context';
import type { AppParameter, ArgoEnv } from './render/types';

const argoEnv = (userEnv: Record<string, string>, parameters: AppParameter[] = []): ArgoEnv => ({
  appName: 'a',
  appNamespace: 'ns',
  projectName: 'default',
  revision: '',
  revisionShort: '',
  sourceRepoUrl: '',
  sourcePath: '',
  targetRevision: '',
  kubeVersion: '',
  kubeApiVersions: [],
  userEnv,
  parameters,
});
const generatorContext = JSON.stringify({
  name: 'prod-use1',
  metadata: { labels: { env: 'prod' } },
  aws: { region: 'us-east-1', tags: { 'kubernetes.io/cluster/x': 'owned' } },
});

describe('cluster context: ARGOCD_ENV_CLUSTER_CONTEXT, then the cluster map parameter', () => {
  test('the generator context as is, with empty labels/annotations maps filled in', () => {
    const view = buildClusterView(
      argoEnv({ CLUSTER_CONTEXT: JSON.stringify({ name: 'x', metadata: {} }) }),
    );
    expect(view).toEqual({ name: 'x', metadata: { labels: {}, annotations: {} } });
  });

  test('map entries override; dotted keys nest; label keys keep their dots and slashes', () => {
    const view = buildClusterView(
      argoEnv({ CLUSTER_CONTEXT: generatorContext }, [
        {
          name: 'cluster',
          map: {
            'metadata.labels.env': 'staging',
            'metadata.labels.app.kubernetes.io/part-of': 'fleet',
            'aws.region': 'eu-west-1',
            'upgrade.color': 'blue',
          },
        },
      ]),
    );
    expect(view).toEqual({
      name: 'prod-use1',
      metadata: {
        labels: { env: 'staging', 'app.kubernetes.io/part-of': 'fleet' },
        annotations: {},
      },
      aws: { region: 'eu-west-1', tags: { 'kubernetes.io/cluster/x': 'owned' } },
      upgrade: { color: 'blue' },
    });
    expect(Object.isFrozen(view)).toBe(true);
  });

  test('flattening gives back keys the map parameter accepts', () => {
    const view = buildClusterView(argoEnv({ CLUSTER_CONTEXT: generatorContext }));
    const flat = flattenClusterView(view);
    expect(flat).toEqual({
      name: 'prod-use1',
      'metadata.labels.env': 'prod',
      'aws.region': 'us-east-1',
      'aws.tags.kubernetes.io/cluster/x': 'owned',
    });
    const again = buildClusterView(argoEnv({}, [{ name: 'cluster', map: flat }]));
    expect(again).toEqual(view);
  });

  test.each<[string, Record<string, string>, AppParameter[], RegExp]>([
    [
      'context JSON is malformed',
      { CLUSTER_CONTEXT: '{' },
      [],
      /ARGOCD_ENV_CLUSTER_CONTEXT is not valid JSON/,
    ],
    ['context JSON is not an object', { CLUSTER_CONTEXT: '"prod"' }, [], /must be a JSON object/],
    ['cluster is a string parameter', {}, [{ name: 'cluster', string: 'prod' }], /must be a map/],
    [
      'a key goes through a string',
      { CLUSTER_CONTEXT: generatorContext },
      [{ name: 'cluster', map: { 'name.first': 'x' } }],
      /goes through "name", which is not a map/,
    ],
    [
      'a key would replace a map',
      { CLUSTER_CONTEXT: generatorContext },
      [{ name: 'cluster', map: { aws: 'x' } }],
      /would replace a map/,
    ],
    [
      'prototype keys',
      {},
      [{ name: 'cluster', map: { '__proto__.polluted': 'x' } }],
      /not a valid dotted path/,
    ],
    ['empty segments', {}, [{ name: 'cluster', map: { 'a..b': 'x' } }], /not a valid dotted path/],
    [
      'the parameter given twice',
      {},
      [
        { name: 'cluster', map: {} },
        { name: 'cluster', map: {} },
      ],
      /given 2 times/,
    ],
  ])('refused: %s', (_name, userEnv, params, message) => {
    expect(() => buildClusterView(argoEnv(userEnv, params))).toThrow(ConfigError);
    expect(() => buildClusterView(argoEnv(userEnv, params))).toThrow(message);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('hostile cluster contexts (regressions)', () => {
  const issues = (context: string): readonly string[] => {
    try {
      buildClusterView(argoEnv({ CLUSTER_CONTEXT: context }));
    } catch (e) {
      if (e instanceof ConfigError) return e.issues;
      throw e;
    }
    throw new Error('expected a ConfigError');
  };

  test('deep nesting is refused by depth, not reported as "not valid JSON: Maximum call stack"', () => {
    const deep = `{"name":"x","d":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`;
    expect(issues(deep)).toEqual(['ARGOCD_ENV_CLUSTER_CONTEXT is nested deeper than 32 levels']);
  });

  test('labels, annotations and tags must hold strings; prototype keys are refused anywhere', () => {
    expect(
      issues(
        '{"metadata":{"labels":{"env":{"x":"prod"}},"annotations":"a"},"aws":{"tags":{"t":1}}}',
      ),
    ).toEqual([
      'ARGOCD_ENV_CLUSTER_CONTEXT: metadata.labels.env must be a string',
      'ARGOCD_ENV_CLUSTER_CONTEXT: metadata.annotations must be a map of strings',
      'ARGOCD_ENV_CLUSTER_CONTEXT: aws.tags.t must be a string',
    ]);
    expect(issues('{"aws":{"constructor":{"prototype":{}}}}')).toEqual([
      'ARGOCD_ENV_CLUSTER_CONTEXT: key "aws.constructor" is not allowed',
    ]);
  });

  test('a JSON error never quotes the input', () => {
    expect(issues('{"token":hunter2-secret}')).toEqual([
      'ARGOCD_ENV_CLUSTER_CONTEXT is not valid JSON: syntax error',
    ]);
  });
});

describe('a missing cluster context', () => {
  test.each<[string, ArgoEnv, Record<string, string>]>([
    ['ARGOCD_ENV_CLUSTER_CONTEXT', argoEnv({ CLUSTER_CONTEXT: generatorContext }), {}],
    [
      'the cluster map parameter',
      argoEnv({}, [{ name: 'cluster', map: { 'aws.region': 'x' } }]),
      {},
    ],
    ['--cluster entries', argoEnv({}), { 'aws.region': 'x' }],
  ])('is not missing when given by %s', (_name, env, overrides) => {
    expect(missingContextMessage(env, overrides)).toBeUndefined();
  });

  test.each([
    ['unset', argoEnv({}), 'is not set'],
    ['empty', argoEnv({ CLUSTER_CONTEXT: ' ' }), 'is empty'],
  ])('%s: says which variable Argo CD should have set, and how', (_name, env, state) => {
    expect(missingContextMessage(env, {})).toBe(
      `the cluster context is missing: ARGOCD_ENV_CLUSTER_CONTEXT ${state}. Argo CD sets it from the Application's ` +
        'plugin env entry CLUSTER_CONTEXT: in the ApplicationSet template give source.plugin.env: [{name: ' +
        "CLUSTER_CONTEXT, value: '{{ .clusterContext }}'}] ('{{clusterContext}}' without goTemplate), or the map " +
        'parameter "cluster" (eks-overlay render/validate: --context <file> or --cluster key=value)',
    );
  });
});
