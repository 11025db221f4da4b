/**
 * What the registrar knows after a reconcile, per cluster, for the status endpoint (and a future fleet view):
 * registered, blocked by a Secret that is not this installation's, or pending. Names, servers and reasons only:
 * never Secret data or CA data.
 */
import type { StepResult } from './apply';
import type { DesiredSecret } from './desired';
import type { ReconcileResult } from './metrics';
import type { Conflict, KeepReason, Plan } from './plan';

export interface ClusterEntry {
  readonly cluster: string;
  readonly secret: string;
  readonly server: string;
}

export interface ReconcileState {
  /** ISO time the reconcile finished. */
  readonly at: string;
  readonly result: ReconcileResult;
  /** Clusters whose Secret is in place and up to date. */
  readonly registered: readonly ClusterEntry[];
  /** Clusters not registered because a Secret that is not this installation's is in the way. */
  readonly foreign: readonly (ClusterEntry & {
    readonly kind: Conflict['kind'];
    readonly blockedBy: string;
    /** `hand-made` (or another tool), or `installation:<id>` of another registrar. */
    readonly owner: string;
  })[];
  /** Clusters not (yet) registered as they should be, and why. */
  readonly pending: readonly (ClusterEntry & { readonly reason: string })[];
  /** Secrets of this installation whose cluster left the fleet but that are kept, and why. */
  readonly kept: readonly { readonly secret: string; readonly reason: KeepReason }[];
}

const PENDING_REASON: Partial<Record<StepResult, string>> = {
  failed: 'write failed; retried by the next reconcile',
  'dry-run': 'dry run (REGISTRAR_DRY_RUN=true)',
  'not-attempted': 'not written: leadership lost mid-reconcile',
  conflict: 'Secret taken meanwhile by one that is not this installation',
};

export function reconcileState(input: {
  readonly at: Date;
  readonly result: ReconcileResult;
  readonly plan: Plan;
  readonly desired: readonly DesiredSecret[];
  readonly clusterOf: ReadonlyMap<string, string>;
  readonly unregistrable: readonly (ClusterEntry & { readonly reason: string })[];
  readonly results: ReadonlyMap<string, StepResult>;
}): ReconcileState {
  const entry = (d: { name: string; server: string }): ClusterEntry => ({
    cluster: input.clusterOf.get(d.name) ?? '',
    secret: d.name,
    server: d.server,
  });
  const registered: ClusterEntry[] = [];
  const pending: (ClusterEntry & { reason: string })[] = [...input.unregistrable];
  const unchanged = new Set(input.plan.unchanged);
  for (const d of input.desired) {
    const result = unchanged.has(d.name) ? 'unchanged' : input.results.get(d.name);
    if (result === 'created' || result === 'updated' || result === 'unchanged') {
      registered.push(entry(d));
    } else if (result !== undefined) {
      pending.push({ ...entry(d), reason: PENDING_REASON[result] ?? result });
    }
  }
  return {
    at: input.at.toISOString(),
    result: input.result,
    registered,
    foreign: input.plan.conflicts.map((c) => ({
      ...entry({ name: c.desired, server: c.server }),
      kind: c.kind,
      blockedBy: c.foreign,
      owner: c.owner.kind === 'foreign' ? 'hand-made' : `installation:${c.owner.id}`,
    })),
    pending,
    kept: input.plan.keep.map((k) => ({ secret: k.name, reason: k.reason })),
  };
}
