import { describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { SnapshotFeed } from '../../core/snapshot';
import { applyPlan } from './apply';
import type { RegistrarConfig } from './config';
import type { DesiredSecret } from './desired';
import {
  clusterSecretName,
  desiredSecret,
  ownerOf,
  partOfCluster,
  SECRET_TYPE_LABEL,
  unregistrableReason,
} from './desired';
import type { ReconcileResult, RegistrarMetrics } from './metrics';
import { planReconcile } from './plan';
import type { ClusterEntry, ReconcileState } from './status';
import { reconcileState } from './status';
import type { SecretStore } from './stores';
import { statusOf } from './stores';

export interface ReconcilerDeps {
  readonly feed: SnapshotFeed;
  readonly store: SecretStore;
  readonly config: Pick<RegistrarConfig, 'roleArnTemplate' | 'prune' | 'dryRun' | 'installationId'>;
  readonly isLeader: () => boolean;
  readonly log: Logger;
  readonly metrics: RegistrarMetrics;
  /** True while the fleet's source refuses reads (split registrar): nothing is deleted meanwhile. */
  readonly fleetReadFailing?: () => boolean;
}

export type ReconcileOutcome = ReconcileResult | 'not-leader' | 'no-snapshot';

/**
 * Brings the cluster Secrets in line with the latest snapshot. Reconciles never overlap: a trigger during a run
 * schedules exactly one more run after it (several triggers coalesce), which then reads the newest snapshot.
 */
export class Reconciler {
  private running: Promise<void> | undefined;
  private pending: string | undefined;
  private last: ReconcileOutcome | undefined;
  private state: ReconcileState | undefined;
  /** Standing conditions reported by the previous reconcile that applied a plan. */
  private reported = new Set<string>();

  constructor(private readonly deps: ReconcilerDeps) {}

  /** Outcome of the most recent reconcile, for tests and logs. */
  lastOutcome(): ReconcileOutcome | undefined {
    return this.last;
  }

  /** Per-cluster state after the last reconcile that could list the Secrets (the status endpoint). */
  lastState(): ReconcileState | undefined {
    return this.state;
  }

  /** Starts a reconcile, or queues one after the current; resolves when the queued work is done. Never rejects. */
  trigger(reason: string): Promise<void> {
    if (this.running) {
      this.pending = reason;
      return this.running;
    }
    const run = async () => {
      let next: string | undefined = reason;
      while (next !== undefined) {
        this.pending = undefined;
        this.last = await this.safeReconcile(next);
        next = this.pending;
      }
      // Cleared in the same tick as the last look at `pending`, so no trigger can slip in between and be lost.
      this.running = undefined;
    };
    // safeReconcile never rejects and always awaits, so `running` is set before the loop can clear it.
    this.running = run();
    return this.running;
  }

  /** Waits for the current and queued reconciles. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async safeReconcile(reason: string): Promise<ReconcileOutcome> {
    try {
      return await this.reconcile(reason);
    } catch (e) {
      // Only a bug gets here: every API fault is handled where it happens.
      this.deps.log.error('registrar reconcile failed unexpectedly', { error: describeError(e) });
      this.deps.metrics.reconciled('failed', undefined, new Date());
      return 'failed';
    }
  }

  private async reconcile(reason: string): Promise<ReconcileOutcome> {
    const { feed, store, config, log, metrics } = this.deps;
    const snapshot = feed.current();
    if (snapshot === undefined) return 'no-snapshot';
    if (!this.deps.isLeader()) return 'not-leader';

    let actual;
    try {
      actual = await store.list(`${SECRET_TYPE_LABEL}=cluster`);
    } catch (e) {
      metrics.error('list');
      metrics.reconciled('failed', undefined, new Date());
      log.error(
        'registrar could not list cluster Secrets; nothing changed, retrying next reconcile',
        {
          status: statusOf(e),
          error: describeError(e),
        },
      );
      return 'failed';
    }

    const desired: DesiredSecret[] = [];
    const inSnapshot = new Set<string>();
    const clusterOf = new Map<string, string>();
    const unregistrable: (ClusterEntry & { reason: string })[] = [];
    for (const cluster of snapshot.clusters) {
      const name = clusterSecretName(cluster);
      if (inSnapshot.has(name)) {
        log.warn('two clusters map to one Secret name; registering the first', {
          secret: name,
          cluster: cluster.name,
        });
        continue;
      }
      inSnapshot.add(name);
      clusterOf.set(name, cluster.name);
      const why = unregistrableReason(cluster);
      if (why !== undefined) {
        unregistrable.push({
          cluster: cluster.name,
          secret: name,
          server: cluster.server,
          reason: why,
        });
        log.info('cluster not registered yet', { cluster: cluster.name, reason: why });
        metrics.secret('skipped');
        continue;
      }
      desired.push(desiredSecret(cluster, partOfCluster(cluster, snapshot.parts), config));
    }

    const plan = planReconcile({
      desired,
      inSnapshot,
      actual,
      parts: snapshot.parts,
      prune: config.prune,
      installationId: config.installationId,
      fleetReadFailing: this.deps.fleetReadFailing?.() ?? false,
    });
    const changes = plan.create.length + plan.update.length + plan.delete.length;
    log[changes > 0 ? 'info' : 'debug']('registrar plan', {
      reason,
      snapshotVersion: snapshot.version,
      dryRun: config.dryRun,
      create: plan.create.length,
      update: plan.update.length,
      delete: plan.delete.length,
      unchanged: plan.unchanged.length,
      keep: plan.keep.length,
      conflicts: plan.conflicts.length,
    });

    const seen = new Set<string>();
    const previously = this.reported;
    const outcome = await applyPlan(plan, {
      ...this.deps,
      dryRun: config.dryRun,
      installationId: config.installationId,
      firstSeen: (key) => {
        seen.add(key);
        return !previously.has(key);
      },
    });
    this.reported = seen;
    const owned = actual.filter((s) => ownerOf(s.labels, config.installationId) === 'this').length;
    const result: ReconcileResult =
      outcome.failed > 0 || outcome.lostLeadership ? 'partial' : 'success';
    const at = new Date();
    metrics.reconciled(result, owned + outcome.created - outcome.deleted, at, {
      conflicts: plan.conflicts.length,
    });
    this.state = reconcileState({
      at,
      result,
      plan,
      desired,
      clusterOf,
      unregistrable,
      results: outcome.results,
    });
    return result;
  }
}
