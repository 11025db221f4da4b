// Bundles each entry point into one CommonJS file so processes start without resolving node_modules.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';

const entryPoints = {
  'generator-service': 'generator-service/main.ts',
  'eks-overlay': 'cmp-sidecar/main.ts',
  // eks-overlay's inline secrets provider, required at run time from beside eks-overlay.cjs (only in inline mode),
  // so the render path never parses the AWS SDK.
  'secret-provider-aws': 'plugins/secret-providers/aws-secrets-manager.ts',
};

mkdirSync('dist', { recursive: true });
const result = await build({
  entryPoints,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  sourcemap: 'linked',
  keepNames: true,
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
writeFileSync('dist/meta.json', JSON.stringify(result.metafile));
