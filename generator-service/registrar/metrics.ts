import { Counter, Gauge, type Registry } from 'prom-client';

export type SecretAction = 'created' | 'updated' | 'deleted' | 'unchanged' | 'skipped';
export type ConflictMetricKind = 'foreign-server' | 'name-taken' | 'write-conflict';
export type ReconcileResult = 'success' | 'partial' | 'failed';

/** Registrar metrics. Labels hold actions and kinds only: never Secret names, data or servers. */
export interface RegistrarMetrics {
  secret(action: SecretAction, count?: number): void;
  conflict(kind: ConflictMetricKind, count?: number): void;
  error(operation: string): void;
  reconciled(
    result: ReconcileResult,
    managedSecrets: number | undefined,
    at: Date,
    standing?: { conflicts: number },
  ): void;
  leader(leading: boolean): void;
}

export function registrarMetrics(registry: Registry): RegistrarMetrics {
  const registers = [registry];
  const secrets = new Counter({
    name: 'argocd_eks_registrar_secrets_total',
    help: 'Argo CD cluster Secrets handled by the registrar, by action (skipped: dry run, foreign, or kept for safety).',
    labelNames: ['action'],
    registers,
  });
  const conflicts = new Counter({
    name: 'argocd_eks_registrar_conflicts_total',
    help: 'Registrations found blocked by a Secret this project does not own (counted once while it stands), and writes that lost an optimistic-concurrency race.',
    labelNames: ['kind'],
    registers,
  });
  const errors = new Counter({
    name: 'argocd_eks_registrar_errors_total',
    help: 'Kubernetes API calls of the registrar that failed, by operation.',
    labelNames: ['operation'],
    registers,
  });
  const reconciles = new Counter({
    name: 'argocd_eks_registrar_reconciles_total',
    help: 'Reconciles run while leader, by result.',
    labelNames: ['result'],
    registers,
  });
  const lastSuccess = new Gauge({
    name: 'argocd_eks_registrar_last_reconcile_success',
    help: '1 when the last reconcile applied every change, 0 when some or all failed.',
    registers,
  });
  const lastTimestamp = new Gauge({
    name: 'argocd_eks_registrar_last_reconcile_timestamp_seconds',
    help: 'When the last reconcile finished (Unix seconds).',
    registers,
  });
  const managed = new Gauge({
    name: 'argocd_eks_registrar_managed_secrets',
    help: 'Cluster Secrets owned by this project after the last reconcile that could list them.',
    registers,
  });
  const standingConflicts = new Gauge({
    name: 'argocd_eks_registrar_conflicting_secrets',
    help: 'Clusters not registered after the last reconcile because a Secret this project does not own is in the way.',
    registers,
  });
  const leader = new Gauge({
    name: 'argocd_eks_registrar_leader',
    help: '1 while this replica holds the registrar lease.',
    registers,
  });
  leader.set(0);
  for (const action of ['created', 'updated', 'deleted', 'unchanged', 'skipped']) {
    secrets.inc({ action }, 0);
  }
  for (const kind of ['foreign-server', 'name-taken', 'write-conflict']) conflicts.inc({ kind }, 0);

  return {
    secret: (action, count = 1) => secrets.inc({ action }, count),
    conflict: (kind, count = 1) => conflicts.inc({ kind }, count),
    error: (operation) => errors.inc({ operation }),
    reconciled: (result, managedSecrets, at, standing) => {
      if (standing !== undefined) standingConflicts.set(standing.conflicts);
      reconciles.inc({ result });
      lastSuccess.set(result === 'success' ? 1 : 0);
      lastTimestamp.set(at.getTime() / 1000);
      if (managedSecrets !== undefined) managed.set(managedSecrets);
    },
    leader: (leading) => leader.set(leading ? 1 : 0),
  };
}
