import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers';

/**
 * Bundles cmp-sidecar/main.ts exactly as build.mjs does, into a private directory, so tests run the real bundled
 * CLI without racing other engineers' builds of dist/.
 */
export async function buildCliBundle(): Promise<{ file: string; cleanup: () => void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eks-overlay-bundle-'));
  await build({
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
  });
  return {
    file: path.join(dir, 'eks-overlay.cjs'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
