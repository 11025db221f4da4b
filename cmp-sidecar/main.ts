import { isMainThread, workerData } from 'node:worker_threads';
import { run } from './cli';
import type * as RenderPool from './preview/render-pool';
import type * as RenderWorker from './serve/worker';

const workerTask = isMainThread
  ? undefined
  : (workerData as { task?: unknown; eksOverlayRenderWorker?: boolean } | null);

// The bundle is also the entry of two kinds of worker threads, each of which only renders what it is handed. Their
// code loads only there, so `generate`'s cold start does not pay for it.
if (workerTask?.task === 'preview-render') {
  // A render worker of `eks-overlay preview`.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./preview/render-pool') as typeof RenderPool).runPreviewRenderWorker(run);
} else if (workerTask?.eksOverlayRenderWorker === true) {
  // A render worker of `eks-overlay serve` (serve/pool.ts starts this same file in a worker thread).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./serve/worker') as typeof RenderWorker).serveRenders();
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
