import type { IncomingMessage } from 'node:http';
import type { Router } from 'express';
import express from 'express';
import type { Registry } from 'prom-client';
import type { SourcePart } from '../../core/snapshot';
import type { FleetRegistry } from '../snapshot/fleet-snapshots';
import { checkBearer, type TokenProvider } from './auth';

/**
 * Liveness, readiness and metrics endpoints. None needs the token, so probes work without one. `/readyz` answers
 * a bare status to anyone; the detail (snapshot, source parts with their accounts, regions and errors) only to a
 * request carrying the generator's bearer token, since the endpoint is reachable by whatever can reach the pod.
 */
export function healthRoutes(
  registry: Pick<FleetRegistry, 'readiness' | 'current'>,
  metrics: Registry,
  tokens: TokenProvider,
): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (req, res) => {
    const r = registry.readiness();
    if (!authorized(req, tokens)) {
      if (r.ready) res.json({ status: 'ready' });
      else res.status(503).json({ message: 'not ready', code: 'ERR_NOT_READY' });
      return;
    }
    const s = registry.current();
    const parts = s?.parts.map(partDetail);
    if (r.ready) {
      res.json({
        status: 'ready',
        snapshotVersion: s?.version,
        clusters: s?.clusters.length,
        parts,
      });
    } else {
      res.status(503).json({ message: r.reason, code: 'ERR_NOT_READY', parts });
    }
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  return router;
}

/** A missing or wrong token is not refused here (a probe has none): it only gets the bare status. */
function authorized(req: IncomingMessage, tokens: TokenProvider): boolean {
  if (req.headers.authorization === undefined) return false;
  try {
    checkBearer(req.headers.authorization, tokens.current());
    return true;
  } catch {
    return false;
  }
}

function partDetail(p: SourcePart): Record<string, unknown> {
  return {
    id: p.id,
    lastSuccessAt: p.lastSuccessAt === undefined ? null : new Date(p.lastSuccessAt).toISOString(),
    lastError: p.lastError ?? null,
  };
}
