import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { kubeVersionOf, pluginEnv, sameRepository, unreadLayers } from './render-app';
import type { RenderRequest } from './render-app';

const req: RenderRequest = {
  appName: 'web-prod',
  project: 'default',
  destinationNamespace: 'web',
  cluster: { name: 'prod', version: '1.30' },
  kubeApiVersions: 'apps/v1,apps/v1/Deployment,v1',
  policyDirs: [],
};
const revision = { label: 'head', sha: '0123456789abcdef0123456789abcdef01234567', dir: '/x' };

describe('pluginEnv: what the repo server gives the CMP (argocd-contract.md B5, B6)', () => {
  test('build variables, with KUBE_VERSION as major.minor.patch and the destination namespace', () => {
    const env = pluginEnv(
      { repoURL: 'https://g/r.git', path: 'apps/web', targetRevision: 'main', plugin: {} },
      req,
      revision,
    );
    expect(env).toMatchObject({
      ARGOCD_APP_NAME: 'web-prod',
      ARGOCD_APP_NAMESPACE: 'web',
      ARGOCD_APP_PROJECT_NAME: 'default',
      ARGOCD_APP_REVISION: revision.sha,
      ARGOCD_APP_REVISION_SHORT: '0123456',
      ARGOCD_APP_REVISION_SHORT_8: '01234567',
      ARGOCD_APP_SOURCE_REPO_URL: 'https://g/r.git',
      ARGOCD_APP_SOURCE_PATH: 'apps/web',
      ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
      KUBE_VERSION: '1.30.0',
      KUBE_API_VERSIONS: 'apps/v1,apps/v1/Deployment,v1',
      ARGOCD_APP_PARAMETERS: 'null',
      EKS_OVERLAY_PREVIEW_SECRETS: 'reference',
    });
    expect(env['EKS_OVERLAY_POLICY_DIRS']).toBeUndefined();
  });

  test('plugin.env values are os.Expand-ed against the build variables only ($$ → $)', () => {
    const env = pluginEnv(
      {
        repoURL: 'r',
        plugin: {
          env: [
            { name: 'APP', value: '$ARGOCD_APP_NAME-${ARGOCD_APP_NAMESPACE}' },
            { name: 'PRICE', value: 'cost$$5 $HOME' },
          ],
        },
      },
      req,
      revision,
    );
    expect(env['ARGOCD_ENV_APP']).toBe('web-prod-web');
    expect(env['ARGOCD_ENV_PRICE']).toBe('cost$5 ');
  });

  test('ARGOCD_APP_PARAMETERS is json.Marshal of the parameters (HTML escaped)', () => {
    const env = pluginEnv(
      { repoURL: 'r', plugin: { parameters: [{ name: 'a', string: '<b>' }] } },
      req,
      revision,
    );
    expect(env['ARGOCD_APP_PARAMETERS']).toBe('[{"name":"a","string":"\\u003cb\\u003e"}]');
  });

  test('--policies reach the render as EKS_OVERLAY_POLICY_DIRS, colon-separated', () => {
    const env = pluginEnv(
      { repoURL: 'r', plugin: {} },
      { ...req, policyDirs: ['/p/a', '/p/b'] },
      revision,
    );
    expect(env['EKS_OVERLAY_POLICY_DIRS']).toBe('/p/a:/p/b');
  });
});

test.each([
  ['1.30', '1.30.0'],
  ['v1.29.4-eks-abcdef', '1.29.4'],
  ['', ''],
])('kubeVersionOf(%j) = %j', (input, expected) => {
  expect(kubeVersionOf(input)).toBe(expected);
});

test.each([
  ['https://github.com/o/r.git', 'https://github.com/o/r', true],
  ['https://GitHub.com/o/r/', 'https://github.com/o/r.git', true],
  ['git@github.com:o/r.git', 'https://github.com/o/r', true],
  ['https://github.com/o/r', 'https://github.com/o/other', false],
])('sameRepository(%j, %j) = %j', (a, b, expected) => {
  expect(sameRepository(a, b)).toBe(expected);
});

describe('unreadLayers: the layer directories a cluster render cannot read', () => {
  let app: string;
  const context = (labels: Record<string, string>) => ({
    ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify({
      name: 'prod-1',
      metadata: { labels, annotations: {} },
      aws: { region: 'eu-west-1' },
    }),
  });
  const write = (config: string) => writeFileSync(path.join(app, 'eks-overlay.yaml'), config);

  beforeAll(() => {
    app = mkdtempSync(path.join(tmpdir(), 'unread-layers-'));
    for (const d of [
      'base',
      'envs/dev',
      'envs/prod',
      'envs/common',
      'regions/eu-west-1',
      'regions/us-east-1',
    ]) {
      mkdirSync(path.join(app, d), { recursive: true });
    }
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  test("the other values' directories beside each templated layer, static layers kept", async () => {
    write(
      'layers:\n  - base\n  - envs/common\n  - envs/{{cluster.metadata.labels.env}}\n  - regions/{{ cluster.aws.region }}\n',
    );
    expect(await unreadLayers(app, context({ env: 'prod' }))).toEqual([
      'envs/dev',
      'regions/us-east-1',
    ]);
  });

  test.each([
    ['a helper in a layer path', 'layers:\n  - envs/{{lower cluster.metadata.labels.env}}\n'],
    ['a non-cluster variable', 'layers:\n  - envs/{{env.STAGE}}\n'],
    ['a templated layer at the top of the app', 'layers:\n  - base\n  - "{{cluster.name}}"\n'],
    ['the app root as a layer', 'layers:\n  - .\n  - envs/{{cluster.metadata.labels.env}}\n'],
    ['a value the context lacks', 'layers:\n  - envs/{{cluster.metadata.labels.tier}}\n'],
    ['a templated kro path', 'layers: [base]\nkro:\n  rgdPaths: ["rgds/{{cluster.name}}"]\n'],
  ])('%s: no narrowing (everything is an input)', async (_what, config) => {
    write(config);
    expect(await unreadLayers(app, context({ env: 'prod' }))).toBeUndefined();
  });
});
