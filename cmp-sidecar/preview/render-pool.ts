import { parentPort, Worker } from 'node:worker_threads';
import type { OldObjects, RenderOutcome, RunCli } from './render-app';
import { renderPlugin } from './render-app';

/**
 * Where eks-overlay renders run: a pool of worker threads, each running `run(['generate'])` of its own copy of the
 * bundle, when the preview runs from the shipped bundle and --jobs > 1; in this thread otherwise (from TypeScript
 * sources there is no JavaScript entry for a worker). Only the YAML comes back; the main thread hashes, diffs and
 * groups, so what it holds stays bounded by the diff groups, not by the Applications. The base objects a head render's
 * policies review as oldObject go over with the job; the policy report comes back with the outcome (plain data,
 * structured-cloned both ways).
 */
export interface RenderPool {
  render(dir: string, env: Record<string, string>, oldObjects?: OldObjects): Promise<RenderOutcome>;
  close(): Promise<void>;
}

// main.ts recognises its workers by this task (it checks the literal, so that it loads none of this otherwise).
const TASK = 'preview-render';

interface Job {
  readonly id: number;
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly oldObjects?: OldObjects;
}

/** The worker side: render each job handed over and post the outcome back. */
export function runPreviewRenderWorker(run: RunCli): void {
  parentPort?.on('message', (job: Job) => {
    void renderPlugin(run, job.dir, job.env, job.oldObjects).then(
      (outcome) => parentPort?.postMessage({ id: job.id, outcome }),
      (e: unknown) =>
        parentPort?.postMessage({
          id: job.id,
          outcome: { ok: false, error: `internal error: ${String(e)}` },
        }),
    );
  });
}

export function createRenderPool(run: RunCli, jobs: number): RenderPool {
  const entry = __filename;
  if (jobs <= 1 || !entry.endsWith('.cjs')) {
    return {
      render: (dir, env, oldObjects) => renderPlugin(run, dir, env, oldObjects),
      close: () => Promise.resolve(),
    };
  }
  // Started on the first render: a preview that skips every Application never pays for them.
  let started: Worker[] | undefined;
  const pending = new Map<
    number,
    { resolve: (o: RenderOutcome) => void; reject: (e: Error) => void }
  >();
  const load = new Map<Worker, number>();
  const owner = new Map<number, Worker>();
  let nextId = 0;
  const start = (): Worker[] => {
    const workers = Array.from(
      { length: jobs },
      () => new Worker(entry, { workerData: { task: TASK }, stdout: true, stderr: true }),
    );
    for (const w of workers) {
      load.set(w, 0);
      w.on('message', (m: { id: number; outcome: RenderOutcome }) => {
        pending.get(m.id)?.resolve(m.outcome);
        pending.delete(m.id);
        owner.delete(m.id);
        load.set(w, (load.get(w) ?? 1) - 1);
      });
      w.on('error', (e) => {
        for (const [id, p] of pending) {
          if (owner.get(id) === w) {
            p.reject(e);
            pending.delete(id);
          }
        }
      });
    }
    return workers;
  };
  return {
    render(dir, env, oldObjects) {
      started ??= start();
      const workers = started;
      // The least busy worker takes the job.
      let best = workers[0] as Worker;
      for (const w of workers) if ((load.get(w) ?? 0) < (load.get(best) ?? 0)) best = w;
      const id = nextId++;
      load.set(best, (load.get(best) ?? 0) + 1);
      owner.set(id, best);
      return new Promise<RenderOutcome>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        best.postMessage({
          id,
          dir,
          env,
          ...(oldObjects === undefined ? {} : { oldObjects }),
        } satisfies Job);
      });
    },
    async close() {
      await Promise.all((started ?? []).map((w) => w.terminate()));
    },
  };
}
