/**
 * Generator side of the split registrar: `GET /api/v1/registrar/fleet` with the generator's bearer token answers
 * the serving snapshot (fleet-wire.ts). It refuses exactly when getparams refuses (the same servingSnapshot()), so
 * the registrar and Argo CD always see one fleet and AWS is called once. Loads nothing of the Kubernetes client.
 */
import { createHash } from 'node:crypto';
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
  // One body per snapshot: replicas of the registrar poll, and a large fleet's JSON is tens of megabytes. Its tag is
  // a digest of the body, so a tag can never vouch for different bytes, whichever generator replica answers.
  let cached: { snapshot: FleetSnapshot; body: Buffer; etag: string } | undefined;
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
      if (cached?.snapshot !== snapshot) {
        const body = encodeFleet(snapshot);
        const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
        cached = { snapshot, body, etag };
      }
      // Unchanged since the registrar's last read: 304 instead of the whole fleet again (refused like getparams
      // above when the snapshot must not be served, so a 304 never vouches for a stale fleet).
      if (req.headers['if-none-match'] === cached.etag) {
        res.writeHead(304, { ETag: cached.etag, 'Cache-Control': 'no-cache' });
        res.end();
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': cached.body.length,
        'Cache-Control': 'no-cache',
        ETag: cached.etag,
      });
      res.end(cached.body);
    } catch (e) {
      next(e);
    }
  };
}
