import { createHash } from 'node:crypto';
import { clusterFromRecord, type Cluster } from '../core/cluster';
import { describeError, NotReadyError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { FleetSnapshot, SnapshotFeed, SourcePart } from '../core/snapshot';
import type { ClusterSource, SourceLoad } from '../plugins/cluster-sources/source';
import type { ServiceMetrics } from './metrics';

export interface RegistryOptions {
  readonly source: ClusterSource;
  readonly log: Logger;
  readonly metrics?: ServiceMetrics;
  readonly now?: () => number;
  /** Used when the source does not say how often to refresh. */
  readonly defaultRefreshIntervalMs?: number;
  /** A load that takes longer is abandoned (the previous snapshot stays). */
  readonly loadTimeoutMs?: number;
}

export type Readiness =
  { readonly ready: true } | { readonly ready: false; readonly reason: string };

/**
 * The fleet registry: refreshes a ClusterSource in the background and publishes immutable snapshots.
 * Requests never touch the source; they read `servingSnapshot()`, which refuses (NotReadyError → 503) rather than
 * answer from nothing or from data older than the source allows, because a short answer makes Argo CD delete
 * Applications (argocd-contract.md §A7).
 */
export interface FleetRegistry extends SnapshotFeed {
  /** The snapshot to answer from; throws NotReadyError naming the parts at fault when it must not be used. */
  servingSnapshot(): FleetSnapshot;
  readiness(): Readiness;
  /** Runs one refresh, or queues one behind the refresh in progress. Never rejects. */
  refresh(): Promise<void>;
  /** Starts periodic refreshes and change watching; resolves after the first refresh. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const MAX_NAMED_PARTS = 3;

export function createFleetRegistry(opts: RegistryOptions): FleetRegistry {
  const { source, log, metrics } = opts;
  const now = opts.now ?? Date.now;
  const intervalMs = source.refreshIntervalMs ?? opts.defaultRefreshIntervalMs ?? 60_000;
  const loadTimeoutMs = opts.loadTimeoutMs ?? Math.max(30_000, intervalMs);
  const listeners = new Set<(s: FleetSnapshot) => void>();

  let snapshot: FleetSnapshot | undefined;
  // Change detection keeps digests, not JSON: at 10,000 clusters the strings alone were ~30 MB.
  let fingerprint = '';
  let clustersByDigest = new Map<string, Cluster>();
  // What the last accept() was given: a source that answers with the very same records array (the file source
  // when the file is unchanged) has nothing new, so the clusters are neither rebuilt nor rehashed.
  let lastAccepted:
    | { records: SourceLoad['records']; addonDefaults: SourceLoad['addonDefaults']; parts: string }
    | undefined;
  let latestParts: readonly SourcePart[] = [];
  let lastLoadError: string | undefined;
  let lastRefusal: string | undefined;
  let inFlight: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let abort: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let unwatch: (() => void) | undefined;
  let stopped = false;

  const isStale = (p: SourcePart): boolean =>
    p.lastSuccessAt === undefined ||
    (source.maxStaleMs !== undefined && now() - p.lastSuccessAt > source.maxStaleMs);

  function describePart(p: SourcePart): string {
    if (p.lastSuccessAt === undefined)
      return `${p.id} (never loaded: ${p.lastError ?? 'no successful read yet'})`;
    const age = Math.round((now() - p.lastSuccessAt) / 1000);
    // Without an error the part is only slow: its refresh is still running (retries, backoff).
    const why = p.lastError ?? 'no error; its refresh has not finished';
    return `${p.id} (last success ${age}s ago: ${why})`;
  }

  function listParts(parts: readonly SourcePart[]): string {
    const named = parts.slice(0, MAX_NAMED_PARTS).map(describePart).join(', ');
    const more = parts.length - MAX_NAMED_PARTS;
    return more > 0 ? `${named} and ${more} more` : named;
  }

  function readiness(): Readiness {
    if (snapshot === undefined) {
      if (lastRefusal !== undefined)
        return {
          ready: false,
          reason: `cluster registry refused the source's clusters: ${lastRefusal}`,
        };
      if (lastLoadError !== undefined)
        return { ready: false, reason: `cluster source could not be read: ${lastLoadError}` };
      const failing = latestParts.filter(isStale);
      if (failing.length > 0)
        return { ready: false, reason: `cluster source not loaded yet: ${listParts(failing)}` };
      return { ready: false, reason: 'cluster registry has not loaded yet' };
    }
    const stale = latestParts.filter(isStale);
    if (stale.length > 0) {
      const limit =
        source.maxStaleMs === undefined ? '' : ` (limit ${Math.round(source.maxStaleMs / 1000)}s)`;
      return {
        ready: false,
        reason: `cluster source parts too stale to serve${limit}: ${listParts(stale)}`,
      };
    }
    return { ready: true };
  }

  function withTimeout(p: Promise<SourceLoad>, ac: AbortController): Promise<SourceLoad> {
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      t = setTimeout(() => {
        // Reject first so the race reports the timeout, not the source's reaction to the abort.
        reject(new Error(`load timed out after ${formatMs(loadTimeoutMs)}`));
        ac.abort();
      }, loadTimeoutMs);
      t.unref();
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(t));
  }

  async function runOnce(): Promise<void> {
    if (stopped) return;
    const ac = new AbortController();
    abort = ac;
    let load: SourceLoad;
    try {
      load = await withTimeout(source.load({ signal: ac.signal, log }), ac);
    } catch (e) {
      if (stopped) return;
      lastLoadError = describeError(e);
      metrics?.refreshFailed('load');
      log.warn('cluster source load failed; keeping the last good snapshot', {
        source: source.kind,
        error: lastLoadError,
        snapshotVersion: snapshot?.version,
      });
      return;
    } finally {
      if (abort === ac) abort = undefined;
    }
    if (stopped) return;
    lastLoadError = undefined;
    latestParts = load.parts;
    metrics?.partsObserved(latestParts, isStale);
    accept(load);
  }

  function accept(load: SourceLoad): void {
    const partsKey = JSON.stringify(load.parts.map((p) => [p.id, p.lastError ?? null]));
    if (
      lastAccepted !== undefined &&
      lastAccepted.records === load.records &&
      lastAccepted.addonDefaults === load.addonDefaults &&
      lastAccepted.parts === partsKey
    ) {
      return;
    }
    const issues: string[] = [];
    const clusters: Cluster[] = [];
    for (const rec of load.records) {
      const r = clusterFromRecord(rec);
      if (r.cluster) clusters.push(r.cluster);
      else issues.push(...r.issues);
    }
    const byName = new Map<string, string[]>();
    for (const c of clusters) byName.set(c.name, [...(byName.get(c.name) ?? []), c.aws.arn]);
    for (const [name, arns] of byName) {
      if (arns.length > 1) issues.push(`duplicate cluster name "${name}": ${arns.join(', ')}`);
    }
    if (issues.length > 0) {
      // A refusal is logged and counted on every refresh: the same records are not marked as accepted.
      lastAccepted = undefined;
      lastRefusal =
        issues.slice(0, 5).join('; ') + (issues.length > 5 ? ` and ${issues.length - 5} more` : '');
      metrics?.refreshFailed('invalid');
      log.error('refusing the clusters the source returned; keeping the last good snapshot', {
        source: source.kind,
        issues,
        snapshotVersion: snapshot?.version,
      });
      return;
    }
    lastRefusal = undefined;
    clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const addonDefaults = load.addonDefaults ?? {};
    // Each cluster's JSON lives only while it is hashed; the fingerprint is a hash of the per-cluster digests
    // (fixed length, so their concatenation is unambiguous), the add-on defaults and the parts' errors.
    const whole = createHash('sha256');
    const digests = clusters.map((c) => {
      const d = createHash('sha256').update(JSON.stringify(c)).digest('base64');
      whole.update(d);
      return d;
    });
    whole.update(JSON.stringify(addonDefaults)).update(partsKey);
    const next = whole.digest('base64');
    // Only records that were validated and are (or already were) published may be skipped next time.
    lastAccepted = { records: load.records, addonDefaults: load.addonDefaults, parts: partsKey };
    if (snapshot !== undefined && next === fingerprint) return;
    fingerprint = next;
    // Unchanged clusters keep their object identity, so per-cluster work cached on them stays valid.
    const reused = clusters.map((c, i) => clustersByDigest.get(digests[i] ?? '') ?? c);
    clustersByDigest = new Map(reused.map((c, i) => [digests[i] ?? '', c]));
    const published: FleetSnapshot = deepFreeze({
      clusters: reused,
      parts: load.parts.map((p) => ({ ...p })),
      addonDefaults: structuredClone(addonDefaults),
      builtAt: now(),
      version: (snapshot?.version ?? 0) + 1,
    });
    snapshot = published;
    metrics?.snapshotPublished(published);
    log.info('published fleet snapshot', {
      version: published.version,
      clusters: published.clusters.length,
      parts: published.parts.length,
    });
    for (const l of [...listeners]) {
      try {
        l(published);
      } catch (e) {
        log.error('snapshot listener failed', { error: describeError(e) });
      }
    }
  }

  function refresh(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (inFlight === undefined) {
      inFlight = runOnce().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    }
    queued ??= inFlight.then(() => {
      queued = undefined;
      return refresh();
    });
    return queued;
  }

  return {
    current: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    servingSnapshot() {
      const r = readiness();
      if (!r.ready || snapshot === undefined) {
        throw new NotReadyError(r.ready ? 'cluster registry has not loaded yet' : r.reason);
      }
      return snapshot;
    },
    readiness,
    refresh,
    async start() {
      stopped = false;
      unwatch = source.watch?.(() => void refresh());
      timer = setInterval(() => void refresh(), intervalMs);
      timer.unref();
      await refresh();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      unwatch?.();
      unwatch = undefined;
      abort?.abort();
      await inFlight;
    },
  };
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)}s` : `${ms}ms`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
