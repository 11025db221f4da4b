import { ConfigError } from '../core/errors';
import { parseAppParameters, readArgoEnv } from './argocd-env';
import { kubeMinorOf } from './render/template-scope';

describe('Argo CD environment (argocd-contract.md §B5, §B6)', () => {
  test('reads the build variables, ARGOCD_ENV_* without the prefix, and KUBE_*', () => {
    const env = readArgoEnv({
      ARGOCD_APP_NAME: 'apps_web',
      ARGOCD_APP_NAMESPACE: 'web',
      ARGOCD_APP_SOURCE_PATH: 'apps/web',
      KUBE_VERSION: '1.31.2',
      KUBE_API_VERSIONS: 'apps/v1,apps/v1/Deployment,v1',
      ARGOCD_ENV_CLUSTER_CONTEXT: '{}',
      ARGOCD_ENV_EMPTY: '',
      ARGOCD_APP_PARAMETERS: 'null',
      PATH: '/bin',
    });
    expect(env).toMatchObject({
      appName: 'apps_web',
      appNamespace: 'web',
      sourcePath: 'apps/web',
      kubeVersion: '1.31.2',
      kubeApiVersions: ['apps/v1', 'apps/v1/Deployment', 'v1'],
      userEnv: { CLUSTER_CONTEXT: '{}', EMPTY: '' },
      parameters: [],
    });
  });

  test.each([
    ['1.31', '1.31'],
    ['1.31.2', '1.31'],
    ['v1.31.2', '1.31'],
    ['v1.31.2-eks-1a2b3c4', '1.31'],
    ['v1.31.2+k3s1', '1.31'],
    ['1.9.0', '1.9'],
    ['', ''],
    ['latest', ''],
    ['1', ''],
  ])(
    'KUBE_VERSION %j gives kubeMinor %j, whatever form this Argo CD version sends',
    (raw, minor) => {
      expect(kubeMinorOf(raw)).toBe(minor);
    },
  );

  test.each([undefined, '', 'null', ' null\n'])('no parameters: %j', (raw) => {
    expect(parseAppParameters(raw)).toEqual([]);
  });

  test('parameters as Go marshals them (keys sorted, only those set, \\u003c escapes)', () => {
    expect(
      parseAppParameters(
        '[{"array":["values-dev.yaml"],"name":"values-files"},{"map":{"image.tag":"v1.2.3"},"name":"helm-parameters"},{"name":"x","string":"\\u003cb\\u003e"},{"map":{},"name":"empty"}]',
      ),
    ).toEqual([
      { name: 'values-files', array: ['values-dev.yaml'] },
      { name: 'helm-parameters', map: { 'image.tag': 'v1.2.3' } },
      { name: 'x', string: '<b>' },
      { name: 'empty', map: {} },
    ]);
  });

  test.each<[string, RegExp]>([
    ['[{"name":', /ARGOCD_APP_PARAMETERS is not valid JSON/],
    ['{"name":"x"}', /must be a JSON array/],
    ['["x"]', /ARGOCD_APP_PARAMETERS\[0\] must be an object/],
    ['[{"string":"x"}]', /ARGOCD_APP_PARAMETERS\[0\]\.name must be a non-empty string/],
    [
      '[{"name":"a","array":[1]}]',
      /ARGOCD_APP_PARAMETERS\[0\] \(a\)\.array must be a list of strings/,
    ],
    ['[{"name":"a","string":5}]', /ARGOCD_APP_PARAMETERS\[0\] \(a\)\.string must be a string/],
  ])('malformed %s', (raw, message) => {
    expect(() => parseAppParameters(raw)).toThrow(ConfigError);
    expect(() => parseAppParameters(raw)).toThrow(message);
  });
});

describe('ARGOCD_APP_PARAMETERS under hostile input (regressions)', () => {
  const issues = (raw: string): readonly string[] => {
    try {
      parseAppParameters(raw);
    } catch (e) {
      if (e instanceof ConfigError) return e.issues;
      throw e;
    }
    throw new Error('expected a ConfigError');
  };

  test('a JSON error never quotes the input (V8 quotes an excerpt)', () => {
    const [issue] = issues('[{"name":"t","string":hunter2-secret}]');
    expect(issue).toBe('ARGOCD_APP_PARAMETERS is not valid JSON: syntax error');
    expect(issues('[{"name":"t","string":"hunter2')).toEqual([
      'ARGOCD_APP_PARAMETERS is not valid JSON: unterminated string at position 30',
    ]);
  });

  test('names that reach for prototypes are refused; ARGOCD_ENV___proto__ is plain data', () => {
    expect(issues('[{"name":"__proto__","map":{"a":"b"}}]')).toEqual([
      'ARGOCD_APP_PARAMETERS[0].name "__proto__" is not allowed',
    ]);
    const env = readArgoEnv({ ARGOCD_ENV___proto__: 'x' });
    expect(Object.getPrototypeOf(env.userEnv)).toBe(Object.prototype);
    expect(Object.hasOwn(env.userEnv, '__proto__')).toBe(true);
  });
});
