/**
 * One ClusterUpgrade's state machine, driven from its status alone (status.ts). `advance` does at most one thing
 * that changes the world (a tag write, a refresh request, a gate run) and records it in the status before moving on,
 * so a controller stopped anywhere resumes where the status says. Every AWS write is first announced in the status
 * (`intendedWrite`) with the object's resourceVersion: a controller that lost its lease, or an object deleted or
 * edited meanwhile, fails that update (409/404) and sends nothing.
 */
import { describeError, UpgradeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { converged, selectingApplicationSets } from './argo-sync';
import { runGates } from './gates';
import type { UpgradeMetrics } from './metrics';
import type {
  ArgoStore,
  EksUpgradeApi,
  EventSink,
  GeneratorClient,
  PrometheusClient,
  ServedCluster,
  UpgradeObject,
  UpgradeStore,
} from './ports';
import {
  checkAddons,
  checkTwins,
  checkVersions,
  findPair,
  GROUP_TAG,
  roles,
  pairMember,
  RETIRED_TAG,
  WEIGHT_TAG,
} from './prechecks';
import type { UpgradeSpec } from './spec';
import { parseSpec } from './spec';
import type { Color, PairMember, Plan, UpgradeStatus, Weights } from './status';
import { setCondition, weightsForStep } from './status';
import { isSafe, nextWeightWrite } from './weights';

export interface ReconcileDeps {
  readonly upgrades: UpgradeStore;
  readonly argo: ArgoStore;
  readonly events: EventSink;
  readonly generator: GeneratorClient;
  readonly eks: EksUpgradeApi;
  readonly prometheus: PrometheusClient;
  readonly prometheusUrl: string | undefined;
  /** The plugin ConfigMap name of this generator: ApplicationSets using another are not ours to refresh. */
  readonly generatorConfigMap: string;
  /** Checked right before every AWS write. */
  readonly isLeader: () => boolean;
  readonly now: () => number;
  readonly log: Logger;
  readonly metrics: UpgradeMetrics;
}

/** `next`: the object as saved, to advance again at once; `wait`: nothing to do until the next round. */
export type Advance = { next: UpgradeObject } | { wait: true };

const WAIT: Advance = { wait: true };

export async function advance(obj: UpgradeObject, d: ReconcileDeps): Promise<Advance> {
  if (obj.deleting) return WAIT;
  const st: UpgradeStatus = structuredClone(obj.status ?? {});
  const now = new Date(d.now()).toISOString();
  const save = async (): Promise<Advance> => ({ next: await d.upgrades.replaceStatus(obj, st) });

  switch (st.phase) {
    case undefined:
    case 'Failed': {
      // A failed check is tried again only after the spec changed (generation) or the first time.
      if (st.phase === 'Failed' && (st.observedGeneration ?? 0) >= obj.generation) return WAIT;
      const parsed = parseSpec(obj.spec);
      if ('issues' in parsed) {
        return fail(obj, st, d, 'InvalidSpec', parsed.issues.join('; '), now);
      }
      const fresh: UpgradeStatus = {
        phase: 'Checking',
        observedGeneration: obj.generation,
        plan: planOf(parsed.spec, obj.generation),
        message: 'running pre-checks',
        history: st.history ?? [],
      };
      Object.keys(st).forEach((k) => delete (st as Record<string, unknown>)[k]);
      Object.assign(st, fresh);
      return save();
    }
    case 'Checking':
      return check(obj, st, d, now);
    case 'Held': {
      if ((st.observedGeneration ?? 0) >= obj.generation) return WAIT;
      // A spec edit releases a hold: the new spec is taken and the step converges or bakes and is gated again.
      const parsed = parseSpec(obj.spec);
      if ('issues' in parsed) {
        // Still held, the weights where they are: an invalid edit neither releases nor restarts anything.
        st.observedGeneration = obj.generation;
        st.message = `still held: the edited spec is invalid: ${parsed.issues.join('; ')}`;
        return save();
      }
      adoptSpec(obj, st);
      if (st.stage === 'Converging') {
        st.phase = 'Shifting';
        st.stage = 'Refreshing';
        st.message = 'hold released by a spec change; refreshing again';
      } else {
        st.phase = 'Baking';
        st.stage = 'Baking';
        st.bakeStartedAt = now;
        st.message = 'hold released by a spec change; baking again';
      }
      return save();
    }
    case 'Completed':
    case 'RolledBack':
      if (st.stage === 'Done') return WAIT;
      return step(obj, st, d, now);
    case 'Shifting':
    case 'Baking':
      return step(obj, st, d, now);
    default:
      return fail(obj, st, d, 'StatusIncomplete', `unknown phase ${String(st.phase)}`, now);
  }
}

async function check(
  obj: UpgradeObject,
  st: UpgradeStatus,
  d: ReconcileDeps,
  now: string,
): Promise<Advance> {
  const parsed = parseSpec(obj.spec);
  if ('issues' in parsed) return fail(obj, st, d, 'InvalidSpec', parsed.issues.join('; '), now);
  const group = parsed.spec.group;
  const served = await d.generator.clusters({
    selector: { matchLabels: { [GROUP_TAG]: group } },
  });
  const found = findPair(group, served);
  if (found.pair === undefined)
    return failChecks(
      obj,
      st,
      d,
      found.failures.map((f) => f.message),
      now,
    );
  const { from: blue, to: green } = roles(found.pair);
  const failures = [
    ...checkVersions(blue, green),
    ...(await checkAddons(d.eks, green)),
    ...checkTwins(await d.argo.applications(), blue, green),
  ];
  if (failures.length > 0)
    return failChecks(
      obj,
      st,
      d,
      failures.map((f) => f.message),
      now,
    );

  const weights = { blue: weightOf(blue), green: weightOf(green) };
  const stepIndex = 0;
  const target = weightsForStep(st.plan?.steps[stepIndex] ?? 0);
  st.phase = 'Shifting';
  st.stage = 'Writing';
  st.pair = { blue: pairMember(blue), green: pairMember(green) };
  st.weights = weights;
  st.stepIndex = stepIndex;
  st.targetWeights = target;
  st.message = `pre-checks passed; step ${stepIndex + 1}: green ${target.green}`;
  setCondition(
    st,
    { type: 'PreChecksPassed', status: 'True', reason: 'Passed', message: 'all pre-checks passed' },
    now,
  );
  st.history = [...(st.history ?? []), { step: stepIndex, weights: target, startedAt: now }];
  const saved = await d.upgrades.replaceStatus(obj, st);
  await d.events.emit(
    saved,
    'Normal',
    'PreChecksPassed',
    `traffic moves from ${blue.upgrade.color} ${blue.name} to ${green.upgrade.color} ${green.name}`,
  );
  return { next: saved };
}

function weightOf(c: ServedCluster): number {
  const n = Number(c.upgrade.weight);
  return Number.isInteger(n) && n >= 0 && n <= 100 ? n : 100;
}

async function step(
  obj: UpgradeObject,
  st: UpgradeStatus,
  d: ReconcileDeps,
  now: string,
): Promise<Advance> {
  const pair = st.pair;
  const plan = st.plan;
  if (
    pair === undefined ||
    plan === undefined ||
    st.weights === undefined ||
    st.targetWeights === undefined
  ) {
    return fail(
      obj,
      st,
      d,
      'StatusIncomplete',
      'the status lost its pair, plan or weights; delete and recreate the upgrade',
      now,
    );
  }
  // A write announced but not confirmed is sent again: tag writes are idempotent, and both the old and the new
  // weight keep the pair safe, so finishing it is always right. It is announced again first, so the object it was
  // read from must still be current: a stale read (a spec edit, another writer) fails with 409 and sends nothing.
  if (st.intendedWrite !== undefined) return reannounceAndSend(obj, st, d);

  const stage = st.stage;
  switch (stage) {
    case 'Writing': {
      const write = nextWeightWrite(st.weights, st.targetWeights);
      if (write !== undefined) {
        const member = pair[write.color];
        return announceAndSend(
          obj,
          st,
          d,
          write.color,
          member,
          { [WEIGHT_TAG]: String(write.weight) },
          now,
        );
      }
      st.stage = 'Refreshing';
      return { next: await d.upgrades.replaceStatus(obj, st) };
    }
    case 'Refreshing': {
      const selecting = await selectingApplicationSets(d, pair);
      for (const name of selecting) await d.argo.requestRefresh(name);
      st.refreshedApplicationSets = selecting;
      st.refreshedAt = now;
      if (st.phase === 'RolledBack') {
        // Argo CD is asked to pick the restored weights up now; nothing is awaited or gated after a rollback.
        st.stage = 'Done';
        st.message = `rolled back: green 0, blue 100 (${st.rollback?.reason ?? ''})`;
        return { next: await d.upgrades.replaceStatus(obj, st) };
      }
      st.stage = 'Converging';
      st.message = `waiting for the generator to serve green ${st.targetWeights.green} / blue ${st.targetWeights.blue} and the Applications to sync`;
      return { next: await d.upgrades.replaceStatus(obj, st) };
    }
    case 'Converging': {
      const convergence = await converged(d, st);
      if (convergence.state === 'suspicious') {
        return hold(obj, st, d, convergence.reason, 'NothingSelected', now);
      }
      if (convergence.state === 'waiting') {
        const waitingFor = convergence.reason;
        const since = Date.parse(st.refreshedAt ?? now);
        if (d.now() >= since + plan.convergeSeconds * 1000) {
          // Argo CD never caught up: nothing to gate, and nothing tells which way to move; hold.
          return hold(
            obj,
            st,
            d,
            `not converged after ${plan.convergeSeconds}s: ${waitingFor}`,
            'NotConverged',
            now,
          );
        }
        if (st.message === waitingFor) return WAIT;
        st.message = waitingFor;
        await d.upgrades.replaceStatus(obj, st);
        return WAIT;
      }
      st.phase = 'Baking';
      st.stage = 'Baking';
      st.bakeStartedAt = now;
      st.message = `baking for ${plan.bakeSeconds}s at green ${st.targetWeights.green}`;
      return { next: await d.upgrades.replaceStatus(obj, st) };
    }
    case 'Baking': {
      const since = Date.parse(st.bakeStartedAt ?? now);
      if (d.now() < since + plan.bakeSeconds * 1000) return WAIT;
      return gate(obj, st, d, now);
    }
    case 'Retiring':
      return announceAndSend(obj, st, d, 'blue', pair.blue, { [RETIRED_TAG]: 'true' }, now);
    case 'Done':
    case undefined:
      return WAIT;
  }
  // A stage this version does not know (written by a newer one): wait rather than guess.
  return WAIT;
}

async function gate(
  obj: UpgradeObject,
  st: UpgradeStatus,
  d: ReconcileDeps,
  now: string,
): Promise<Advance> {
  const plan = st.plan as Plan;
  const pair = st.pair as { blue: PairMember; green: PairMember };
  const target = st.targetWeights as Weights;
  const results = await runGates(plan.gates, {
    pair,
    greenWeight: target.green,
    applications: () => d.argo.applications(),
    prometheus: d.prometheus,
    prometheusUrl: d.prometheusUrl,
    now,
  });
  results.forEach((r) => d.metrics.gate(r.result));
  st.gates = results;
  const last = (st.history ?? []).at(-1);
  const finish = (result: 'Passed' | 'Failed' | 'Error' | 'RolledBack') => {
    if (last !== undefined && last.finishedAt === undefined) {
      st.history = [...(st.history ?? []).slice(0, -1), { ...last, finishedAt: now, result }];
    }
  };
  const errors = results.filter((r) => r.result === 'Error');
  const failed = results.filter((r) => r.result === 'Failed');
  const describe = (rs: typeof results) => rs.map((r) => `${r.name}: ${r.reason}`).join('; ');

  if (failed.length > 0 && plan.onGateFailure === 'rollback') {
    const reason = `gate failed at green ${target.green}: ${describe(failed)}`;
    finish('RolledBack');
    st.phase = 'RolledBack';
    st.stage = 'Writing';
    st.targetWeights = { green: 0, blue: 100 };
    st.rollback = { reason, at: now };
    st.message = `rolling back: ${reason}`;
    setCondition(
      st,
      { type: 'GatesPassed', status: 'False', reason: 'GateFailed', message: reason },
      now,
    );
    const saved = await d.upgrades.replaceStatus(obj, st);
    d.metrics.rollback();
    d.log.warn('upgrade rolling back', { upgrade: obj.name, reason });
    await d.events.emit(saved, 'Warning', 'RollingBack', reason);
    return { next: saved };
  }
  if (failed.length > 0 || errors.length > 0) {
    const why =
      failed.length > 0
        ? `gate failed: ${describe(failed)}`
        : `gate could not be evaluated: ${describe(errors)}`;
    finish(failed.length > 0 ? 'Failed' : 'Error');
    setCondition(
      st,
      {
        type: 'GatesPassed',
        status: failed.length > 0 ? 'False' : 'Unknown',
        reason: failed.length > 0 ? 'GateFailed' : 'GateError',
        message: why,
      },
      now,
    );
    return hold(obj, st, d, why, failed.length > 0 ? 'GateFailed' : 'GateError', now);
  }

  // Step boundary: the only place a spec edit takes effect.
  finish('Passed');
  setCondition(
    st,
    {
      type: 'GatesPassed',
      status: 'True',
      reason: 'Passed',
      message: `gates passed at green ${target.green}`,
    },
    now,
  );
  if (!adoptSpec(obj, st)) {
    st.message = 'the edited spec is invalid; keeping the previous one';
  }
  const steps = (st.plan as Plan).steps;
  const nextIndex = steps.findIndex((s) => s > target.green);
  if (nextIndex === -1) {
    st.stage = 'Retiring';
    st.message = `all traffic on green ${pair.green.name}; marking blue ${pair.blue.name} retired`;
    return { next: await d.upgrades.replaceStatus(obj, st) };
  }
  const next = weightsForStep(steps[nextIndex] ?? 100);
  st.phase = 'Shifting';
  st.stage = 'Writing';
  st.stepIndex = nextIndex;
  st.targetWeights = next;
  delete st.bakeStartedAt;
  st.message = `step ${nextIndex + 1}: green ${next.green}`;
  st.history = [...(st.history ?? []), { step: nextIndex, weights: next, startedAt: now }];
  return { next: await d.upgrades.replaceStatus(obj, st) };
}

async function announceAndSend(
  obj: UpgradeObject,
  st: UpgradeStatus,
  d: ReconcileDeps,
  color: Color,
  member: PairMember,
  tags: Record<string, string>,
  now: string,
): Promise<Advance> {
  st.intendedWrite = { color, cluster: member.name, arn: member.arn, tags, at: now, attempt: 1 };
  // Fails (409/404) for a controller that lost its lease to one that wrote since, or for a deleted object.
  const saved = await d.upgrades.replaceStatus(obj, st);
  return sendIntended(saved, structuredClone(saved.status), d);
}

/** A resumed write goes through the same conditional status update as the first one before it is sent. */
async function reannounceAndSend(
  obj: UpgradeObject,
  st: UpgradeStatus,
  d: ReconcileDeps,
): Promise<Advance> {
  const w = st.intendedWrite;
  if (w === undefined) return WAIT;
  st.intendedWrite = { ...w, attempt: (w.attempt ?? 1) + 1 };
  const saved = await d.upgrades.replaceStatus(obj, st);
  return sendIntended(saved, structuredClone(saved.status), d);
}

async function sendIntended(
  obj: UpgradeObject,
  st: UpgradeStatus,
  d: ReconcileDeps,
): Promise<Advance> {
  const w = st.intendedWrite;
  const pair = st.pair;
  if (w === undefined || pair === undefined) return WAIT;
  if (!d.isLeader())
    throw new UpgradeError('not leader: the announced write is left to the leader');
  const member = pair[w.color];
  try {
    await d.eks.tagResource(
      { arn: w.arn, accountId: member.accountId, region: member.region, clusterName: member.name },
      { ...w.tags },
    );
    d.metrics.tagWrite('success');
  } catch (e) {
    d.metrics.tagWrite('failed');
    throw e;
  }
  d.log.info('tagged cluster', { upgrade: obj.name, cluster: w.cluster, tags: w.tags });
  const weight = w.tags[WEIGHT_TAG];
  if (weight !== undefined && st.weights !== undefined) {
    const weights = { ...st.weights, [w.color]: Number(weight) };
    if (!isSafe(weights)) {
      // Cannot happen with nextWeightWrite's order; said loudly if it ever does.
      d.log.error('weights of the pair are unsafe after a write', { upgrade: obj.name, weights });
    }
    st.weights = weights;
  }
  delete st.intendedWrite;
  if (w.tags[RETIRED_TAG] === 'true') {
    st.phase = 'Completed';
    st.stage = 'Done';
    st.message = `completed: green ${pair.green.name} serves all traffic; blue ${pair.blue.name} retired (not deleted)`;
    const saved = await d.upgrades.replaceStatus(obj, st);
    d.metrics.completed();
    await d.events.emit(saved, 'Normal', 'Completed', st.message);
    return WAIT;
  }
  return { next: await d.upgrades.replaceStatus(obj, st) };
}

function planOf(spec: UpgradeSpec, generation: number): Plan {
  return {
    generation,
    steps: spec.steps,
    bakeSeconds: spec.bakeSeconds,
    convergeSeconds: spec.convergeSeconds,
    gates: spec.gates,
    onGateFailure: spec.onGateFailure,
  };
}

/** Takes the current spec into the plan if it changed and is valid; the pair never changes mid-upgrade. */
function adoptSpec(obj: UpgradeObject, st: UpgradeStatus): boolean {
  if ((st.observedGeneration ?? 0) >= obj.generation) return true;
  const parsed = parseSpec(obj.spec);
  if ('issues' in parsed) return false;
  st.plan = planOf(parsed.spec, obj.generation);
  st.observedGeneration = obj.generation;
  return true;
}

/** Keeps the weights where they are until the spec changes. */
async function hold(
  obj: UpgradeObject,
  st: UpgradeStatus,
  d: ReconcileDeps,
  why: string,
  reason: string,
  now: string,
): Promise<Advance> {
  st.phase = 'Held';
  st.message = `held at green ${st.targetWeights?.green ?? '?'}: ${why}; edit the spec to resume`;
  setCondition(st, { type: 'Progressing', status: 'False', reason, message: why }, now);
  const saved = await d.upgrades.replaceStatus(obj, st);
  d.metrics.hold();
  d.log.warn('upgrade held', { upgrade: obj.name, reason: why });
  await d.events.emit(saved, 'Warning', 'Held', why);
  return WAIT;
}

async function failChecks(
  obj: UpgradeObject,
  st: UpgradeStatus,
  d: ReconcileDeps,
  messages: string[],
  now: string,
): Promise<Advance> {
  const message = `pre-check failed: ${messages.join('; ')}`;
  setCondition(
    st,
    { type: 'PreChecksPassed', status: 'False', reason: 'PreCheckFailed', message },
    now,
  );
  return fail(obj, st, d, 'PreCheckFailed', message, now);
}

async function fail(
  obj: UpgradeObject,
  st: UpgradeStatus,
  d: ReconcileDeps,
  reason: string,
  message: string,
  now: string,
): Promise<Advance> {
  st.phase = 'Failed';
  st.stage = 'Done';
  st.message = message;
  st.observedGeneration = obj.generation;
  setCondition(st, { type: 'Ready', status: 'False', reason, message }, now);
  const saved = await d.upgrades.replaceStatus(obj, st);
  d.log.warn('upgrade failed', { upgrade: obj.name, reason, message });
  await d.events
    .emit(saved, 'Warning', reason, message)
    .catch((e: unknown) =>
      d.log.warn('could not record an Event', { upgrade: obj.name, error: describeError(e) }),
    );
  return WAIT;
}
