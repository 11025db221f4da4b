import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { clusterFromRecord } from '../core/cluster';
import type { ClusterRecord } from '../core/cluster';
import { clusterToParams } from '../core/cluster';
import { run } from '../cmp-sidecar/cli';
import type { PreviewReport } from '../cmp-sidecar/preview/model';
import { pluginEnv } from '../cmp-sidecar/preview/render-app';
import { DEFAULT_KUBE_API_VERSIONS } from '../cmp-sidecar/preview/kube-api-versions';
import { timeCommand } from './process';
import { fmt, ratio, type Row } from './stats';

const REPO_URL = 'https://git.example.com/bench/fleet.git';
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2', 'eu-central-1'];
const APPS = ['orders', 'payments', 'search'];

function fleet(size: number): ClusterRecord[] {
  return Array.from({ length: size }, (_, i) => ({
    accountId: String(100000000000 + (i % 50)),
    region: REGIONS[i % REGIONS.length] ?? 'eu-west-1',
    clusterName: `c${String(i).padStart(4, '0')}`,
    arn: '',
    version: i % 3 === 0 ? '1.30' : '1.31',
    platformVersion: 'eks.1',
    status: 'ACTIVE',
    endpoint: `https://C${i}.gr7.eks.amazonaws.com`,
    oidcIssuer: '',
    vpcId: '',
    tags: { env: i % 4 === 0 ? 'prod' : 'dev', team: `t${i % 7}` },
    caData: '',
  }));
}

/** ~20 resources per app: a namespace, and per component a Deployment, Service, ConfigMap and ServiceAccount. */
function appFiles(app: string): Record<string, string> {
  const files: Record<string, string> = {
    'eks-overlay.yaml':
      'layers:\n  - base\n  - envs/{{cluster.metadata.labels.env}}\n  - regions/{{cluster.aws.region}}\n',
    'base/namespace.yaml': stringify({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: app },
    }),
  };
  for (let c = 0; c < 5; c++) {
    const name = `${app}-${c}`;
    files[`base/${name}.yaml`] = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: app },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              serviceAccountName: name,
              containers: [
                {
                  name,
                  image: `registry.example.com/${name}:1.0.0`,
                  env: [
                    { name: 'REGION', value: '{{cluster.aws.region}}' },
                    { name: 'CLUSTER', value: '{{cluster.name}}' },
                  ],
                  resources: { requests: { cpu: '100m', memory: '128Mi' } },
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: app },
        spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `${name}-config`, namespace: app },
        data: { LOG_LEVEL: 'info', ENV: '{{cluster.metadata.labels.env}}' },
      },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: app } },
    ]
      .map((o) => `---\n${stringify(o)}`)
      .join('');
  }
  files['envs/prod/replicas.yaml'] = stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${app}-0`, namespace: app },
    spec: { replicas: 4 },
  });
  for (const region of REGIONS) {
    files[`regions/${region}/config.yaml`] = stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${app}-0-config`, namespace: app },
      data: { ENDPOINT: `https://${region}.example.com` },
    });
  }
  return files;
}

function appSet(app: string): string {
  return stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: app, namespace: 'argocd' },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [
        { plugin: { configMapRef: { name: 'eks-cluster-generator' }, input: { parameters: {} } } },
      ],
      template: {
        metadata: { name: `${app}-{{ .nameNormalized }}` },
        spec: {
          project: 'default',
          source: {
            repoURL: REPO_URL,
            targetRevision: 'main',
            path: `apps/${app}`,
            plugin: {
              name: 'eks-overlay-v1',
              env: [{ name: 'CLUSTER_CONTEXT', value: '{{ .clusterContext }}' }],
            },
          },
          destination: { server: '{{ .server }}', namespace: app },
        },
      },
    },
  });
}

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/**
 * The fleet preview at 1,000 clusters × 3 ApplicationSets × ~20-resource eks-overlay apps: (1) a change touching one
 * layer (orders' prod layer), base + head, as a whole command from the bundle; (2) a change touching no rendered
 * input (a README); (3) the raw render rate in process against one `eks-overlay generate` process per Application
 * (Argo CD's way) on a sample of 100 Applications, side by side; (4) what skipping by input hash saved.
 */
/** The benchmark's fleet repository: tags `base`, `head` (one layer changed) and `docs` (no rendered input). */
export function buildBenchRepo(root: string, clusters: number): ClusterRecord[] {
  const repo = join(root, 'repo');
  mkdirSync(repo);
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: repo,
      stdio: 'ignore',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'b',
        GIT_AUTHOR_EMAIL: 'b@x',
        GIT_COMMITTER_NAME: 'b',
        GIT_COMMITTER_EMAIL: 'b@x',
      },
    });
  const records = fleet(clusters);
  writeFileSync(
    join(root, 'fleet.yaml'),
    stringify({
      clusters: records.map((r) => ({
        clusterName: r.clusterName,
        accountId: r.accountId,
        region: r.region,
        version: r.version,
        endpoint: r.endpoint,
        tags: r.tags,
      })),
    }),
  );
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', REPO_URL);
  for (const app of APPS) {
    write(join(repo, 'apps', app), appFiles(app));
    write(repo, { [`fleet/${app}.yaml`]: appSet(app) });
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  git('tag', 'base');
  write(repo, {
    'apps/orders/envs/prod/replicas.yaml': readFileSync(
      join(repo, 'apps/orders/envs/prod/replicas.yaml'),
      'utf8',
    ).replace('replicas: 4', 'replicas: 6'),
  });
  git('commit', '-q', '-am', 'one layer');
  git('tag', 'head');
  write(repo, { 'README.md': 'docs only\n' });
  git('add', '-A');
  git('commit', '-q', '-m', 'docs');
  git('tag', 'docs');

  return records;
}

export async function runPreviewBench(opts: { clusters: number; sample: number }): Promise<Row[]> {
  const cli = resolve('dist/eks-overlay.cjs');
  const root = mkdtempSync(join(tmpdir(), 'bench-preview-'));
  const repo = join(root, 'repo');
  try {
    const records = buildBenchRepo(root, opts.clusters);
    const jobs = availableParallelism();
    const previewRun = async (base: string, head: string, out: string) => {
      const t = await timeCommand(
        process.execPath,
        [
          cli,
          'preview',
          '--base',
          base,
          '--head',
          head,
          '--fleet',
          join(root, 'fleet.yaml'),
          '--format',
          'json',
          '--output',
          out,
          '--jobs',
          String(jobs),
        ],
        { cwd: repo },
      ).catch((e: unknown) => ({ ms: NaN, peakMb: NaN, code: 1, stdoutBytes: 0, error: e }));
      const report = JSON.parse(readFileSync(out, 'utf8')) as PreviewReport;
      return { ...t, report };
    };
    const layer = await previewRun('base', 'head', join(root, 'layer.json'));
    const none = await previewRun('head', 'docs', join(root, 'none.json'));

    // Side by side on a sample: in process (this thread) against one process per Application.
    const sample = records.slice(0, opts.sample);
    const dir = join(repo, 'apps', 'orders');
    const envs = sample.map((r) => {
      const mapped = clusterFromRecord(r);
      if (mapped.cluster === undefined) throw new Error(`bench fleet: ${mapped.issues.join('; ')}`);
      const params = clusterToParams(mapped.cluster);
      return pluginEnv(
        {
          repoURL: REPO_URL,
          path: 'apps/orders',
          targetRevision: 'main',
          plugin: {
            name: 'eks-overlay-v1',
            env: [{ name: 'CLUSTER_CONTEXT', value: params.clusterContext }],
          },
        },
        {
          appName: `orders-${r.clusterName}`,
          project: 'default',
          destinationNamespace: 'orders',
          cluster: { name: r.clusterName, version: r.version },
          kubeApiVersions: DEFAULT_KUBE_API_VERSIONS,
          policyDirs: [],
        },
        { label: 'head', sha: '0'.repeat(40), dir: repo },
      );
    });
    const inStart = process.hrtime.bigint();
    for (const env of envs) {
      let failed = '';
      const code = await run(['generate'], {
        stdout: { write: () => true },
        stderr: { write: (s: string) => (failed += s) },
        env,
        cwd: dir,
      });
      if (code !== 0) throw new Error(`in-process render failed: ${failed}`);
    }
    const inMs = Number(process.hrtime.bigint() - inStart) / 1e6;
    let procMs = 0;
    for (const env of envs)
      procMs += (await timeCommand(process.execPath, [cli, 'generate'], { cwd: dir, env })).ms;

    const s = layer.report.summary;
    const perRender = inMs / envs.length;
    const apps = Object.values(s.applications).reduce((a, b) => a + b, 0);
    return [
      {
        benchmark: `preview: ${opts.clusters} clusters × ${APPS.length} ApplicationSets, one layer changed (--jobs ${jobs})`,
        value: `${fmt(layer.ms / 1000)} s wall, peak ${fmt(layer.peakMb, 0)} MB`,
        baseline: 'aim ≤ 60 s',
        ratio: `${apps} Applications, ${s.applications.changed} changed in ${layer.report.diffGroups.length} ways, ${s.renders.performed} renders`,
      },
      {
        benchmark: 'preview: a change touching no rendered input',
        value: `${fmt(none.ms / 1000)} s wall`,
        baseline: 'aim ≤ 5 s',
        ratio: `${none.report.summary.renders.performed} renders, ${none.report.summary.renders.skipped} skipped`,
      },
      {
        benchmark: `render rate: in process (one thread) vs one \`eks-overlay generate\` process per Application, ${envs.length} Applications`,
        value: `${fmt(perRender, 2)} ms/render in process`,
        baseline: `${fmt(procMs / envs.length, 1)} ms/render per process`,
        ratio: ratio(procMs, inMs),
      },
      {
        benchmark: 'content-hash skipping (one layer changed)',
        value: `${s.renders.skipped} Applications skipped = ${s.renders.skipped * 2} renders saved`,
        baseline: `≈ ${fmt((s.renders.skipped * 2 * perRender) / 1000)} s of one-thread rendering`,
        ratio: `${fmt((100 * s.renders.skipped) / Math.max(1, apps), 0)}% of Applications`,
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
