import { run } from './cli';

// The only place that exits: after stdout has flushed, so a large YAML stream is never cut short.
void run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (e: unknown) => {
    process.stderr.write(
      `eks-overlay: internal error: ${e instanceof Error ? e.stack : String(e)}\n`,
    );
    process.exit(70);
  },
);
