import type { Router } from 'express';
import express from 'express';
import type { Registry } from 'prom-client';
import type { FleetRegistry } from '../registry';

/** Liveness, readiness and metrics endpoints. None needs the token: they reveal no cluster data. */
export function healthRoutes(
  registry: Pick<FleetRegistry, 'readiness' | 'current'>,
  metrics: Registry,
): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const r = registry.readiness();
    if (r.ready) {
      const s = registry.current();
      res.json({ status: 'ready', snapshotVersion: s?.version, clusters: s?.clusters.length });
    } else {
      res.status(503).json({ message: r.reason, code: 'ERR_NOT_READY' });
    }
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  return router;
}
