import { Worker } from 'node:worker_threads';
import type { RenderJob, WorkerAnswer } from './protocol';

/**
 * A fixed number of render worker threads and a bounded queue in front of them. A worker thread, not the server's
 * own thread, runs each render so that a render whose client has gone can be stopped at once (the worker is
 * terminated and replaced) and so that one render's memory is capped by the worker's heap limit.
 */

export interface PoolOptions {
  /** The script a worker runs: the CLI bundle (or its compile-cache entry), which starts a worker loop there. */
  readonly script: string;
  readonly size: number;
  readonly queue: number;
  readonly queueWaitMs: number;
  readonly heapMb: number;
}

export type PoolAnswer = WorkerAnswer | { readonly kind: 'cancelled' };

export interface Submitted {
  readonly answer: Promise<PoolAnswer>;
  /** The client went away: drop the job from the queue, or stop the worker running it. False when it was done. */
  readonly cancel: () => boolean;
}

interface Slot {
  worker: Worker;
  job: Pending | undefined;
}

interface Pending {
  readonly job: RenderJob;
  readonly settle: (a: PoolAnswer) => void;
  timer: NodeJS.Timeout | undefined;
  slot: Slot | undefined;
  done: boolean;
}

export interface RenderPool {
  submit(job: RenderJob): Submitted;
  /** Jobs queued or running. */
  readonly inFlight: () => number;
  close(): Promise<void>;
}

const CACHE_SETTINGS = ['EKS_OVERLAY_CACHE_DIR', 'EKS_OVERLAY_CODE_CACHE', 'TMPDIR'];

function cacheSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    CACHE_SETTINGS.flatMap((k) => (env[k] === undefined ? [] : [[k, env[k]] as const])),
  );
}

export function createRenderPool(opts: PoolOptions): RenderPool {
  const slots: Slot[] = [];
  const waiting: Pending[] = [];
  let closed = false;

  const finish = (p: Pending, a: PoolAnswer) => {
    if (p.done) return;
    p.done = true;
    if (p.timer !== undefined) clearTimeout(p.timer);
    p.settle(a);
  };

  const spawn = (): Slot => {
    const worker = new Worker(opts.script, {
      workerData: { eksOverlayRenderWorker: true },
      resourceLimits: { maxOldGenerationSizeMb: opts.heapMb },
      // A render reads its client's environment, never the process's: the worker gets only the code-cache settings
      // of its own start, so a read of process.env on the render path would show as a difference from the CLI.
      env: cacheSettings(process.env),
      stdout: false,
      stderr: false,
    });
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (answer: WorkerAnswer) => {
      const p = slot.job;
      slot.job = undefined;
      if (p !== undefined) finish(p, answer);
      next();
    });
    const lost = (why: string) => {
      const p = slot.job;
      slot.job = undefined;
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      // A worker that died mid-render (out of heap, a crash): the client renders it itself, as the CLI would.
      if (p !== undefined) finish(p, { kind: 'render-yourself', reason: why });
      if (!closed) {
        slots.push(spawn());
        next();
      }
    };
    worker.on('error', (e) => lost(`render worker stopped: ${e.message}`));
    worker.on('exit', (code) => {
      if (slots.includes(slot)) lost(`render worker exited (${code})`);
    });
    return slot;
  };

  const next = () => {
    for (const slot of slots) {
      if (slot.job !== undefined) continue;
      const p = waiting.shift();
      if (p === undefined) return;
      if (p.timer !== undefined) clearTimeout(p.timer);
      p.timer = undefined;
      p.slot = slot;
      slot.job = p;
      slot.worker.postMessage(p.job);
    }
  };

  const stopRunning = (p: Pending) => {
    const slot = p.slot;
    if (slot === undefined || slot.job !== p) return;
    slot.job = undefined;
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    void slot.worker.terminate();
    if (!closed) {
      slots.push(spawn());
      next();
    }
  };

  for (let i = 0; i < opts.size; i++) slots.push(spawn());

  return {
    submit(job) {
      let settle!: (a: PoolAnswer) => void;
      const answer = new Promise<PoolAnswer>((resolve) => (settle = resolve));
      const p: Pending = { job, settle, timer: undefined, slot: undefined, done: false };
      const busy = () =>
        finish(p, { kind: 'render-yourself', reason: 'the render server is busy' });
      if (closed) busy();
      else if (waiting.length >= opts.queue && slots.every((s) => s.job !== undefined)) busy();
      else {
        waiting.push(p);
        p.timer = setTimeout(() => {
          const i = waiting.indexOf(p);
          if (i >= 0) waiting.splice(i, 1);
          busy();
        }, opts.queueWaitMs);
        next();
      }
      return {
        answer,
        cancel: () => {
          if (p.done) return false;
          const i = waiting.indexOf(p);
          if (i >= 0) waiting.splice(i, 1);
          else stopRunning(p);
          finish(p, { kind: 'cancelled' });
          return true;
        },
      };
    },
    inFlight: () => waiting.length + slots.filter((s) => s.job !== undefined).length,
    async close() {
      closed = true;
      for (const p of waiting.splice(0))
        finish(p, { kind: 'render-yourself', reason: 'the render server is stopping' });
      const all = slots.splice(0);
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}
