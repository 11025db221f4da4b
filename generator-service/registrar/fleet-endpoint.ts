/**
 * Generator side of the split registrar: `GET /api/v1/registrar/fleet` with the generator's bearer token answers
 * the serving snapshot (fleet-wire.ts). It refuses exactly when getparams refuses (the same servingSnapshot()), so
 * the registrar and Argo CD always see one fleet and AWS is called once. Loads nothing of the Kubernetes client.
 */
import type { RequestHandler } from 'express';
import type { FleetSnapshot } from '../../core/snapshot';
import { checkBearer, type TokenProvider } from '../http/auth';
import { methodNotAllowed } from '../http/errors';
import type { FleetRegistry } from '../snapshot/fleet-snapshots';
import { encodeFleet, FLEET_PATH } from './fleet-wire';

export function registrarFleetRoute(deps: {
  readonly registry: Pick<FleetRegistry, 'servingSnapshot'>;
  readonly tokens: TokenProvider;
}): RequestHandler {
  const refuseMethod = methodNotAllowed('GET');
  // One body per snapshot: replicas of the registrar poll, and a large fleet's JSON is tens of megabytes.
  let cached: { snapshot: FleetSnapshot; body: Buffer } | undefined;
  return (req, res, next) => {
    // A path prefix is accepted, as for getparams (a proxy in front may add one).
    if (!req.path.endsWith(FLEET_PATH)) {
      next();
      return;
    }
    if (req.method !== 'GET') {
      refuseMethod(req, res, next);
      return;
    }
    try {
      checkBearer(req.headers.authorization, deps.tokens.current());
      const snapshot = deps.registry.servingSnapshot();
      if (cached?.snapshot !== snapshot) cached = { snapshot, body: encodeFleet(snapshot) };
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': cached.body.length,
        'Cache-Control': 'no-store',
      });
      res.end(cached.body);
    } catch (e) {
      next(e);
    }
  };
}
