/**
 * The gates run after a step has baked. Each gives Passed, Failed (the check ran and said no) or Error (it could not
 * run: an unreachable Prometheus, no data, no Application to look at). Failed may roll back; Error only ever holds.
 */
import { describeError } from '../../core/errors';
import { matchesSelector } from '../../core/selector';
import type { ApplicationView, PrometheusClient } from './ports';
import { targets } from './prechecks';
import type { ApplicationGate, Gate, PrometheusGate } from './spec';
import { fillQuery } from './spec';
import type { GateResult, PairMember } from './status';

export interface GateContext {
  readonly pair: { blue: PairMember; green: PairMember };
  readonly greenWeight: number;
  readonly applications: () => Promise<ApplicationView[]>;
  readonly prometheus: PrometheusClient;
  readonly prometheusUrl: string | undefined;
  readonly now: string;
}

export async function runGates(gates: readonly Gate[], ctx: GateContext): Promise<GateResult[]> {
  const out: GateResult[] = [];
  for (const gate of gates) {
    let r: Omit<GateResult, 'name' | 'at'>;
    try {
      r =
        gate.kind === 'applications'
          ? await applicationGate(gate, ctx)
          : await prometheusGate(gate, ctx);
    } catch (e) {
      r = { result: 'Error', reason: describeError(e) };
    }
    out.push({ name: gate.name, ...r, at: ctx.now });
  }
  return out;
}

async function applicationGate(
  gate: ApplicationGate,
  ctx: GateContext,
): Promise<Omit<GateResult, 'name' | 'at'>> {
  const all = await ctx.applications();
  let apps: ApplicationView[];
  if (gate.names !== undefined) {
    const missing = gate.names.filter((n) => !all.some((a) => a.name === n));
    if (missing.length > 0)
      return { result: 'Error', reason: `no Application ${missing.join(', ')}` };
    apps = all.filter((a) => gate.names?.includes(a.name));
  } else {
    const selector = gate.selector;
    apps = all.filter(
      (a) =>
        selector !== undefined && matchesSelector(selector, a.labels) && targets(a, ctx.pair.green),
    );
    if (apps.length === 0) {
      return { result: 'Error', reason: 'the selector matches no Application on green' };
    }
  }
  const bad: string[] = [];
  for (const a of apps) {
    if (a.syncStatus !== 'Synced' || a.healthStatus !== 'Healthy') {
      bad.push(`${a.name} is ${a.syncStatus || 'Unknown'}/${a.healthStatus || 'Unknown'}`);
      continue;
    }
    if (a.operationPhase !== undefined && a.operationPhase !== 'Succeeded') {
      bad.push(`${a.name}: last sync ${a.operationPhase}`);
      continue;
    }
    const failedHook = a.hooks.find(
      (h) => h.hookType === 'PostSync' && h.hookPhase !== 'Succeeded',
    );
    if (failedHook !== undefined) {
      bad.push(`${a.name}: PostSync hook ${failedHook.name} ${failedHook.hookPhase || 'not run'}`);
    }
  }
  return bad.length === 0
    ? { result: 'Passed', reason: `${apps.length} Application(s) Synced and Healthy` }
    : { result: 'Failed', reason: bad.join('; ') };
}

async function prometheusGate(
  gate: PrometheusGate,
  ctx: GateContext,
): Promise<Omit<GateResult, 'name' | 'at'>> {
  // A cluster without traffic has nothing to measure: an empty answer there is not news.
  if (ctx.greenWeight === 0)
    return { result: 'Passed', reason: 'not evaluated: green has weight 0' };
  const url = gate.url ?? ctx.prometheusUrl;
  if (url === undefined) {
    return { result: 'Error', reason: 'no Prometheus URL (gate url or UPGRADE_PROMETHEUS_URL)' };
  }
  // The cluster's own color tag: after a group's first upgrade the incoming cluster may be the blue one.
  const query = (m: PairMember) =>
    fillQuery(gate.query, { name: m.name, color: m.color, labels: m.labels });
  const green = await ctx.prometheus.value(url, query(ctx.pair.green));
  let limit: number;
  let against: string;
  if (gate.blueFactor !== undefined) {
    const blue = await ctx.prometheus.value(url, query(ctx.pair.blue));
    limit = blue * gate.blueFactor;
    against = `${gate.blueFactor} × blue's ${blue}`;
  } else {
    limit = gate.threshold ?? 0;
    against = String(limit);
  }
  const ok = compare(green, gate.operator, limit);
  const reason = `green ${green} ${ok ? '' : 'not '}${gate.operator} ${against}`;
  return { result: ok ? 'Passed' : 'Failed', reason };
}

function compare(a: number, op: PrometheusGate['operator'], b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}
