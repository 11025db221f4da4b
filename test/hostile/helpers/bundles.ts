import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface Bundles {
  readonly dir: string;
  /** The generator service, as `npm run build` bundles generator-service/main.ts. */
  readonly generator: string;
  /** The eks-overlay CLI; its inline secrets provider bundle sits beside it, where it is looked for. */
  readonly eksOverlay: string;
  remove(): void;
}

/**
 * Bundles the shipped entry points like build.mjs does, into a temporary directory, so child-process tests run
 * the code of this tree rather than whatever dist/ last held.
 */
export async function buildBundles(): Promise<Bundles> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hostile-bundles-'));
  await build({
    entryPoints: {
      'generator-service': 'generator-service/main.ts',
      'eks-overlay': 'cmp-sidecar/main.ts',
      'secret-provider-aws': 'plugins/secret-providers/aws-secrets-manager.ts',
    },
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: dir,
    outExtension: { '.js': '.cjs' },
    keepNames: true,
    minifySyntax: true,
    logLevel: 'silent',
  });
  return {
    dir,
    generator: path.join(dir, 'generator-service.cjs'),
    eksOverlay: path.join(dir, 'eks-overlay.cjs'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
