/**
 * The split registrar's SnapshotFeed: the fleet read from the generator over HTTP (fleet-wire.ts), polled.
 *
 * Fail closed: a reply is published only when it is a complete fleet. A refused or failed call (non-2xx, no
 * answer, time-out), a 2xx that is empty or shapeless, or a reply in which a source part that did not list
 * successfully holds fewer clusters than in the last accepted reply is a fault: the last accepted fleet stays
 * current and nothing is published, so a fault can never look like "these clusters left". Pruning itself is
 * further gated per part by the plan (plan.ts): only a part whose last listing succeeded can prove a removal.
 */
import { createHash } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
import { describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { FleetSnapshot, SnapshotFeed, SourcePart } from '../../core/snapshot';
import { partOfCluster } from './desired';
import type { FleetView } from './fleet-wire';
import { decodeFleet, FLEET_PATH, ShapelessFleetError } from './fleet-wire';

export type FeedFaultKind = 'unreachable' | 'http-error' | 'shapeless' | 'shrunk';

/** One fleet read that must not be used. The message is secret-free (no token, no body beyond the error text). */
export class FeedFault extends Error {
  constructor(
    readonly kind: FeedFaultKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FeedFault';
  }
}

export interface FleetReader {
  /** Reads the fleet once; throws FeedFault. */
  read(): Promise<FleetView>;
}

const MAX_MESSAGE = 300;

/** GET <baseUrl>/api/v1/registrar/fleet with the bearer token, validated (fleet-wire.ts). */
export function httpFleetReader(opts: {
  /** The generator's base URL, as Argo CD's plugin `baseUrl` (may carry a path prefix). */
  readonly baseUrl: string;
  readonly token: () => string | undefined;
  readonly timeoutMs: number;
}): FleetReader {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}${FLEET_PATH}`;
  // The last fleet read whole and its tag: a 304 for that tag means the generator's fleet is still exactly it.
  let last: { etag: string; view: FleetView } | undefined;
  return {
    read: async () => {
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, {
          headers: {
            Authorization: `Bearer ${opts.token() ?? ''}`,
            Accept: 'application/json',
            ...(last === undefined ? {} : { 'If-None-Match': last.etag }),
          },
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        text = await res.text();
      } catch (e) {
        throw new FeedFault('unreachable', `generator not reachable: ${shortError(e)}`, {
          cause: e,
        });
      }
      if (res.status === 304) {
        if (last === undefined || res.headers.get('etag') !== last.etag) {
          throw new FeedFault(
            'shapeless',
            'generator answered HTTP 304 for a fleet this registrar does not hold',
          );
        }
        return last.view;
      }
      if (res.status < 200 || res.status > 299) {
        throw new FeedFault(
          'http-error',
          `generator answered HTTP ${res.status}${messageOf(text) ? `: ${messageOf(text)}` : ''}`,
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new FeedFault(
          'shapeless',
          `generator answered HTTP ${res.status} with ${text.trim() === '' ? 'an empty body' : 'a body that is not JSON'}`,
        );
      }
      let view: FleetView;
      try {
        view = decodeFleet(body);
      } catch (e) {
        if (e instanceof ShapelessFleetError) throw new FeedFault('shapeless', e.message);
        throw e;
      }
      const etag = res.headers.get('etag');
      last = etag === null ? undefined : { etag, view };
      return view;
    },
  };
}

export interface FeedState {
  /** Epoch ms of the last read that was accepted (changed or not). */
  readonly lastSuccessAt: number | undefined;
  /** Why the most recent read was refused; undefined after an accepted one. */
  readonly lastError: string | undefined;
  readonly clusters: number | undefined;
}

/**
 * Polls a FleetReader and publishes a snapshot when the fleet changed (clusters, or whether each part listed
 * successfully). Drift repair between changes is the reconciler's resync.
 */
export class GeneratorFeed implements SnapshotFeed {
  private snapshot: FleetSnapshot | undefined;
  private accepted: FleetView | undefined;
  private fingerprint: string | undefined;
  private version = 0;
  private readonly listeners = new Set<(s: FleetSnapshot) => void>();
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private feedState: FeedState = {
    lastSuccessAt: undefined,
    lastError: undefined,
    clusters: undefined,
  };
  private readonly metrics: ReturnType<typeof feedMetrics>;

  constructor(
    private readonly opts: {
      readonly reader: FleetReader;
      readonly pollSeconds: number;
      readonly log: Logger;
      readonly metrics: Registry;
      readonly now?: () => number;
    },
  ) {
    this.metrics = feedMetrics(opts.metrics);
  }

  current(): FleetSnapshot | undefined {
    return this.snapshot;
  }

  subscribe(listener: (s: FleetSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(): FeedState {
    return this.feedState;
  }

  /** Reads once (or joins the read in progress). Never rejects: a fault is logged, counted and kept in state(). */
  poll(): Promise<void> {
    this.inflight ??= this.readOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** First read, then one every pollSeconds until stop(). */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.opts.pollSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inflight;
  }

  private async readOnce(): Promise<void> {
    const now = this.opts.now ?? Date.now;
    let view: FleetView;
    try {
      view = await this.opts.reader.read();
      const shrunk = shrunkFailingParts(this.accepted, view);
      if (shrunk !== undefined) throw new FeedFault('shrunk', shrunk);
    } catch (e) {
      const kind = e instanceof FeedFault ? e.kind : 'unreachable';
      const message = e instanceof FeedFault ? e.message : shortError(e);
      this.metrics.read(kind);
      if (message !== this.feedState.lastError) {
        this.opts.log.error(
          'fleet read refused; keeping the last accepted fleet, pruning nothing',
          {
            fault: kind,
            error: message,
          },
        );
      }
      this.feedState = { ...this.feedState, lastError: message };
      return;
    }
    if (this.feedState.lastError !== undefined) this.opts.log.info('fleet read accepted again');
    this.accepted = view;
    this.feedState = { lastSuccessAt: now(), lastError: undefined, clusters: view.clusters.length };
    this.metrics.accepted(now(), view.clusters.length);
    const fingerprint = fingerprintOf(view);
    if (fingerprint === this.fingerprint) {
      this.metrics.read('unchanged');
      return;
    }
    this.metrics.read('changed');
    this.fingerprint = fingerprint;
    this.version += 1;
    const snapshot: FleetSnapshot = {
      clusters: view.clusters,
      parts: view.parts,
      addonDefaults: {},
      builtAt: view.builtAt,
      version: this.version,
    };
    this.snapshot = snapshot;
    for (const l of this.listeners) l(snapshot);
  }
}

function listedOk(p: SourcePart): boolean {
  return p.lastError === undefined && p.lastSuccessAt !== undefined;
}

/**
 * A part that did not list successfully cannot have lost clusters (the generator keeps a failing part's last good
 * clusters): if it did, the reply is wrong, whatever it says. Returns why, or undefined when the reply is sound.
 */
export function shrunkFailingParts(
  previous: FleetView | undefined,
  next: FleetView,
): string | undefined {
  if (previous === undefined) return undefined;
  const count = (view: FleetView, partId: string) =>
    view.clusters.filter((c) => partOfCluster(c, view.parts)?.id === partId).length;
  for (const part of next.parts) {
    if (listedOk(part)) continue;
    const before = count(previous, part.id);
    const after = count(next, part.id);
    if (after < before) {
      return `source part ${part.id} did not list successfully, yet holds ${after} clusters instead of ${before}`;
    }
  }
  return undefined;
}

/** What a reconcile depends on: the clusters, and which parts can prove a removal (not their timestamps). */
function fingerprintOf(view: FleetView): string {
  const parts = view.parts.map((p) => [p.id, p.scope?.accountId, p.scope?.region, listedOk(p)]);
  return createHash('sha256')
    .update(JSON.stringify([parts, view.clusters]))
    .digest('hex');
}

function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message.slice(0, MAX_MESSAGE);
  } catch {
    // not JSON: the status alone says enough
  }
  return '';
}

function shortError(e: unknown): string {
  const cause = e instanceof Error && e.cause !== undefined ? ` (${describeError(e.cause)})` : '';
  return `${describeError(e)}${cause}`.split('\n')[0]?.slice(0, MAX_MESSAGE) ?? '';
}

function feedMetrics(registry: Registry) {
  const registers = [registry];
  const reads = new Counter({
    name: 'argocd_eks_registrar_fleet_reads_total',
    help: 'Reads of the fleet from the generator, by result: changed, unchanged, or refused as unreachable, http-error, shapeless, shrunk (a failing part lost clusters).',
    labelNames: ['result'],
    registers,
  });
  const lastAccepted = new Gauge({
    name: 'argocd_eks_registrar_fleet_last_accepted_timestamp_seconds',
    help: 'When the registrar last accepted a fleet read from the generator (Unix seconds).',
    registers,
  });
  const clusters = new Gauge({
    name: 'argocd_eks_registrar_fleet_clusters',
    help: 'Clusters in the last accepted fleet read.',
    registers,
  });
  for (const result of [
    'changed',
    'unchanged',
    'unreachable',
    'http-error',
    'shapeless',
    'shrunk',
  ]) {
    reads.inc({ result }, 0);
  }
  return {
    read: (result: FeedFaultKind | 'changed' | 'unchanged') => reads.inc({ result }),
    accepted: (atMs: number, count: number) => {
      lastAccepted.set(atMs / 1000);
      clusters.set(count);
    },
  };
}
