// Bundles each entry point into one CommonJS file so processes start without resolving node_modules.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import options from './build-options.cjs';
import launcher from './cmp-sidecar/build-launcher.cjs';

const { common } = options;

const entryPoints = {
  'generator-service': 'generator-service/main.ts',
  // eks-overlay's inline secrets provider, required at run time from beside eks-overlay.cjs (only in inline mode),
  // so the render path never parses the AWS SDK.
  'secret-provider-aws': 'plugins/secret-providers/aws-secrets-manager.ts',
};

mkdirSync('dist', { recursive: true });
const result = await build({
  ...common,
  entryPoints,
  outdir: 'dist',
  sourcemap: 'linked',
  metafile: true,
});
// eks-overlay.cjs: an entry that turns on Node's compile cache, then loads eks-overlay-cli.cjs (cmp-sidecar/main.ts).
const cli = await launcher.buildEksOverlay('dist', common);
writeFileSync(
  'dist/meta.json',
  JSON.stringify({
    inputs: { ...result.metafile.inputs, ...cli.inputs },
    outputs: { ...result.metafile.outputs, ...cli.outputs },
  }),
);
