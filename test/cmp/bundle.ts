import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers';

/**
 * Bundles cmp-sidecar/main.ts exactly as build.mjs does, into a private directory, so tests run the real bundled
 * CLI without racing other engineers' builds of dist/.
 */
export async function buildCliBundle(): Promise<{
  file: string;
  inputs: string[];
  /** Inputs reachable from the entry without crossing a dynamic import() (what a default run may evaluate). */
  eagerInputs: string[];
  cleanup: () => void;
}> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eks-overlay-bundle-'));
  const result = await build({
    entryPoints: { 'eks-overlay': path.join(REPO_ROOT, 'cmp-sidecar/main.ts') },
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: dir,
    outExtension: { '.js': '.cjs' },
    sourcemap: 'linked',
    keepNames: true,
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
  });
  return {
    file: path.join(dir, 'eks-overlay.cjs'),
    inputs: Object.keys(result.metafile.inputs),
    eagerInputs: eagerlyReachable(result.metafile, 'cmp-sidecar/main.ts'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function eagerlyReachable(meta: Metafile, entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const next = queue.pop()!;
    for (const imp of meta.inputs[next]?.imports ?? []) {
      if (imp.kind === 'dynamic-import' || imp.external === true || seen.has(imp.path)) continue;
      seen.add(imp.path);
      queue.push(imp.path);
    }
  }
  return [...seen];
}
