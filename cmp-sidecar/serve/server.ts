import * as fs from 'node:fs';
import * as http from 'node:http';
import type { ServeConfig } from './config';
import { createRenderPool, type PoolAnswer } from './pool';
import {
  ANSWER_HEADER,
  EXIT_HEADER,
  parseRenderRequest,
  RENDER_PATH,
  RENDER_YOURSELF,
} from './protocol';
import { prepareSocket, removeSocket } from './socket';

/**
 * The warm render server: HTTP over a private unix socket, each render run by a worker thread of a bounded pool
 * (./pool.ts). It stops accepting and exits (its supervisor starts a fresh one) after `maxRenders` renders, when its
 * resident memory reaches `maxRssMb`, or on SIGTERM, once the renders it accepted are answered.
 */

export interface RenderServer {
  /** Resolves once the server has stopped: drained, workers gone, socket removed. */
  readonly stopped: Promise<string>;
  /** Stops accepting, answers what was accepted, then stops. */
  stop(why: string): void;
}

export interface ServerOptions {
  readonly config: ServeConfig;
  /** The script a render worker runs (the CLI bundle that runs `serve`). */
  readonly workerScript: string;
  readonly log: (line: string) => void;
}

export async function startRenderServer(opts: ServerOptions): Promise<RenderServer> {
  const { config, log } = opts;
  await prepareSocket(config.socket);
  const pool = createRenderPool({
    script: opts.workerScript,
    size: config.concurrency,
    queue: config.queue,
    queueWaitMs: config.queueWaitMs,
    heapMb: config.renderHeapMb,
  });
  let renders = 0;
  let stopping: string | undefined;
  let resolveStopped!: (why: string) => void;
  const stopped = new Promise<string>((resolve) => (resolveStopped = resolve));

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  // Renders have their own bounds; these only protect the server from a client that stalls.
  server.requestTimeout = 60_000;
  server.headersTimeout = 10_000;

  const maybeFinish = () => {
    if (stopping !== undefined && pool.inFlight() === 0) {
      void pool.close().then(() => resolveStopped(stopping!));
    }
  };

  const stop = (why: string) => {
    if (stopping !== undefined) return;
    stopping = why;
    log(`stopping: ${why}`);
    server.close();
    server.closeIdleConnections();
    // New clients find no socket and render themselves until the next server listens.
    removeSocket(config.socket);
    maybeFinish();
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.url !== RENDER_PATH || req.method !== 'POST') {
      res.writeHead(404).end('not found\n');
      return;
    }
    const body = await readBody(req, config.maxRequestBytes);
    if (body === 'too large') {
      res.writeHead(413, { connection: 'close' }).end('request too large\n');
      return;
    }
    if (body === undefined) return;
    const job = parseRenderRequest(body);
    if (job === undefined) {
      res.writeHead(400).end('malformed render request\n');
      return;
    }
    if (stopping !== undefined) {
      renderYourself(res, 'the render server is stopping');
      return;
    }
    const submitted = pool.submit(job);
    res.on('close', () => {
      // The client went away before its answer (Argo CD killed its process group on the deadline).
      if (!res.writableFinished && submitted.cancel())
        log('render cancelled: the client went away');
    });
    const answer = await submitted.answer;
    reply(res, answer);
    if (answer.kind === 'done') {
      renders++;
      const rssMb = process.memoryUsage.rss() / 2 ** 20;
      if (renders >= config.maxRenders)
        stop(`${renders} renders done (EKS_OVERLAY_SERVE_MAX_RENDERS)`);
      else if (rssMb >= config.maxRssMb)
        stop(`resident memory ${Math.round(rssMb)} MB (EKS_OVERLAY_SERVE_MAX_RSS_MB)`);
    }
    maybeFinish();
  }

  function reply(res: http.ServerResponse, answer: PoolAnswer): void {
    if (answer.kind === 'cancelled' || res.destroyed) return;
    if (answer.kind === 'render-yourself') {
      if (answer.log !== undefined && answer.log !== '') log(answer.log);
      renderYourself(res, answer.reason);
      return;
    }
    const body = answer.code === 0 ? answer.stdout : answer.stderr;
    if (body.includes('\0')) {
      // The shell client holds the answer in a variable, which cannot carry a NUL byte: the CLI prints it whole.
      renderYourself(res, 'the answer holds a NUL byte');
      return;
    }
    // A successful render's warnings go where argocd-cmp-server logs a CLI's stderr: the sidecar's log.
    if (answer.code === 0 && answer.stderr !== '') log(answer.stderr.trimEnd());
    res.writeHead(answer.code === 0 ? 200 : 422, {
      'content-type': answer.code === 0 ? 'application/yaml' : 'text/plain; charset=utf-8',
      [EXIT_HEADER]: String(answer.code),
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The directory is private already; the socket itself is the container user's only.
  fs.chmodSync(config.socket, 0o600);
  log(
    `listening on ${config.socket} (${config.concurrency} render workers, queue ${config.queue})`,
  );
  return { stopped, stop };
}

function renderYourself(res: http.ServerResponse, reason: string): void {
  res.writeHead(503, { [ANSWER_HEADER]: RENDER_YOURSELF, 'content-type': 'text/plain' });
  res.end(`${reason}\n`);
}

/** The request body, 'too large' past `max` bytes, or undefined when the client went away. */
function readBody(
  req: http.IncomingMessage,
  max: number,
): Promise<Buffer | 'too large' | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > max ? 'too large' : Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
    req.on('aborted', () => resolve(undefined));
  });
}
