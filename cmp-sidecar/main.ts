import { isMainThread, workerData } from 'node:worker_threads';
import { run } from './cli';
import type * as RenderWorker from './serve/worker';

if (
  !isMainThread &&
  (workerData as { eksOverlayRenderWorker?: boolean } | null)?.eksOverlayRenderWorker === true
) {
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
