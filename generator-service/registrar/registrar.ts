import type { Registry } from 'prom-client';
import type { Logger } from '../../core/logger';
import type { SnapshotFeed } from '../../core/snapshot';
import type { RegistrarConfig } from './config';
import { LeaderElector } from './leader';
import { registrarMetrics } from './metrics';
import type { ReconcileOutcome } from './reconciler';
import type { ReconcileState } from './status';
import { Reconciler } from './reconciler';
import type { LeaseStore, SecretStore } from './stores';

export interface RegistrarParts {
  readonly config: RegistrarConfig;
  readonly secrets: SecretStore;
  readonly leases: LeaseStore;
  readonly feed: SnapshotFeed;
  readonly log: Logger;
  readonly metrics: Registry;
  /** True while the fleet's source refuses reads (split registrar): nothing is deleted meanwhile. */
  readonly fleetReadFailing?: () => boolean;
  /** Clock for lease timing (tests drive failover with it); Date.now by default. */
  readonly now?: () => number;
}

export interface RegistrarHandle {
  stop(): Promise<void>;
  /** Queues a reconcile (after the current one, if any) and reports the outcome of the last run. */
  reconcile(reason?: string): Promise<ReconcileOutcome | undefined>;
  /** Waits until no reconcile runs or is queued; reports the outcome of the last run. */
  settle(): Promise<ReconcileOutcome | undefined>;
  /** Runs (or joins) one leader-election round; true when this replica leads afterwards. */
  electionRound(): Promise<boolean>;
  isLeader(): boolean;
  /** Per-cluster state after the last reconcile this replica ran (undefined before one, or when it never led). */
  state(): ReconcileState | undefined;
}

/**
 * Wires the registrar: leader election on a Lease, then a reconcile on every new snapshot, on becoming leader and
 * every `resyncSeconds` (drift repair). Only the leader lists and writes Secrets.
 */
export async function startRegistrar(parts: RegistrarParts): Promise<RegistrarHandle> {
  const { config, feed } = parts;
  const log = parts.log;
  const metrics = registrarMetrics(parts.metrics);

  const elector = new LeaderElector({
    store: parts.leases,
    leaseName: config.lease.name,
    identity: config.lease.identity,
    durationSeconds: config.lease.durationSeconds,
    log,
    ...(parts.now === undefined ? {} : { now: parts.now }),
    onChange: (leading) => {
      metrics.leader(leading);
      if (leading) void reconciler.trigger('became leader');
    },
  });
  const reconciler = new Reconciler({
    feed,
    store: parts.secrets,
    config,
    isLeader: () => elector.isLeader(),
    log,
    metrics,
    ...(parts.fleetReadFailing === undefined ? {} : { fleetReadFailing: parts.fleetReadFailing }),
  });

  log.info('registrar starting', {
    namespace: config.namespace,
    installation: config.installationId,
    lease: config.lease.name,
    identity: config.lease.identity,
    prune: config.prune,
    dryRun: config.dryRun,
    resyncSeconds: config.resyncSeconds,
  });
  const unsubscribe = feed.subscribe(() => void reconciler.trigger('new snapshot'));
  const resync = setInterval(() => void reconciler.trigger('resync'), config.resyncSeconds * 1000);
  resync.unref();
  // The first election round runs before this resolves, so the caller's next log lines show the role.
  await elector.start();

  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        unsubscribe();
        clearInterval(resync);
        await reconciler.idle();
        await elector.stop();
        log.info('registrar stopped');
      })();
      return stopping;
    },
    reconcile: async (reason = 'requested') => {
      await reconciler.trigger(reason);
      return reconciler.lastOutcome();
    },
    settle: async () => {
      await reconciler.idle();
      return reconciler.lastOutcome();
    },
    electionRound: () => elector.tryAcquireOrRenew(),
    isLeader: () => elector.isLeader(),
    state: () => reconciler.lastState(),
  };
}
