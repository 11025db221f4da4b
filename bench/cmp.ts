import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { argoCdEnv } from './argocd-env';
import { writeEquivalentTrees } from './overlay-trees';
import { timeCommand } from './process';
import { fmt, median, ratio, type Row } from './stats';

function argoEnv(appDir: string, cacheDir: string | undefined): NodeJS.ProcessEnv {
  return {
    // A private code cache, as the sidecar's /tmp holds one; undefined measures a run with the cache off.
    ...(cacheDir === undefined
      ? { EKS_OVERLAY_CODE_CACHE: 'off' }
      : { EKS_OVERLAY_CACHE_DIR: cacheDir }),
    ...argoCdEnv(appDir),
  };
}

interface Measured {
  ms: number;
  peakMb: number;
}

function summary(runs: readonly Measured[]): { ms: number; mb: number } {
  return { ms: median(runs.map((x) => x.ms)), mb: median(runs.map((x) => x.peakMb)) };
}

/**
 * eks-overlay `generate` against `kubectl kustomize` on equivalent trees, with the code cache the sidecar builds up
 * in /tmp (warm: every render after a pod's first) and, for the smallest tree, without it (a pod's first render).
 * The floor row is bare `node -e 0` against the same kustomize run: no Node CLI can go below it.
 */
export async function runCmpBench(opts: { sizes: number[]; rounds: number }): Promise<Row[]> {
  const rows: Row[] = [];
  const cli = resolve('dist/eks-overlay.cjs');
  const root = mkdtempSync(join(tmpdir(), 'bench-cmp-'));
  const cacheDir = join(root, 'code-cache');
  try {
    for (const [i, size] of opts.sizes.entries()) {
      const trees = writeEquivalentTrees(join(root, String(size)), size);
      const generate = (cache: string | undefined) =>
        timeCommand(process.execPath, [cli, 'generate'], {
          cwd: trees.app,
          env: argoEnv(trees.app, cache),
        });
      const kustomize = () => timeCommand('kubectl', ['kustomize', trees.kustomizeOverlay]);
      const smallest = i === 0;
      await generate(cacheDir); // writes the code cache, as a pod's first render does
      await kustomize();
      const warm: Measured[] = [];
      const off: Measured[] = [];
      const theirs: Measured[] = [];
      const bare: Measured[] = [];
      // Small renders are short and the noisiest: at least 7 rounds, as for the cold start.
      const rounds = smallest ? Math.max(opts.rounds, 7) : opts.rounds;
      for (let r = 0; r < rounds; r++) {
        warm.push(await generate(cacheDir));
        theirs.push(await kustomize());
        if (smallest) {
          off.push(await generate(undefined));
          bare.push(await timeCommand(process.execPath, ['-e', '0']));
        }
      }
      const t = summary(theirs);
      const baseline = `kubectl kustomize ${fmt(t.ms, 0)} ms, peak ${fmt(t.mb, 0)} MB`;
      const row = (label: string, runs: Measured[]): Row => {
        const o = summary(runs);
        return {
          benchmark: label,
          'ours vs baseline': ratio(o.ms, t.ms),
          ours: `${fmt(o.ms, 0)} ms, peak ${fmt(o.mb, 0)} MB`,
          baseline,
          memory: `${ratio(o.mb, t.mb)} of kustomize`,
        };
      };
      rows.push(row(`eks-overlay generate, ${size} resources`, warm));
      if (smallest) {
        rows.push(
          row(`eks-overlay generate, ${size} resources, code cache off (pod's first render)`, off),
        );
        rows.push(row(`floor: bare node -e 0 (no Node CLI goes below this)`, bare));
      }
    }
    const cold: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < Math.max(opts.rounds, 7); i++) {
      cold.push(
        (
          await timeCommand(process.execPath, [cli, '--version'], {
            env: { EKS_OVERLAY_CACHE_DIR: cacheDir },
          })
        ).ms,
      );
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
