import { describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { DesiredSecret } from './desired';
import { ownerOf } from './desired';
import type { RegistrarMetrics } from './metrics';
import type { ActualSecret, Plan } from './plan';
import { sameContent } from './plan';
import type { SecretStore } from './stores';
import { statusOf } from './stores';

export interface ApplyDeps {
  readonly store: SecretStore;
  /** Checked before every write: a replica that lost the lease mid-reconcile stops writing at once. */
  readonly isLeader: () => boolean;
  readonly log: Logger;
  readonly metrics: RegistrarMetrics;
  readonly dryRun: boolean;
  /** This registrar's installation: a Secret re-read after a 409 is written only if it still belongs to it. */
  readonly installationId: string;
  /** True the first time a standing condition (conflict, kept Secret) is reported; all true when absent. */
  readonly firstSeen?: (key: string) => boolean;
}

/** What became of one planned write. */
export type StepResult =
  | 'created'
  | 'updated'
  | 'deleted'
  | 'unchanged'
  | 'conflict'
  | 'failed'
  | 'dry-run'
  | 'not-attempted';

export interface ApplyOutcome {
  /** Per Secret name, for the status endpoint. */
  readonly results: ReadonlyMap<string, StepResult>;
  readonly created: number;
  readonly deleted: number;
  /** Writes that failed (API faults); they are retried by the next reconcile. */
  readonly failed: number;
  /** True when leadership was lost before every write was made. */
  readonly lostLeadership: boolean;
}

type Step = () => Promise<'created' | 'updated' | 'deleted' | 'unchanged' | 'conflict'>;

/**
 * Applies a plan one write at a time. A failing write is logged and counted and the others go on; a 409 re-reads
 * the Secret and retries once with what it finds; anything else waits for the next reconcile.
 */
export async function applyPlan(plan: Plan, deps: ApplyDeps): Promise<ApplyOutcome> {
  const { log, metrics } = deps;
  let created = 0;
  let deleted = 0;
  let failed = 0;

  // Standing conditions are logged (and conflicts counted) when first seen, not on every reconcile.
  const firstSeen = deps.firstSeen ?? (() => true);
  for (const c of plan.conflicts) {
    const fresh = firstSeen(`conflict:${c.kind}:${c.desired}:${c.foreign}`);
    const whose =
      c.owner.kind === 'foreign'
        ? 'a Secret this project does not own'
        : 'a Secret of another registrar installation';
    log[fresh ? 'warn' : 'debug'](
      c.kind === 'foreign-server'
        ? `cluster already registered by ${whose}; leaving both alone`
        : `Secret name taken by ${whose}; leaving it alone`,
      {
        secret: c.desired,
        foreignSecret: c.foreign,
        server: c.server,
        ...(c.owner.kind === 'other-installation' ? { installation: c.owner.id } : {}),
      },
    );
    if (fresh) metrics.conflict(c.kind);
    metrics.secret('skipped');
  }
  for (const k of plan.keep) {
    log[firstSeen(`keep:${k.reason}:${k.name}`) ? 'info' : 'debug'](
      k.reason === 'prune-disabled'
        ? 'cluster left the fleet; keeping its Secret because REGISTRAR_PRUNE is not true'
        : 'cluster not in the snapshot but its removal is not proven; keeping its Secret',
      { secret: k.name, reason: k.reason },
    );
    metrics.secret('skipped');
  }
  metrics.secret('unchanged', plan.unchanged.length);

  const steps: { action: string; secret: string; server?: string; run: Step }[] = [
    ...plan.create.map((d) => ({
      action: 'create',
      secret: d.name,
      server: d.server,
      run: () => create(d, deps),
    })),
    ...plan.update.map(({ desired, actual }) => ({
      action: 'update',
      secret: desired.name,
      server: desired.server,
      run: () => update(desired, actual.resourceVersion, deps),
    })),
    ...plan.delete.map((a) => ({
      action: 'delete',
      secret: a.name,
      ...(a.data['server'] === undefined ? {} : { server: a.data['server'] }),
      run: () => remove(a, deps),
    })),
  ];

  let lostLeadership = false;
  const results = new Map<string, StepResult>(steps.map((s) => [s.secret, 'not-attempted']));
  for (const step of steps) {
    const fields = { secret: step.secret, ...(step.server ? { server: step.server } : {}) };
    if (deps.dryRun) {
      log.info(`dry run: would ${step.action} cluster Secret`, fields);
      metrics.secret('skipped');
      results.set(step.secret, 'dry-run');
      continue;
    }
    if (!deps.isLeader()) {
      lostLeadership = true;
      log.warn('registrar lost leadership mid-reconcile; leaving the remaining writes', fields);
      break;
    }
    try {
      const result = await step.run();
      results.set(step.secret, result);
      if (result === 'conflict') metrics.secret('skipped');
      else metrics.secret(result);
      if (result === 'created') created += 1;
      if (result === 'deleted') deleted += 1;
      log.info(`cluster Secret ${result}`, fields);
    } catch (e) {
      failed += 1;
      results.set(step.secret, 'failed');
      metrics.error(step.action);
      log.error(`could not ${step.action} cluster Secret; retrying next reconcile`, {
        ...fields,
        status: statusOf(e),
        error: describeError(e),
      });
    }
  }
  return { results, created, deleted, failed, lostLeadership };
}

async function create(d: DesiredSecret, deps: ApplyDeps) {
  try {
    await deps.store.create(d);
    return 'created' as const;
  } catch (e) {
    if (statusOf(e) !== 409) throw e;
    deps.metrics.conflict('write-conflict');
    return resolveAfterConflict(d, deps);
  }
}

async function update(d: DesiredSecret, resourceVersion: string, deps: ApplyDeps) {
  try {
    await deps.store.replace(d, resourceVersion);
    return 'updated' as const;
  } catch (e) {
    const status = statusOf(e);
    if (status === 404) {
      await deps.store.create(d);
      return 'created' as const;
    }
    if (status !== 409) throw e;
    deps.metrics.conflict('write-conflict');
    return resolveAfterConflict(d, deps);
  }
}

/** Someone wrote the Secret since we listed it: read it again and make one more attempt from what is there. */
async function resolveAfterConflict(d: DesiredSecret, deps: ApplyDeps) {
  const current = await deps.store.read(d.name);
  if (current === undefined) {
    await deps.store.create(d);
    return 'created' as const;
  }
  if (ownerOf(current.labels, deps.installationId) !== 'this') {
    deps.metrics.conflict('name-taken');
    deps.log.warn(
      'Secret name taken by a Secret this installation does not own; leaving it alone',
      {
        secret: d.name,
        server: d.server,
      },
    );
    return 'conflict' as const;
  }
  if (sameContent(d, current)) return 'unchanged' as const;
  await deps.store.replace(d, current.resourceVersion);
  return 'updated' as const;
}

async function remove(a: ActualSecret, deps: ApplyDeps) {
  try {
    await deps.store.delete(a.name, a.resourceVersion);
    return 'deleted' as const;
  } catch (e) {
    if (statusOf(e) !== 409) throw e;
    deps.metrics.conflict('write-conflict');
    // Changed since the listing: delete only if it is still ours, otherwise leave it for the next reconcile.
    const current = await deps.store.read(a.name);
    if (current === undefined) return 'deleted' as const;
    if (ownerOf(current.labels, deps.installationId) !== 'this') return 'conflict' as const;
    await deps.store.delete(a.name, current.resourceVersion);
    return 'deleted' as const;
  }
}
