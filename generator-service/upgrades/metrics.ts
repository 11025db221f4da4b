import { Counter, Gauge, type Registry } from 'prom-client';

/** Upgrade controller metrics. Labels hold results and kinds only: upgrade names stay in logs, Events and status. */
export interface UpgradeMetrics {
  tagWrite(result: 'success' | 'failed'): void;
  rollback(): void;
  hold(): void;
  completed(): void;
  gate(result: 'Passed' | 'Failed' | 'Error'): void;
  reconcileError(): void;
  leader(leading: boolean): void;
  /** How many ClusterUpgrades are in each phase after a round. */
  phases(counts: Readonly<Record<string, number>>): void;
}

const PHASES = ['Checking', 'Shifting', 'Baking', 'Completed', 'RolledBack', 'Held', 'Failed'];

export function upgradeMetrics(registry: Registry): UpgradeMetrics {
  const registers = [registry];
  const tagWrites = new Counter({
    name: 'argocd_eks_upgrade_tag_writes_total',
    help: 'EKS TagResource calls of the upgrade controller, by result.',
    labelNames: ['result'],
    registers,
  });
  const outcomes = new Counter({
    name: 'argocd_eks_upgrade_outcomes_total',
    help: 'Upgrades that rolled back, were held or completed.',
    labelNames: ['outcome'],
    registers,
  });
  const gates = new Counter({
    name: 'argocd_eks_upgrade_gate_results_total',
    help: 'Gate evaluations, by result (Error: the gate could not be evaluated).',
    labelNames: ['result'],
    registers,
  });
  const errors = new Counter({
    name: 'argocd_eks_upgrade_reconcile_errors_total',
    help: 'Reconciles of one ClusterUpgrade that stopped on an error (retried at the next round).',
    registers,
  });
  const leader = new Gauge({
    name: 'argocd_eks_upgrade_leader',
    help: '1 while this replica holds the upgrade controller lease.',
    registers,
  });
  const upgrades = new Gauge({
    name: 'argocd_eks_upgrade_upgrades',
    help: 'ClusterUpgrades by phase after the last round of the leader.',
    labelNames: ['phase'],
    registers,
  });
  leader.set(0);
  for (const result of ['success', 'failed']) tagWrites.inc({ result }, 0);
  for (const outcome of ['rolled-back', 'held', 'completed']) outcomes.inc({ outcome }, 0);
  return {
    tagWrite: (result) => tagWrites.inc({ result }),
    rollback: () => outcomes.inc({ outcome: 'rolled-back' }),
    hold: () => outcomes.inc({ outcome: 'held' }),
    completed: () => outcomes.inc({ outcome: 'completed' }),
    gate: (result) => gates.inc({ result }),
    reconcileError: () => errors.inc(),
    leader: (leading) => leader.set(leading ? 1 : 0),
    phases: (counts) => {
      for (const phase of PHASES) upgrades.set({ phase }, counts[phase] ?? 0);
    },
  };
}
