/**
 * The upgrade controller's loop: while it holds the Lease, every round lists the ClusterUpgrades and advances each
 * until it has to wait (reconcile.ts). Rounds never overlap; a trigger during a round queues one more.
 */
import type { Registry } from 'prom-client';
import { describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { LeaderElector } from '../registrar/leader';
import type { LeaseStore } from '../registrar/stores';
import { statusOf } from '../registrar/stores';
import { upgradeMetrics } from './metrics';
import type { UpgradeObject } from './ports';
import type { ReconcileDeps } from './reconcile';
import { advance } from './reconcile';

/** A safety bound on steps per upgrade per round (a full upgrade takes a few dozen). */
const MAX_ADVANCES_PER_ROUND = 200;

export interface UpgradeControllerOptions {
  readonly deps: Omit<ReconcileDeps, 'isLeader' | 'metrics' | 'log' | 'now'>;
  readonly leases: LeaseStore;
  readonly lease: {
    readonly name: string;
    readonly durationSeconds: number;
    readonly identity: string;
  };
  readonly resyncSeconds: number;
  readonly log: Logger;
  readonly metrics: Registry;
  readonly now?: () => number;
  /** false: no timers, tests drive election rounds and reconciles themselves. */
  readonly loops?: boolean;
}

export interface UpgradeSummary {
  readonly name: string;
  readonly phase: string;
  readonly message: string;
  readonly weights: unknown;
}

export interface UpgradeController {
  readonly elector: LeaderElector;
  isLeader(): boolean;
  /** One round over every ClusterUpgrade (nothing when not leading). */
  reconcileAll(): Promise<void>;
  /** The upgrades seen at the last round (names, phases, weights and messages only). */
  summary(): readonly UpgradeSummary[];
  stop(): Promise<void>;
}

export async function startUpgradeController(
  opts: UpgradeControllerOptions,
): Promise<UpgradeController> {
  const now = opts.now ?? Date.now;
  const log = opts.log;
  const metrics = upgradeMetrics(opts.metrics);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let summary: UpgradeSummary[] = [];

  const elector = new LeaderElector({
    store: opts.leases,
    leaseName: opts.lease.name,
    identity: opts.lease.identity,
    durationSeconds: opts.lease.durationSeconds,
    log,
    now,
    component: 'upgrade controller',
    onChange: (leading) => {
      metrics.leader(leading);
      if (leading) void reconcileAll();
    },
  });
  const deps: ReconcileDeps = {
    ...opts.deps,
    isLeader: () => elector.isLeader(),
    metrics,
    log,
    now,
  };

  const one = async (obj: UpgradeObject): Promise<UpgradeObject> => {
    let current = obj;
    for (let i = 0; i < MAX_ADVANCES_PER_ROUND && !stopped; i++) {
      if (!elector.isLeader()) break;
      const r = await advance(current, deps);
      if ('wait' in r) break;
      current = r.next;
    }
    return current;
  };

  const round = async (): Promise<void> => {
    if (!elector.isLeader()) return;
    let list: UpgradeObject[];
    try {
      list = await opts.deps.upgrades.list();
    } catch (e) {
      metrics.reconcileError();
      log.warn('cannot list ClusterUpgrades', { error: describeError(e) });
      return;
    }
    const seen: UpgradeSummary[] = [];
    for (const obj of list) {
      let last = obj;
      try {
        last = await one(obj);
      } catch (e) {
        const status = statusOf(e);
        if (status === 409 || status === 404) {
          // Someone wrote (or deleted) the object since it was read: nothing that followed was done; next round.
          log.info('ClusterUpgrade changed while reconciling; retried next round', {
            upgrade: obj.name,
            status,
          });
        } else {
          metrics.reconcileError();
          log.warn('ClusterUpgrade reconcile stopped; retried next round', {
            upgrade: obj.name,
            error: describeError(e),
          });
        }
      }
      seen.push({
        name: last.name,
        phase: last.status.phase ?? '',
        message: last.status.message ?? '',
        weights: last.status.weights ?? null,
      });
    }
    summary = seen;
    const counts: Record<string, number> = {};
    for (const s of seen) counts[s.phase] = (counts[s.phase] ?? 0) + 1;
    metrics.phases(counts);
  };

  const reconcileAll = (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await round();
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  if (opts.loops !== false) {
    await elector.start();
    const loop = () => {
      if (stopped) return;
      timer = setTimeout(() => {
        void reconcileAll().finally(loop);
      }, opts.resyncSeconds * 1000);
      timer.unref();
    };
    loop();
  }

  return {
    elector,
    isLeader: () => elector.isLeader(),
    reconcileAll,
    summary: () => summary,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      await elector.stop();
    },
  };
}
