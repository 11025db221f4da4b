import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
 * The alternative to the hand-made launcher (cmp-sidecar/launcher.ts): the plain CLI bundle (built by bench/run.mjs)
 * behind a two-line entry that turns on Node's own compile cache (`module.enableCompileCache`, Node >= 22.1).
 */
function writeCompileCacheEntry(dir: string): string {
  const entry = join(dir, 'eks-overlay-node-compile-cache.cjs');
  writeFileSync(
    entry,
    `'use strict';\nrequire('node:module').enableCompileCache(process.env.BENCH_COMPILE_CACHE_DIR);\n` +
      `require(${JSON.stringify(resolve('dist/bench-eks-overlay-plain.cjs'))});\n`,
  );
  return entry;
}

/**
 * eks-overlay `generate` against `kubectl kustomize` on equivalent trees, with the code cache the sidecar builds up
 * in /tmp (warm: every render after a pod's first) and, for the smallest tree, without it (a pod's first render).
 * Interleaved with it, the same bundle with Node's built-in compile cache instead of the launcher (warm too).
 * The floor row is bare `node -e 0` against the same kustomize run: no Node CLI can go below it.
 */
export async function runCmpBench(opts: { sizes: number[]; rounds: number }): Promise<Row[]> {
  const rows: Row[] = [];
  const cli = resolve('dist/eks-overlay.cjs');
  const root = mkdtempSync(join(tmpdir(), 'bench-cmp-'));
  const cacheDir = join(root, 'code-cache');
  const nodeCacheDir = join(root, 'node-compile-cache');
  const nodeCacheCli = writeCompileCacheEntry(root);
  try {
    for (const [i, size] of opts.sizes.entries()) {
      const trees = writeEquivalentTrees(join(root, String(size)), size);
      const generate = (cache: string | undefined) =>
        timeCommand(process.execPath, [cli, 'generate'], {
          cwd: trees.app,
          env: argoEnv(trees.app, cache),
        });
      const generateNodeCache = () =>
        timeCommand(process.execPath, [nodeCacheCli, 'generate'], {
          cwd: trees.app,
          env: { ...argoEnv(trees.app, undefined), BENCH_COMPILE_CACHE_DIR: nodeCacheDir },
        });
      const kustomize = () => timeCommand('kubectl', ['kustomize', trees.kustomizeOverlay]);
      const smallest = i === 0;
      await generate(cacheDir); // writes the code cache, as a pod's first render does
      await generateNodeCache();
      await kustomize();
      const warm: Measured[] = [];
      const nodeCache: Measured[] = [];
      const off: Measured[] = [];
      const theirs: Measured[] = [];
      const bare: Measured[] = [];
      // Small renders are short and the noisiest: at least 7 rounds, as for the cold start.
      const rounds = smallest ? Math.max(opts.rounds, 7) : opts.rounds;
      for (let r = 0; r < rounds; r++) {
        warm.push(await generate(cacheDir));
        nodeCache.push(await generateNodeCache());
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
      const viaNode = row(
        `eks-overlay generate, ${size} resources, Node compile cache (module.enableCompileCache) instead of the launcher`,
        nodeCache,
      );
      rows.push({
        ...viaNode,
        ours: `${viaNode.ours}; ${ratio(summary(nodeCache).ms, summary(warm).ms)} of the launcher`,
      });
      if (smallest) {
        rows.push(
          row(`eks-overlay generate, ${size} resources, code cache off (pod's first render)`, off),
        );
        rows.push(row(`floor: bare node -e 0 (no Node CLI goes below this)`, bare));
      }
    }
    const cold: number[] = [];
    const coldNodeCache: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < Math.max(opts.rounds, 7); i++) {
      cold.push(
        (
          await timeCommand(process.execPath, [cli, '--version'], {
            env: { EKS_OVERLAY_CACHE_DIR: cacheDir },
          })
        ).ms,
      );
      coldNodeCache.push(
        (
          await timeCommand(process.execPath, [nodeCacheCli, '--version'], {
            env: { BENCH_COMPILE_CACHE_DIR: nodeCacheDir },
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
    rows.push({
      benchmark: 'eks-overlay cold start (--version), Node compile cache instead of the launcher',
      'ours vs baseline': ratio(median(coldNodeCache), median(bare)),
      ours: `${fmt(median(coldNodeCache), 0)} ms; ${ratio(median(coldNodeCache), median(cold))} of the launcher`,
      baseline: `node -e 0 ${fmt(median(bare), 0)} ms`,
      memory: '',
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}
