// `npm run bench`: bundles the TypeScript benchmark driver and runs it. Never part of `npm test`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';

await build({
  entryPoints: { bench: 'bench/main.ts' },
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  sourcemap: 'inline',
  logLevel: 'warning',
});
const r = spawnSync(
  process.execPath,
  ['--enable-source-maps', 'dist/bench.cjs', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
process.exit(r.status ?? 1);
