/**
 * The split registrar's only listener: `/healthz` (liveness), `/metrics` (Prometheus) and `GET /api/v1/status`
 * (bearer token) with what it registered, what is blocked by a Secret that is not its own, and what is pending.
 * It serves no fleet and no Secret data, so it has no API surface beyond these.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { describeError, isAppError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { checkBearer, type TokenProvider } from '../http/auth';
import { statusForCode } from '../http/errors';

export const STATUS_PATH = '/api/v1/status';

export function createStatusServer(deps: {
  readonly tokens: TokenProvider;
  readonly metrics: Registry;
  readonly status: () => unknown;
  readonly log: Logger;
}): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/healthz' && path !== '/metrics' && path !== STATUS_PATH) {
      json(res, 404, { message: `no route ${path ?? ''}`, code: 'ERR_INPUT' });
      return;
    }
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      json(res, 405, {
        message: `method ${req.method ?? ''} not allowed; use GET`,
        code: 'ERR_INPUT',
      });
      return;
    }
    if (path === '/healthz') {
      json(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/metrics') {
      const text = await deps.metrics.metrics();
      res.writeHead(200, { 'Content-Type': deps.metrics.contentType });
      res.end(text);
      return;
    }
    try {
      checkBearer(req.headers.authorization, deps.tokens.current());
    } catch (e) {
      if (!isAppError(e)) throw e;
      json(res, statusForCode(e.code), { message: e.message, code: e.code });
      return;
    }
    json(res, 200, deps.status());
  };
  return createServer((req, res) => {
    // Nothing here reads a body; drain it so keep-alive connections stay usable.
    req.resume();
    handle(req, res).catch((e: unknown) => {
      deps.log.error('status request failed', { error: describeError(e) });
      if (!res.headersSent) json(res, 500, { message: 'internal error', code: 'ERR_INTERNAL' });
      else res.destroy();
    });
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** Listens and resolves with the bound port; a port that cannot be bound is an error naming host and port. */
export async function listenStatusServer(
  server: Server,
  host: string,
  port: number,
): Promise<number> {
  server.listen(port, host);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (e) {
    throw new Error(`cannot listen on ${host}:${port}: ${describeError(e)}`, { cause: e });
  }
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

/** Stops accepting, drops idle keep-alive connections, and resolves once the server has closed. */
export function closeStatusServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}
