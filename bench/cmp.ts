import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeEquivalentTrees } from './overlay-trees';
import { timeCommand } from './process';
import { fmt, median, ratio, type Row } from './stats';

const CONTEXT = JSON.stringify({
  name: 'prod-use1',
  nameNormalized: 'prod-use1',
  server: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com',
  project: '',
  metadata: { labels: { env: 'prod' }, annotations: {} },
  aws: { region: 'us-east-1', accountId: '111111111111', clusterName: 'prod-use1' },
  upgrade: { group: '', color: '', weight: '100' },
});

function argoEnv(appDir: string): NodeJS.ProcessEnv {
  return {
    ARGOCD_APP_NAME: 'bench',
    ARGOCD_APP_NAMESPACE: 'apps',
    ARGOCD_APP_PROJECT_NAME: 'default',
    ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
    ARGOCD_APP_SOURCE_PATH: appDir,
    ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/apps.git',
    ARGOCD_APP_SOURCE_TARGET_REVISION: 'HEAD',
    ARGOCD_APP_PARAMETERS: 'null',
    ARGOCD_ENV_CLUSTER_CONTEXT: CONTEXT,
    KUBE_VERSION: '1.30.0',
  };
}

export async function runCmpBench(opts: { sizes: number[]; rounds: number }): Promise<Row[]> {
  const rows: Row[] = [];
  const cli = resolve('dist/eks-overlay.cjs');
  const root = mkdtempSync(join(tmpdir(), 'bench-cmp-'));
  try {
    for (const size of opts.sizes) {
      const trees = writeEquivalentTrees(join(root, String(size)), size);
      const ours: { ms: number; peakMb: number }[] = [];
      const theirs: { ms: number; peakMb: number }[] = [];
      for (let i = 0; i < opts.rounds; i++) {
        ours.push(
          await timeCommand(process.execPath, [cli, 'generate'], {
            cwd: trees.app,
            env: argoEnv(trees.app),
          }),
        );
        theirs.push(await timeCommand('kubectl', ['kustomize', trees.kustomizeOverlay]));
      }
      const o = { ms: median(ours.map((x) => x.ms)), mb: median(ours.map((x) => x.peakMb)) };
      const t = { ms: median(theirs.map((x) => x.ms)), mb: median(theirs.map((x) => x.peakMb)) };
      rows.push({
        benchmark: `eks-overlay generate, ${size} resources`,
        'ours vs baseline': ratio(o.ms, t.ms),
        ours: `${fmt(o.ms, 0)} ms, peak ${fmt(o.mb, 0)} MB`,
        baseline: `kubectl kustomize ${fmt(t.ms, 0)} ms, peak ${fmt(t.mb, 0)} MB`,
        memory: `${ratio(o.mb, t.mb)} of kustomize`,
      });
    }
    const cold: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < Math.max(opts.rounds, 7); i++) {
      cold.push((await timeCommand(process.execPath, [cli, '--version'])).ms);
      bare.push((await timeCommand(process.execPath, ['-e', '0'])).ms);
    }
    rows.push({
      benchmark: 'eks-overlay cold start (--version)',
      'ours vs baseline': ratio(median(cold), median(bare)),
      ours: `${fmt(median(cold), 0)} ms`,
      baseline: `node -e 0 ${fmt(median(bare), 0)} ms`,
      memory: '',
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}
