import {
  isMainThread,
  parentPort,
  Worker,
  workerData,
  type ResourceLimits,
} from 'node:worker_threads';
import { describeError } from '../../core/errors';
import { parseFleetYaml, type FleetParse } from './fleet-yaml';

/**
 * Parsing a large fleet file in a worker thread. The yaml library's document for a fleet-sized file needs far
 * more heap than the records it yields, and V8 keeps heap it has committed, so parsing in the main isolate would
 * leave the service that large for its whole life (plugins/README.md, "Measured"). A worker's isolate, heap
 * included, is torn down when it exits, and only the plain records (a structured clone) come back.
 *
 * A worker needs a JavaScript entry: the shipped bundle is its own (its entry checks isFleetParseWorker() before
 * doing anything else). Run from TypeScript sources (jest, ts tools) there is no such entry, and files are
 * parsed in-thread.
 */

const TASK = 'parse-fleet';

export type FleetParseResult = FleetParse;

interface FleetParseTask {
  readonly task: typeof TASK;
  readonly bytes: Uint8Array;
  readonly file: string;
}

export interface FleetParseWorkerOptions {
  /** The script the worker runs: a bundle whose entry runs runFleetParseWorker() when isFleetParseWorker(). */
  readonly entry: string;
  /** Files smaller than this are parsed in-thread: a worker's start-up costs more than their parse. */
  readonly minBytes: number;
  readonly resourceLimits?: ResourceLimits;
}

/** 1 GiB of old space: several times what a 10,000-cluster file needs, and a bound on a hostile one. */
const DEFAULT_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 1024 };

/**
 * The worker set-up for this process: the running bundle when it is one (a `.cjs` file), none otherwise.
 * `__filename` is the bundle's own path once esbuild has bundled this module into it.
 */
export function defaultFleetParseWorker(): FleetParseWorkerOptions | undefined {
  return __filename.endsWith('.cjs') ? { entry: __filename, minBytes: 1024 * 1024 } : undefined;
}

/** True in a worker started by parseFleetInWorker; the bundle's entry then runs only the parser. */
export function isFleetParseWorker(): boolean {
  return (
    !isMainThread &&
    typeof workerData === 'object' &&
    workerData !== null &&
    (workerData as { task?: unknown }).task === TASK
  );
}

/** The worker side: parse the bytes handed over and post the result back. */
export function runFleetParseWorker(): void {
  const { bytes, file } = workerData as FleetParseTask;
  const result = parseFleetYaml(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    file,
  );
  parentPort?.postMessage(result);
}

/**
 * Parses the bytes in a worker. Resolves with exactly what parseFleetYaml returns; rejects when the worker fails
 * (crash, out of memory, exit without an answer), with an error that says so.
 */
export function parseFleetInWorker(
  bytes: Uint8Array,
  file: string,
  opts: FleetParseWorkerOptions,
  signal?: AbortSignal,
): Promise<FleetParseResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('the fleet parse was aborted'));
      return;
    }
    const task: FleetParseTask = { task: TASK, bytes, file };
    let worker: Worker;
    try {
      worker = new Worker(opts.entry, {
        workerData: task,
        resourceLimits: opts.resourceLimits ?? DEFAULT_LIMITS,
        // The parser reads no environment; the worker gets none (it may hold the service token).
        env: {},
      });
    } catch (e) {
      reject(new Error(`the fleet parse worker did not start: ${describeError(e)}`));
      return;
    }
    let settled = false;
    // The registry aborts a load that timed out; the worker must not outlive it, or every later refresh of a file
    // that slow would add another worker (each allowed its own heap limit).
    const onAbort = () => {
      void worker.terminate();
      settle(() => reject(new Error('the fleet parse was aborted')));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    worker.once('message', (result: FleetParseResult) => settle(() => resolve(result)));
    worker.once('error', (e) =>
      settle(() => reject(new Error(`the fleet parse worker failed: ${describeError(e)}`))),
    );
    worker.once('exit', (code) =>
      settle(() =>
        reject(new Error(`the fleet parse worker exited with code ${code} without an answer`)),
      ),
    );
  });
}
