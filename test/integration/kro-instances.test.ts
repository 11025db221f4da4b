import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseLikeArgoCd, REPO_ROOT, runInProcess, tempDir, writeTree } from '../cmp/helpers';

/**
 * kro instances declared in eks-overlay.yaml and the `kro:` section, through the CLI: RGDs from kro.rgdPaths
 * (inside the repository) check instances without being emitted; configuration mistakes name eks-overlay.yaml:line.
 */
const RGD = readFileSync(
  path.join(REPO_ROOT, 'manifests/examples/eks-cluster-kro/base/eks-cluster-rgd.yaml'),
  'utf8',
);
const CONTEXT = JSON.stringify({
  name: 'hub-dev-euw1',
  server: 'https://hub.example',
  metadata: { labels: { env: 'dev' }, annotations: {} },
  aws: { region: 'eu-west-1', accountId: '111122223333' },
});

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir('kro-instances-')));
afterEach(() => tmp.cleanup());

async function render(appRel: string, files: Record<string, string>) {
  writeTree(tmp.dir, { 'context.json': CONTEXT, ...files });
  return runInProcess(
    [
      'render',
      path.join(tmp.dir, appRel),
      '--context',
      path.join(tmp.dir, 'context.json'),
      '--root',
      tmp.dir,
    ],
    {
      cwd: tmp.dir,
    },
  );
}

const instanceApp = (extra = '') => `layers: [base]
kro:
  rgdPaths: [../../platform/rgds]
instances:
  - kind: EksCluster
    name: '{{cluster.metadata.labels.env}}-workload'
    namespace: eks-clusters
    spec:
      name: '{{cluster.metadata.labels.env}}-workload'
      region: '{{cluster.aws.region}}'
      environment: '{{cluster.metadata.labels.env}}'
      subnetIDs: [subnet-a, subnet-b]
${extra}`;

test('an RGD from kro.rgdPaths types and defaults the instance, and is not emitted', async () => {
  const r = await render('apps/clusters', {
    'platform/rgds/eks.yaml': RGD,
    'apps/clusters/eks-overlay.yaml': instanceApp(),
    'apps/clusters/base/ns.yaml':
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: eks-clusters}\n',
  });
  // Validated like a rendered RGD: without CRD schemas here, its ACK templates are not schema-checked.
  expect(r.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(
      /^eks-overlay: warning: kro: \.\.\/\.\.\/platform\/rgds\/eks\.yaml:2: ekscluster\.kro\.run, at spec\.resources: templates not schema-checked/,
    ),
  ]);
  expect(r.code).toBe(0);
  const objects = parseLikeArgoCd(r.stdout);
  expect(objects.map((o) => o['kind'])).toEqual(['Namespace', 'EksCluster']);
  const instance = objects[1]!;
  expect(instance['metadata']).toEqual({
    name: 'dev-workload',
    namespace: 'eks-clusters',
    // the RGD is not part of this render: no sync wave is imposed
    annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
  });
  expect(instance['spec']).toMatchObject({
    region: 'eu-west-1',
    environment: 'dev',
    version: '1.33',
    nodeGroup: { minSize: 2 },
  });
});

test('an instance of an unknown kind without apiVersion fails; with apiVersion it is emitted unchecked with a warning', async () => {
  const app = (apiVersion: string) => `layers: [base]
instances:
  - kind: Database
${apiVersion}    name: db
    spec: {size: '3'}
`;
  const files = {
    'apps/db/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
  };
  const bad = await render('apps/db', { ...files, 'apps/db/eks-overlay.yaml': app('') });
  expect(bad.code).not.toBe(0);
  expect(bad.stdout).toBe('');
  expect(bad.stderr).toContain(
    'eks-overlay.yaml:3: Database/db, at instances[0]: no ResourceGraphDefinition for kind Database',
  );

  const ok = await render('apps/db', {
    ...files,
    'apps/db/eks-overlay.yaml': app('    apiVersion: example.com/v1\n'),
  });
  expect(ok.code).toBe(0);
  expect(ok.stderr).toContain(
    'no ResourceGraphDefinition for example.com/v1 Database in the render or kro.rgdPaths: spec not checked',
  );
  expect(parseLikeArgoCd(ok.stdout).find((o) => o['kind'] === 'Database')).toMatchObject({
    apiVersion: 'example.com/v1',
    spec: { size: '3' },
  });
});

test.each<[string, string, RegExp]>([
  [
    'an unknown kro key',
    'layers: [base]\nkro:\n  rgdPath: [x]\n',
    /eks-overlay\.yaml:2: kro: unknown key "rgdPath"/,
  ],
  [
    'a bad legacy mode',
    'layers: [base]\nkro:\n  legacyResourceGroups: keep\n',
    /eks-overlay\.yaml:2: kro\.legacyResourceGroups: must be "translate" or "reject"/,
  ],
  [
    'an instance without a name',
    'layers: [base]\ninstances:\n  - kind: EksCluster\n',
    /eks-overlay\.yaml:2: instances\[0\]\.name: is required/,
  ],
  [
    'an rgdPath leaving the repository',
    'layers: [base]\nkro:\n  rgdPaths: [../../../..]\n',
    /kro\.rgdPaths: "\.\.\/\.\.\/\.\.\/\.\." resolves outside the repository/,
  ],
  [
    'a missing rgdPath',
    'layers: [base]\nkro:\n  rgdPaths: [nowhere]\n',
    /kro\.rgdPaths: "nowhere" does not exist/,
  ],
])('%s fails naming the config', async (_name, config, message) => {
  const r = await render('apps/x', {
    'apps/x/eks-overlay.yaml': config,
    'apps/x/base/rgd.yaml': RGD,
  });
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
});
