import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FleetSnapshot, SourcePart } from '../core/snapshot';

/**
 * The service's Prometheus metrics, on a Registry of its own (never the global one) so tests can build many apps
 * and the registrar can register its metrics beside these. No label ever holds a token or a request parameter.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  observeRequest(route: string, status: number, seconds: number): void;
  cacheLookup(result: 'hit' | 'miss'): void;
  snapshotPublished(snapshot: FleetSnapshot): void;
  /** The latest known state of every source part; staleness is computed when scraped. */
  partsObserved(parts: readonly SourcePart[], isStale: (part: SourcePart) => boolean): void;
  refreshFailed(reason: 'load' | 'invalid'): void;
  /** How many clusters the last accepted refresh quarantined, and kept from their last good parameters. */
  clustersHeld(counts: {
    quarantined: number;
    retainedStatus: number;
    retainedAbsent: number;
  }): void;
  stateStoreFailed(op: 'read' | 'write'): void;
}

export function createServiceMetrics(
  opts: { now?: () => number; defaultMetrics?: boolean } = {},
): ServiceMetrics {
  const now = opts.now ?? Date.now;
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  let builtAt: number | undefined;
  let parts: readonly SourcePart[] = [];
  let isStale: (part: SourcePart) => boolean = () => false;

  const requests = new Counter({
    name: 'generator_http_requests_total',
    help: 'HTTP requests by route and status code.',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'generator_http_request_duration_seconds',
    help: 'HTTP request latency by route.',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const cache = new Counter({
    name: 'generator_params_cache_lookups_total',
    help: 'getparams reply cache lookups; a miss filters and serializes the snapshot.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const clusters = new Gauge({
    name: 'generator_snapshot_clusters',
    help: 'Clusters in the served snapshot.',
    registers: [registry],
  });
  const version = new Gauge({
    name: 'generator_snapshot_version',
    help: 'Version of the served snapshot (increases with every published change).',
    registers: [registry],
  });
  new Gauge({
    name: 'generator_snapshot_age_seconds',
    help: 'Seconds since the served snapshot was built (-1 before the first snapshot).',
    registers: [registry],
    collect() {
      this.set(builtAt === undefined ? -1 : (now() - builtAt) / 1000);
    },
  });
  new Gauge({
    name: 'generator_source_part_last_success_timestamp_seconds',
    help: 'Unix time of the last successful read of each source part (0 if never).',
    labelNames: ['part'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of parts) {
        this.set({ part: p.id }, p.lastSuccessAt === undefined ? 0 : p.lastSuccessAt / 1000);
      }
    },
  });
  new Gauge({
    name: 'generator_source_part_stale',
    help: '1 when a source part has never loaded or failed for longer than allowed (requests get 503).',
    labelNames: ['part'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of parts) this.set({ part: p.id }, isStale(p) ? 1 : 0);
    },
  });
  const failures = new Counter({
    name: 'generator_registry_refresh_failures_total',
    help: 'Registry refreshes that kept the previous snapshot: the source failed (load) or its clusters were refused (invalid).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  failures.inc({ reason: 'load' }, 0);
  failures.inc({ reason: 'invalid' }, 0);
  const quarantined = new Gauge({
    name: 'generator_registry_quarantined_clusters',
    help: 'Clusters quarantined on their own (a reserved tag it cannot use, a name another cluster holds): left out if never served, else answered with their last good parameters.',
    registers: [registry],
  });
  const retained = new Gauge({
    name: 'generator_registry_retained_clusters',
    help: 'Served clusters answered with their last good parameters: listed in a status not served (status), or missing from fewer than FLEET_ABSENCE_REFRESHES successful listings of its part (absent).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  retained.set({ reason: 'status' }, 0);
  retained.set({ reason: 'absent' }, 0);
  const stateFailures = new Counter({
    name: 'generator_state_store_failures_total',
    help: 'Failed reads and writes of the fleet state store (GENERATOR_STATE_CONFIGMAP).',
    labelNames: ['op'] as const,
    registers: [registry],
  });
  stateFailures.inc({ op: 'read' }, 0);
  stateFailures.inc({ op: 'write' }, 0);

  return {
    registry,
    observeRequest(route, status, seconds) {
      requests.inc({ route, status: String(status) });
      latency.observe({ route }, seconds);
    },
    cacheLookup(result) {
      cache.inc({ result });
    },
    snapshotPublished(s) {
      builtAt = s.builtAt;
      clusters.set(s.clusters.length);
      version.set(s.version);
    },
    partsObserved(latest, stale) {
      parts = latest;
      isStale = stale;
    },
    refreshFailed(reason) {
      failures.inc({ reason });
    },
    clustersHeld(counts) {
      quarantined.set(counts.quarantined);
      retained.set({ reason: 'status' }, counts.retainedStatus);
      retained.set({ reason: 'absent' }, counts.retainedAbsent);
    },
    stateStoreFailed(op) {
      stateFailures.inc({ op });
    },
  };
}
