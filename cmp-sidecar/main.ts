import { isMainThread, workerData } from 'node:worker_threads';
import { run } from './cli';
import type * as RenderPool from './preview/render-pool';

// A render worker of `eks-overlay preview` (the bundle is its own worker entry) only renders what it is handed. The
// pool's code loads only there, so `generate`'s cold start does not pay for it.
if (!isMainThread && (workerData as { task?: unknown } | null)?.task === 'preview-render') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./preview/render-pool') as typeof RenderPool).runPreviewRenderWorker(run);
} else {
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
}
