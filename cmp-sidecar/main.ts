import { run } from './cli';
import { isPreviewRenderWorker, runPreviewRenderWorker } from './preview/render-pool';

// A render worker of `eks-overlay preview` (the bundle is its own worker entry) only renders what it is handed.
if (isPreviewRenderWorker()) runPreviewRenderWorker(run);
// The only place that exits: after stdout has flushed, so a large YAML stream is never cut short.
else
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
