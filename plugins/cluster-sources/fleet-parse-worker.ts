import { fork, type ChildProcess } from 'node:child_process';
import type { ResourceLimits } from 'node:worker_threads';
import { describeError } from '../../core/errors';
import { parseFleetYaml, type FleetParse } from './fleet-yaml';

/**
 * Parsing a large fleet file in a child process. The yaml library's document for a fleet-sized file needs far
 * more heap than the records it yields, and V8 keeps heap it has committed, so parsing in the main isolate would
 * leave the service that large for its whole life (plugins/README.md, "Measured"). Only a process gives that
 * memory back: on Node 24 the pages of a worker thread's isolate stay in the process after the worker exits
 * (a 10,000-cluster file left the service at about 500 MB of RSS with 40 MB of live heap). The child's memory
 * goes with it, and only the plain records (a structured clone over IPC) come back.
 *
 * The child needs a JavaScript entry: the shipped bundle is its own (its entry checks isFleetParseWorker() before
 * doing anything else). Run from TypeScript sources (jest, ts tools) there is no such entry, and files are
 * parsed in-thread.
 */

/** The argument that makes the bundle a fleet parser (no environment: the service's may hold its token). */
const TASK = '--fleet-parse-worker';

export type FleetParseResult = FleetParse;

interface FleetParseTask {
  readonly bytes: Uint8Array;
  readonly file: string;
}

export interface FleetParseWorkerOptions {
  /** The script the child runs: a bundle whose entry runs runFleetParseWorker() when isFleetParseWorker(). */
  readonly entry: string;
  /** Files smaller than this are parsed in-thread: a child's start-up costs more than their parse. */
  readonly minBytes: number;
  /** Heap bounds of the child (old and young generation; the rest is ignored). */
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

/** True in a child started by parseFleetInWorker; the bundle's entry then runs only the parser. */
export function isFleetParseWorker(): boolean {
  return process.argv[2] === TASK && typeof process.send === 'function';
}

/** The child side: parse the bytes sent, send the result back, and leave. */
export function runFleetParseWorker(): void {
  process.once('message', (task: FleetParseTask) => {
    const { bytes, file } = task;
    const result = parseFleetYaml(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
      file,
    );
    process.send?.(result, () => process.disconnect());
  });
}

/** The last lines a failing child wrote on stderr (an uncaught error, V8's out-of-memory report). */
const STDERR_KEPT = 2048;

/**
 * Parses the bytes in a child process. Resolves with exactly what parseFleetYaml returns; rejects when the child
 * fails (crash, out of memory, exit without an answer), with an error that says so.
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
    const limits = opts.resourceLimits ?? DEFAULT_LIMITS;
    let child: ChildProcess;
    try {
      child = fork(opts.entry, [TASK], {
        execArgv: heapFlags(limits),
        // The parser reads no environment; the child gets none (the service's may hold its token).
        env: {},
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
    } catch (e) {
      reject(new Error(`the fleet parse worker did not start: ${describeError(e)}`));
      return;
    }
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-STDERR_KEPT);
    });
    let settled = false;
    // The registry aborts a load that timed out; the child must not outlive it, or every later refresh of a file
    // that slow would add another (each allowed its own heap limit).
    const onAbort = () => {
      child.kill('SIGKILL');
      settle(() => reject(new Error('the fleet parse was aborted')));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    child.once('message', (result: FleetParseResult) => settle(() => resolve(result)));
    child.once('error', (e) =>
      settle(() => {
        child.kill('SIGKILL');
        reject(new Error(`the fleet parse worker failed: ${describeError(e)}`));
      }),
    );
    child.once('exit', (code, sig) =>
      settle(() => {
        const how = sig === null ? `with code ${code}` : `on ${sig}`;
        const said = lastLine(stderr);
        reject(
          new Error(
            `the fleet parse worker exited ${how} without an answer${said ? `: ${said}` : ''}`,
          ),
        );
      }),
    );
    // A child that never got the file waits for it forever: it is ended here, as on abort.
    const notSent = (e: unknown) =>
      settle(() => {
        child.kill('SIGKILL');
        reject(new Error(`the fleet parse worker could not be sent the file: ${describeError(e)}`));
      });
    try {
      child.send({ bytes, file } satisfies FleetParseTask, (e) => {
        if (e) notSent(e);
      });
    } catch (e) {
      notSent(e);
    }
  });
}

/** V8's flags for a worker's ResourceLimits (a young generation is three semi-spaces). */
function heapFlags(limits: ResourceLimits): string[] {
  const flags: string[] = [];
  if (limits.maxOldGenerationSizeMb !== undefined)
    flags.push(`--max-old-space-size=${limits.maxOldGenerationSizeMb}`);
  if (limits.maxYoungGenerationSizeMb !== undefined)
    flags.push(
      `--max-semi-space-size=${Math.max(1, Math.floor(limits.maxYoungGenerationSizeMb / 3))}`,
    );
  return flags;
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}
