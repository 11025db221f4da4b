import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { common } from '../../build-options.cjs';

const REPO_ROOT = path.resolve(__dirname, '../..');

/** The shipped bundles, by their file name in dist/ (without `.cjs`), and the source each is built from. */
const ENTRY_POINTS = {
  'generator-service': 'generator-service/main.ts',
  'eks-overlay': 'cmp-sidecar/main.ts',
  'secret-provider-aws': 'plugins/secret-providers/aws-secrets-manager.ts',
} as const;
export type BundleName = keyof typeof ENTRY_POINTS;

export interface SourceBundles {
  readonly dir: string;
  /** The path of one of the bundles asked for. */
  file(name: BundleName): string;
  readonly metafile: Metafile;
  readonly remove: () => void;
}

/**
 * Bundles the named entry points of this tree with build.mjs's options into a fresh temporary directory, laid out
 * as in dist/ (eks-overlay's inline secrets provider beside it, where it is looked for), so child-process tests
 * run the current sources without racing `npm run build` over dist/. eks-overlay is the CLI bundle itself, without
 * the compile-cache entry build.mjs puts in front of it (cmp-sidecar/compile-cache.test.ts builds and tests that).
 */
export async function bundleSources(
  names: readonly BundleName[],
  tmpPrefix = 'test-bundles-',
): Promise<SourceBundles> {
  const dir = mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const result = await build({
      ...common,
      logLevel: 'silent',
      absWorkingDir: REPO_ROOT,
      entryPoints: Object.fromEntries(names.map((name) => [name, ENTRY_POINTS[name]])),
      outdir: dir,
      sourcemap: 'linked',
      metafile: true,
    });
    return {
      dir,
      file: (name) => path.join(dir, `${name}.cjs`),
      metafile: result.metafile,
      remove,
    };
  } catch (err) {
    remove();
    throw err;
  }
}
