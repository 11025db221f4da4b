import { describeError, NotReadyError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { FleetSnapshot, SnapshotFeed, SourcePart } from '../../core/snapshot';
import type { ClusterSource, SourceLoad } from '../../plugins/cluster-sources/source';
import { clusterKey, type FleetMemory } from './memory';
import type { ServiceMetrics } from '../metrics';
import { acceptRecords } from './accept';
import { createHeldReporter } from './held-report';
import { loadWithTimeout } from './load';
import { createSnapshotBuilder } from './publish';
import { listSome, readinessOf, type Readiness } from './readiness';
import type { StateSync } from './state';

export type { Readiness } from './readiness';

export interface RegistryOptions {
  readonly source: ClusterSource;
  readonly log: Logger;
  readonly metrics?: ServiceMetrics;
  readonly now?: () => number;
  /** Used when the source does not say how often to refresh. */
  readonly defaultRefreshIntervalMs?: number;
  /** A load that takes longer is abandoned (the previous snapshot stays). */
  readonly loadTimeoutMs?: number;
  /**
   * A served cluster is dropped after missing from this many consecutive successful listings of its part (a
   * refresh in which its part failed does not count). Default 2.
   */
  readonly absenceRefreshes?: number;
  /** Where the memory of served clusters is kept across restarts and replicas; none: this process only. */
  readonly state?: StateSync;
}

export const DEFAULT_ABSENCE_REFRESHES = 2;

/** How much longer than a source's own refresh deadline the registry waits before abandoning the load. */
const OWN_DEADLINE_MARGIN_MS = 5_000;

/**
 * The fleet registry: refreshes a ClusterSource in the background and publishes immutable snapshots.
 * Requests never touch the source; they read `servingSnapshot()`, which refuses (NotReadyError → 503) rather than
 * answer from nothing or from data older than the source allows, because a short answer makes Argo CD delete
 * Applications (argocd-contract.md §A7). For the same reason a cluster it served is kept, with its last good
 * parameters, through statuses it does not serve, a missing refresh or a bad tag (accept.ts).
 */
export interface FleetRegistry extends SnapshotFeed {
  /** The snapshot to answer from; throws NotReadyError naming the parts at fault when it must not be used. */
  servingSnapshot(): FleetSnapshot;
  readiness(): Readiness;
  /**
   * The source parts as of the latest refresh, each with whether it is too stale to serve (a snapshot keeps the
   * parts of its own build, and is not rebuilt while nothing changes).
   */
  partStates(): readonly (SourcePart & { readonly stale: boolean })[];
  /** Runs one refresh, or queues one behind the refresh in progress. Never rejects. */
  refresh(): Promise<void>;
  /** Starts periodic refreshes and change watching; resolves after the first refresh. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createFleetRegistry(opts: RegistryOptions): FleetRegistry {
  const { source, log, metrics, state } = opts;
  const now = opts.now ?? Date.now;
  const intervalMs = source.refreshIntervalMs ?? opts.defaultRefreshIntervalMs ?? 60_000;
  // A source that bounds its own refreshes (EKS_REFRESH_TIMEOUT_SECONDS) reports the targets it did not finish as
  // failed and publishes the rest; an outer bound below that deadline would throw the whole load away instead.
  const loadTimeoutMs =
    opts.loadTimeoutMs ??
    Math.max(30_000, intervalMs, (source.refreshTimeoutMs ?? 0) + OWN_DEADLINE_MARGIN_MS);
  const absenceRefreshes = opts.absenceRefreshes ?? DEFAULT_ABSENCE_REFRESHES;
  const listeners = new Set<(s: FleetSnapshot) => void>();
  const snapshots = createSnapshotBuilder(now);
  const reportHeld = createHeldReporter(log, metrics);

  let memory: FleetMemory = new Map();
  // Without a store, clusters listed at start may have been served by an earlier process: see acceptRecords.
  let doubtful: Set<string> | undefined;
  let stateLoaded = state === undefined;
  let stateError: string | undefined;
  let stateDirty = false;
  let stateReread = false;
  // What the last accept() was given: a source that answers with the very same records array (the file source
  // when the file is unchanged) has nothing new, unless served clusters are missing from it (absence counts).
  let lastAccepted:
    | { records: SourceLoad['records']; addonDefaults: SourceLoad['addonDefaults']; parts: string }
    | undefined;
  let absencesPending = false;
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

  function readiness(): Readiness {
    return readinessOf({
      hasSnapshot: snapshots.current() !== undefined,
      parts: latestParts,
      isStale,
      maxStaleMs: source.maxStaleMs,
      now: now(),
      stateError,
      refusal: lastRefusal,
      loadError: lastLoadError,
    });
  }

  /** Reads the stored memory before the first answer (and again when a served cluster's parameters are missing). */
  async function readState(sync: StateSync): Promise<boolean> {
    try {
      const stored = await sync.load(memory);
      // What this process knows first-hand wins; the store fills in the rest.
      memory = new Map([...stored, ...[...memory].filter(([, e]) => e.lastGood !== undefined)]);
      stateLoaded = true;
      stateReread = false;
      stateError = undefined;
      return true;
    } catch (e) {
      stateError = `${sync.description}: ${describeError(e)}`;
      metrics?.stateStoreFailed('read');
      log.warn('cannot read the fleet state; not answering until it is read', {
        error: stateError,
      });
      return stateLoaded;
    }
  }

  async function writeState(sync: StateSync): Promise<void> {
    try {
      const merged = await sync.save(memory);
      if (merged !== undefined) memory = merged;
      stateDirty = false;
    } catch (e) {
      metrics?.stateStoreFailed('write');
      log.warn('cannot write the fleet state; retrying on the next refresh', {
        error: `${sync.description}: ${describeError(e)}`,
      });
    }
  }

  async function runOnce(): Promise<void> {
    if (stopped) return;
    if (state !== undefined && (!stateLoaded || stateReread) && !(await readState(state))) return;
    const ac = new AbortController();
    abort = ac;
    let load: SourceLoad;
    try {
      load = await loadWithTimeout(source, log, ac, loadTimeoutMs);
    } catch (e) {
      if (stopped) return;
      lastLoadError = describeError(e);
      metrics?.refreshFailed('load');
      log.warn('cluster source load failed; keeping the last good snapshot', {
        source: source.kind,
        error: lastLoadError,
        snapshotVersion: snapshots.current()?.version,
      });
      return;
    } finally {
      if (abort === ac) abort = undefined;
    }
    if (stopped) return;
    lastLoadError = undefined;
    latestParts = load.parts;
    metrics?.partsObserved(latestParts, isStale);
    // A part that failed this time (a fleet file turned invalid, a region down) kept its last good clusters: a
    // failed refresh on every re-read, not only when it first failed.
    if (latestParts.some((p) => p.lastError !== undefined)) metrics?.refreshFailed('load');
    accept(load);
    if (state !== undefined && stateDirty) await writeState(state);
  }

  function accept(load: SourceLoad): void {
    const partsKey = JSON.stringify(load.parts.map((p) => [p.id, p.lastError ?? null]));
    if (
      !absencesPending &&
      lastAccepted !== undefined &&
      lastAccepted.records === load.records &&
      lastAccepted.addonDefaults === load.addonDefaults &&
      lastAccepted.parts === partsKey
    ) {
      return;
    }
    doubtful ??= state === undefined ? new Set(load.records.map(clusterKey)) : new Set();
    const result = acceptRecords({
      records: load.records,
      parts: load.parts,
      memory,
      absenceRefreshes,
      doubtful,
    });
    reportHeld(result);
    if (result.unresolved.length > 0) {
      // Nothing new is published, so nothing new counts as served; absences still count.
      lastAccepted = undefined;
      memory = countAbsencesOnly(memory, result.memory);
      stateDirty = true;
      stateReread = state !== undefined;
      lastRefusal = `answering without ${result.unresolved.length === 1 ? 'this cluster' : 'these clusters'} would drop what may have been served: ${listSome(result.unresolved.map((u) => u.reason))}`;
      metrics?.refreshFailed('invalid');
      log.error('refusing to publish the fleet; keeping the last good snapshot', {
        source: source.kind,
        unresolved: result.unresolved.map((u) => u.reason),
        snapshotVersion: snapshots.current()?.version,
      });
      return;
    }
    lastRefusal = undefined;
    memory = result.memory;
    stateDirty = true;
    for (const key of doubtful) if (memory.has(key)) doubtful.delete(key);
    absencesPending = result.retained.some((r) => r.why === 'absent');
    lastAccepted = { records: load.records, addonDefaults: load.addonDefaults, parts: partsKey };
    const published = snapshots.build(result.clusters, load.parts, load.addonDefaults ?? {});
    if (published === undefined) return;
    metrics?.snapshotPublished(published);
    log.info('published fleet snapshot', {
      version: published.version,
      clusters: published.clusters.length,
      parts: published.parts.length,
      quarantined: result.quarantined.length,
      retained: result.retained.length,
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
    current: () => snapshots.current(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    servingSnapshot() {
      const r = readiness();
      const snapshot = snapshots.current();
      if (!r.ready || snapshot === undefined) {
        throw new NotReadyError(r.ready ? 'cluster registry has not loaded yet' : r.reason);
      }
      return snapshot;
    },
    readiness,
    partStates: () => latestParts.map((p) => ({ ...p, stale: isStale(p) })),
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

/** The previous memory with only the absence counts (and confirmed absences) of `next` applied. */
function countAbsencesOnly(previous: FleetMemory, next: FleetMemory): FleetMemory {
  const out = new Map(previous);
  for (const [key, entry] of previous) {
    const n = next.get(key);
    if (n === undefined) out.delete(key);
    else if (n.absent !== entry.absent) out.set(key, { ...entry, absent: n.absent });
  }
  return out;
}
