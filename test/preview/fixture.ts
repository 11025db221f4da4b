import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * A fleet repository built for the preview tests: git init, a base commit and a head commit, chosen so that the
 * preview meets every status: web (eks-overlay, plugin generator) changes the same way on both prod clusters and
 * fails on the dev cluster; worker (eks-overlay, untouched) is skipped by input hash; legacy is deleted (its
 * Applications are removed); extras (list generator) gains an Application, has a plain directory that changes, a
 * kustomize app, a Helm chart and an app of another repository (not previewed); vault (inline secrets) shows its
 * placeholders by reference.
 */
export const REPO_URL = 'https://git.example.com/platform/fleet.git';

export const FLEET_YAML = `clusters:
  - clusterName: dev-euw1
    accountId: '111111111111'
    region: eu-west-1
    version: '1.31'
    endpoint: https://DEV.gr7.eu-west-1.eks.amazonaws.com
    tags: { env: dev }
  - clusterName: prod-euw1
    accountId: '222222222222'
    region: eu-west-1
    version: '1.30'
    endpoint: https://PRODEU.gr7.eu-west-1.eks.amazonaws.com
    tags: { env: prod }
  - clusterName: prod-use1
    accountId: '222222222222'
    region: us-east-1
    version: '1.30'
    endpoint: https://PRODUS.gr7.us-east-1.eks.amazonaws.com
    tags: { env: prod }
`;

const pluginAppSet = (
  name: string,
  appPath: string,
  selector: string,
) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: ${name}
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ['missingkey=error']
  generators:
    - plugin:
        configMapRef:
          name: eks-cluster-generator
        input:
          parameters:
            selector:
              matchLabels: { ${selector} }
  template:
    metadata:
      name: '${name}-{{ .nameNormalized }}'
    spec:
      project: default
      source:
        repoURL: ${REPO_URL}
        targetRevision: main
        path: ${appPath}
        plugin:
          name: eks-overlay-v1
          env:
            - name: CLUSTER_CONTEXT
              value: '{{ .clusterContext }}'
      destination:
        server: '{{ .server }}'
        namespace: ${name}
`;

const overlayApp = (name: string) => ({
  'eks-overlay.yaml': 'layers:\n  - base\n  - envs/{{cluster.metadata.labels.env}}\n',
  'base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${name}
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: ${name}
          image: registry.example.com/${name}:1.0.0
          env:
            - { name: REGION, value: '{{cluster.aws.region}}' }
`,
  'envs/prod/replicas.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${name}
spec:
  replicas: 3
`,
  'envs/dev/config.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
  namespace: ${name}
data:
  LOG_LEVEL: debug
`,
});

const extrasAppSet = (elements: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: extras
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ['missingkey=error']
  generators:
    - list:
        elements:
${elements}
  template:
    metadata:
      name: '{{ .name }}'
    spec:
      project: default
      source:
        repoURL: '{{ .repo }}'
        targetRevision: main
        path: '{{ .path }}'
      destination:
        name: in-cluster
        namespace: extras
`;

const element = (name: string, p: string, repo = REPO_URL) =>
  `          - { name: ${name}, path: ${p}, repo: '${repo}' }`;

const BASE_FILES: Record<string, string> = {
  'fleet/web.yaml': pluginAppSet('web', 'apps/web', 'env: dev, team: web').replace(
    'matchLabels: { env: dev, team: web }',
    'matchExpressions: [{ key: env, operator: Exists }]',
  ),
  'fleet/worker.yaml': pluginAppSet('worker', 'apps/worker', 'env: prod'),
  'fleet/legacy.yaml': pluginAppSet('legacy', 'apps/worker', 'env: dev'),
  'fleet/extras.yaml': extrasAppSet(
    [
      element('plain', 'apps/plain'),
      element('kust', 'apps/kust'),
      element('chart', 'apps/chart'),
      element('elsewhere', 'deploy', 'https://git.example.com/other/repo.git'),
    ].join('\n'),
  ),
  ...prefixed('apps/web', overlayApp('web')),
  ...prefixed('apps/worker', overlayApp('worker')),
  'apps/vault/eks-overlay.yaml': 'layers:\n  - base\nsecrets:\n  mode: inline\n',
  'apps/vault/base/secret.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: vault
stringData:
  password: <path:prod/db#password>
`,
  'apps/plain/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  namespace: extras\ndata:\n  mode: one\n',
  'apps/kust/kustomization.yaml': 'resources:\n  - cm.yaml\nnamePrefix: k-\n',
  'apps/kust/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kust\n  namespace: extras\ndata:\n  a: "1"\n',
  'apps/chart/Chart.yaml': 'apiVersion: v2\nname: chart\nversion: 0.1.0\n',
};

/** The head commit: what the pull request changes. */
const HEAD_CHANGES: Record<string, string | null> = {
  // One layer changed: both prod clusters change the same way (one group of 2).
  'apps/web/envs/prod/replicas.yaml': BASE_FILES['apps/web/envs/prod/replicas.yaml'] ?? '',
  // The dev layer now reads a variable that does not exist: the dev render fails.
  'apps/web/envs/dev/config.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: web
data:
  LOG_LEVEL: '{{cluster.metadata.labels.loglevel}}'
`,
  // A layer no worker cluster reads (worker selects prod clusters): the workers are still skipped by input hash.
  'apps/worker/envs/dev/config.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: worker-config\n  namespace: worker\ndata:\n  LOG_LEVEL: trace\n',
  'fleet/legacy.yaml': null,
  'fleet/vault.yaml': pluginAppSet('vault', 'apps/vault', 'env: dev'),
  // A template function outside the emulation: an error naming the ApplicationSet, the field and the function.
  'fleet/odd.yaml': pluginAppSet('odd', 'apps/worker', 'env: dev').replace(
    "name: 'odd-{{ .nameNormalized }}'",
    "name: '{{ .nameNormalized | toYaml }}'",
  ),
  'fleet/extras.yaml': extrasAppSet(
    [
      element('plain', 'apps/plain'),
      element('kust', 'apps/kust'),
      element('chart', 'apps/chart'),
      element('elsewhere', 'deploy', 'https://git.example.com/other/repo.git'),
      element('fresh', 'apps/fresh'),
    ].join('\n'),
  ),
  'apps/plain/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  namespace: extras\ndata:\n  mode: two\n',
  'apps/fresh/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fresh\n  namespace: extras\n',
};
HEAD_CHANGES['apps/web/envs/prod/replicas.yaml'] = (
  BASE_FILES['apps/web/envs/prod/replicas.yaml'] ?? ''
).replace('replicas: 3', 'replicas: 5');

function prefixed(dir: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [`${dir}/${k}`, v]));
}

function writeAll(root: string, files: Record<string, string | null>): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    if (text === null) rmSync(file);
    else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
}

export interface FixtureRepo {
  readonly dir: string;
  readonly fleetFile: string;
  readonly cleanup: () => void;
}

/** git init, base commit (tag `base`), head commit (tag `head`); the fleet file lives beside the repository. */
export function buildFixtureRepo(): FixtureRepo {
  const top = mkdtempSync(path.join(tmpdir(), 'preview-fixture-'));
  const dir = path.join(top, 'repo');
  mkdirSync(dir);
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
        GIT_CONFIG_NOSYSTEM: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  git('remote', 'add', 'origin', REPO_URL);
  writeAll(dir, BASE_FILES);
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  git('tag', 'base');
  writeAll(dir, HEAD_CHANGES);
  git('add', '-A');
  git('commit', '-q', '-m', 'head');
  git('tag', 'head');
  const fleetFile = path.join(top, 'fleet.yaml');
  writeFileSync(fleetFile, FLEET_YAML);
  return { dir, fleetFile, cleanup: () => rmSync(top, { recursive: true, force: true }) };
}
