import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '../core/logger';
import { acceptsGzip } from './accept-encoding';
import { parseClusterQuery } from './cluster-query';
import { generateParamsBody } from './generate-params';
import { canonicalJson, parseGetParamsRequest } from './get-params-request';
import { bearerAuth, type TokenProvider } from './http/auth';
import { errorMiddleware, methodNotAllowed, notFound } from './http/errors';
import { healthRoutes } from './http/health';
import type { ServiceMetrics } from './metrics';
import type { FleetRegistry } from './registry';
import { createResponseCache, type CachedReply, type ResponseCache } from './response-cache';

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

function accessLog(log: Logger, metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeOf(req.path);
      metrics.observeRequest(route, res.statusCode, seconds);
      const fields: Record<string, unknown> = {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Math.round(seconds * 1e4) / 10,
      };
      const appSet: unknown = res.locals['applicationSetName'];
      if (typeof appSet === 'string' && appSet !== '') fields['applicationSet'] = appSet;
      log.info('request', fields);
    });
    next();
  };
}

/**
 * Writes a cached reply as it is, gzip-encoded when the client accepts it (Argo CD always does), without
 * express's `send`, which would copy the body and compute an ETag per request.
 */
function sendReply(req: Request, res: Response, reply: CachedReply): void {
  if (!acceptsGzip(req.headers['accept-encoding'])) {
    writeBody(res, reply.identity, undefined);
    return;
  }
  const ready = reply.gzip;
  if (ready !== undefined) {
    writeBody(res, ready, 'gzip');
    return;
  }
  // The first gzip request of an entry (and any arriving meanwhile) waits for the one compression; should zlib
  // ever fail, the identity body is just as correct an answer.
  reply.gzipped().then(
    (gz) => writeBody(res, gz, 'gzip'),
    () => writeBody(res, reply.identity, undefined),
  );
}

function writeBody(res: Response, body: Buffer, encoding: 'gzip' | undefined): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Vary', 'Accept-Encoding');
  if (encoding !== undefined) res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

/** The HTTP app (no listen): getparams for Argo CD, plus health, readiness and metrics. */
export function createApp(deps: AppDeps): Express {
  const { registry, log, metrics } = deps;
  const cache = deps.responseCache ?? createResponseCache();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(accessLog(log, metrics));
  app.use(healthRoutes(registry, metrics.registry));

  const readBody = express.raw({
    type: () => true,
    limit: deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
  });
  const getParams: RequestHandler = (req, res) => {
    const request = parseGetParamsRequest(req.body as Buffer | undefined);
    res.locals['applicationSetName'] = request.applicationSetName;
    const snapshot = registry.servingSnapshot();
    const { reply, hit } = cache.lookup(snapshot.version, canonicalJson(request.parameters), () =>
      generateParamsBody(snapshot, parseClusterQuery(request.parameters)),
    );
    metrics.cacheLookup(hit ? 'hit' : 'miss');
    sendReply(req, res, reply);
  };
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
          getParams(req, res, next);
        } catch (e) {
          next(e);
        }
      });
    });
  });
  app.use(notFound);
  app.use(errorMiddleware(log));
  return app;
}
