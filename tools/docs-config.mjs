// `npm run docs:config`: regenerates the environment-variable tables of manifests/README.md from the config
// modules' descriptor lists (tools/config-reference.ts). `--check` only reports whether they are current.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import options from '../build-options.cjs';

const README = 'manifests/README.md';
await build({
  ...options.common,
  entryPoints: { 'docs-config': 'tools/config-reference.ts' },
  outdir: 'dist',
  // Dependencies load from node_modules, as in the tests.
  packages: 'external',
});
const { renderConfigReference } = createRequire(import.meta.url)('../dist/docs-config.cjs');
const before = readFileSync(README, 'utf8');
const after = renderConfigReference(before);
if (before === after) {
  process.stdout.write(`${README}: configuration tables are current\n`);
} else if (process.argv.includes('--check')) {
  process.stderr.write(
    `${README}: configuration tables are out of date; run npm run docs:config\n`,
  );
  process.exit(1);
} else {
  writeFileSync(README, after);
  process.stdout.write(`${README}: configuration tables regenerated\n`);
}
