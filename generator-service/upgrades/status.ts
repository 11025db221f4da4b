/**
 * The ClusterUpgrade status: what the controller has done, what it is about to do, and why. It is also the
 * controller's only memory: a restarted (or newly elected) controller resumes from it, so every field needed to
 * finish or undo a half-done step lives here, and every AWS write is announced here first (`intendedWrite`).
 */
import type { Gate, Operator } from './spec';

export type Phase =
  'Checking' | 'Shifting' | 'Baking' | 'Completed' | 'RolledBack' | 'Held' | 'Failed';
export type Color = 'blue' | 'green';

/**
 * One cluster of the pair. In the status, `blue` is the cluster traffic leaves and `green` the one it moves to; for
 * a group's first upgrade these are the clusters tagged so, and after it the colors alternate (the next upgrade pairs
 * today's green, then serving, with a new cluster tagged blue), so `color` holds the cluster's own tag.
 */
export interface PairMember {
  readonly name: string;
  readonly color: string;
  readonly arn: string;
  readonly server: string;
  readonly version: string;
  readonly accountId: string;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface Weights {
  readonly blue: number;
  readonly green: number;
}

/** One tag write, recorded before it is sent: a controller that finds it resumes by sending it again. */
export interface IntendedWrite {
  readonly color: Color;
  readonly cluster: string;
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly at: string;
  /** How many times the write was announced (1 the first time; a resumed write is announced again). */
  readonly attempt?: number;
}

export interface GateResult {
  readonly name: string;
  readonly result: 'Passed' | 'Failed' | 'Error';
  readonly reason: string;
  readonly at: string;
}

export interface HistoryEntry {
  readonly step: number;
  readonly weights: Weights;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly result?: 'Passed' | 'Failed' | 'Error' | 'RolledBack';
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

/** The spec in force: taken from spec when the upgrade starts and again at each step boundary only. */
export interface Plan {
  readonly generation: number;
  readonly steps: readonly number[];
  readonly bakeSeconds: number;
  readonly convergeSeconds: number;
  readonly gates: readonly Gate[];
  readonly onGateFailure: 'rollback' | 'hold';
}

/**
 * Where a step stands. Writing: weights moving toward `targetWeights`; Refreshing: ApplicationSets asked to
 * refresh; Converging: waiting for the generator and the Applications; Baking; Retiring: marking the old cluster
 * retired after the last step; Done (terminal phases).
 */
export type Stage = 'Writing' | 'Refreshing' | 'Converging' | 'Baking' | 'Retiring' | 'Done';

export interface UpgradeStatus {
  phase?: Phase;
  message?: string;
  observedGeneration?: number;
  pair?: { blue: PairMember; green: PairMember };
  plan?: Plan;
  stepIndex?: number;
  stage?: Stage;
  /** Weights last confirmed written (TagResource answered 200). */
  weights?: Weights;
  targetWeights?: Weights;
  intendedWrite?: IntendedWrite;
  refreshedAt?: string;
  /** The ApplicationSets that select the pair, asked to refresh at this step. */
  refreshedApplicationSets?: string[];
  bakeStartedAt?: string;
  gates?: GateResult[];
  rollback?: { reason: string; at: string };
  conditions?: Condition[];
  history?: HistoryEntry[];
}

export type { Operator };

/** Sets (or replaces) a condition; keeps lastTransitionTime when the status does not change. */
export function setCondition(
  status: UpgradeStatus,
  c: Omit<Condition, 'lastTransitionTime'>,
  now: string,
): void {
  const list = status.conditions ?? [];
  const old = list.find((x) => x.type === c.type);
  const next: Condition = {
    ...c,
    lastTransitionTime: old !== undefined && old.status === c.status ? old.lastTransitionTime : now,
  };
  status.conditions = [...list.filter((x) => x.type !== c.type), next];
}

/** The weights a step asks for: green = step, blue = 100 - step. */
export function weightsForStep(step: number): Weights {
  return { green: step, blue: 100 - step };
}
