import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type RequestHandler } from 'express';
import type { Logger } from '../core/logger';
import { acceptsGzip } from './http/accept-encoding';
import { parseClusterQuery } from '../core/fleet-query';
import { generateParamsBody } from './generate-params';
import { canonicalJson, parseGetParamsRequest } from './get-params-request';
import { bearerAuth, checkBearer, type TokenProvider } from './http/auth';
import { errorMiddleware, methodNotAllowed, notFound } from './http/errors';
import { healthRoutes } from './http/health';
import type { ServiceMetrics } from './metrics';
import { registrarFleetRoute } from './registrar/fleet-endpoint';
import type { FleetRegistry } from './snapshot/fleet-snapshots';
import { createResponseCache, type CachedReply, type ResponseCache } from './http/response-cache';

export const GET_PARAMS_PATH = '/api/v1/getparams.execute';
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppDeps {
  readonly registry: Pick<FleetRegistry, 'servingSnapshot' | 'readiness' | 'current'>;
  readonly tokens: TokenProvider;
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  readonly bodyLimitBytes?: number;
  readonly responseCache?: ResponseCache;
}

/** Route label for metrics: a fixed set, so arbitrary paths cannot blow up label cardinality. */
function routeOf(path: string): string {
  if (isGetParamsPath(path)) return 'getparams';
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return path.slice(1);
  return 'other';
}

/** Argo CD appends the route to `baseUrl`, which may carry a path prefix (argocd-contract.md §A3). */
function isGetParamsPath(path: string): boolean {
  return path.endsWith(GET_PARAMS_PATH);
}

interface RequestRecord {
  readonly start: bigint;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly applicationSet: unknown;
}

function recordRequest(log: Logger, metrics: ServiceMetrics, r: RequestRecord): void {
  const seconds = Number(process.hrtime.bigint() - r.start) / 1e9;
  metrics.observeRequest(routeOf(r.path), r.status, seconds);
  const fields: Record<string, unknown> = {
    method: r.method,
    path: r.path,
    status: r.status,
    ms: Math.round(seconds * 1e4) / 10,
  };
  if (typeof r.applicationSet === 'string' && r.applicationSet !== '') {
    fields['applicationSet'] = r.applicationSet;
  }
  log.info('request', fields);
}

/** A getparams request the fast path began and hands to express for its error reply. */
interface HandedOver {
  readonly start: bigint;
  readonly error: unknown;
  readonly applicationSetName: string | undefined;
}

function accessLog(
  log: Logger,
  metrics: ServiceMetrics,
  handedOver: WeakMap<IncomingMessage, HandedOver>,
): RequestHandler {
  return (req, res, next) => {
    const start = handedOver.get(req)?.start ?? process.hrtime.bigint();
    res.on('finish', () => {
      recordRequest(log, metrics, {
        start,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        applicationSet: res.locals['applicationSetName'],
      });
    });
    next();
  };
}

/**
 * Writes a cached reply as it is, gzip-encoded when the client accepts it (Argo CD always does), without
 * express's `send`, which would copy the body and compute an ETag per request.
 */
function sendReply(req: IncomingMessage, res: ServerResponse, reply: CachedReply): void {
  if (!acceptsGzip(req.headers['accept-encoding'])) {
    if (reply.identity !== undefined) writeBody(res, reply.identity, undefined);
    else
      reply
        .plain()
        .then(
          (body) => writeBody(res, body, undefined),
          // Inflating our own gzip does not fail; if it ever did, no answer beats a wrong one.
          () => res.destroy(),
        )
        .catch(() => res.destroy());
    return;
  }
  const ready = reply.gzip;
  if (ready !== undefined) {
    writeBody(res, ready, 'gzip');
    return;
  }
  // The first gzip request of an entry (and any arriving meanwhile) waits for the one compression; should zlib
  // ever fail, the identity body is just as correct an answer.
  reply
    .gzipped()
    .then(
      (gz) => writeBody(res, gz, 'gzip'),
      // A failed compression drops nothing: the JSON body is still held.
      () => writeBody(res, reply.identity as Buffer, undefined),
    )
    // Nothing may escape as an unhandled rejection (it would end the process): drop this one connection.
    .catch(() => res.destroy());
}

function writeBody(res: ServerResponse, body: Buffer, encoding: 'gzip' | undefined): void {
  // The connection went away (or was answered otherwise) while the gzip was being made.
  if (res.headersSent || res.destroyed) return;
  // One writeHead with every header is measurably cheaper per request than a setHeader per header.
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json; charset=utf-8',
    Vary: 'Accept-Encoding',
    'Content-Length': body.length,
  };
  if (encoding !== undefined) headers['Content-Encoding'] = encoding;
  res.writeHead(200, headers);
  res.end(body);
}

/** The path of a request target, as express's `req.path` reads it (no query; `undefined` unless origin-form). */
function pathOf(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith('/')) return undefined;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * The HTTP app as a plain request listener (`http.createServer(createApp(deps))`; no listen): getparams for Argo CD,
 * plus health, readiness and metrics.
 */
export function createApp(deps: AppDeps): RequestListener {
  const { registry, log, metrics } = deps;
  const cache = deps.responseCache ?? createResponseCache();
  const bodyLimit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const handedOver = new WeakMap<IncomingMessage, HandedOver>();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(accessLog(log, metrics, handedOver));
  app.use((req, res, next) => {
    const h = handedOver.get(req);
    if (h === undefined) {
      next();
      return;
    }
    if (h.applicationSetName !== undefined) res.locals['applicationSetName'] = h.applicationSetName;
    next(h.error);
  });
  app.use(healthRoutes(registry, metrics.registry, deps.tokens));

  /** The reply to a getparams body, or a throw (AppError) for the error middleware. */
  const answer = (
    raw: Buffer | undefined,
    req: IncomingMessage,
    res: ServerResponse,
    onName: (applicationSetName: string) => void,
  ): void => {
    const request = parseGetParamsRequest(raw);
    onName(request.applicationSetName);
    const snapshot = registry.servingSnapshot();
    const { reply, hit } = cache.lookup(snapshot.version, canonicalJson(request.parameters), () =>
      generateParamsBody(snapshot, parseClusterQuery(request.parameters)),
    );
    metrics.cacheLookup(hit ? 'hit' : 'miss');
    sendReply(req, res, reply);
  };

  const readBody = express.raw({ type: () => true, limit: bodyLimit });
  const auth = bearerAuth(deps.tokens);
  const refuseMethod = methodNotAllowed('POST');
  app.use((req, res, next) => {
    if (!isGetParamsPath(req.path)) {
      next();
      return;
    }
    if (req.method !== 'POST') {
      refuseMethod(req, res, next);
      return;
    }
    auth(req, res, (authErr?: unknown) => {
      if (authErr !== undefined) {
        next(authErr);
        return;
      }
      readBody(req, res, (bodyErr?: unknown) => {
        if (bodyErr !== undefined) {
          next(bodyErr);
          return;
        }
        try {
          answer(req.body as Buffer | undefined, req, res, (name) => {
            res.locals['applicationSetName'] = name;
          });
        } catch (e) {
          next(e);
        }
      });
    });
  });
  // The split registrar's read of the fleet (with CA data and part states): generator-service/registrar/README.md.
  app.use(registrarFleetRoute({ registry, tokens: deps.tokens }));
  app.use(notFound);
  app.use(errorMiddleware(log));

  /**
   * The fast path: a getparams request in the shape Argo CD sends (POST, bearer token accepted, a
   * Content-Length body within the limit, no Content-Encoding) is answered without express. Express costs
   * more CPU per request than writing a fleet's gzip reply (it swaps the prototypes of req and res, which also
   * slows node's own http code; figures in generator-service/README.md, "Measured"). Anything else (other routes, refusals, chunked or encoded bodies) goes through express
   * untouched; an error after the body was read is handed to express's error middleware, so every error
   * reply and its log line stay what they are.
   */
  const viaExpress = (req: IncomingMessage, res: ServerResponse): void => {
    app(req, res);
  };
  const fast = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = pathOf(req.url);
    if (req.method !== 'POST' || path === undefined || !isGetParamsPath(path)) return false;
    const h = req.headers;
    if (h['transfer-encoding'] !== undefined) return false;
    if (h['content-encoding'] !== undefined && h['content-encoding'] !== 'identity') return false;
    const length = Number(h['content-length']);
    if (h['content-length'] === undefined || !Number.isSafeInteger(length) || length > bodyLimit) {
      return false;
    }
    try {
      checkBearer(h.authorization, deps.tokens.current());
    } catch {
      return false;
    }
    const start = process.hrtime.bigint();
    let applicationSetName: string | undefined;
    let handed = false;
    res.on('finish', () => {
      if (handed) return; // express's access log records it
      recordRequest(log, metrics, {
        start,
        method: 'POST',
        path,
        status: res.statusCode,
        applicationSet: applicationSetName,
      });
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        answer(Buffer.concat(chunks), req, res, (name) => (applicationSetName = name));
      } catch (error) {
        handed = true;
        handedOver.set(req, { start, error, applicationSetName });
        viaExpress(req, res);
      }
    });
    // An aborted request has no one to answer; express's body reader would fail the same way, unheard.
    return true;
  };
  return (req, res) => {
    if (!fast(req, res)) viaExpress(req, res);
  };
}
