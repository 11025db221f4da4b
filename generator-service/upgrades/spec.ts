/**
 * The ClusterUpgrade spec as the controller reads it: parsed and checked once per read, every problem reported with
 * its path, so a bad edit is refused as a whole (the API server's schema catches most; this catches the rest, e.g. a
 * step list that does not rise to 100 or an unknown query placeholder).
 */
import type { LabelSelector } from '../../core/selector';
import { selectorFromObject } from '../../core/selector';

export const GROUP = 'argocd-eks-plugins.io';
export const VERSION = 'v1alpha1';
export const KIND = 'ClusterUpgrade';
export const PLURAL = 'clusterupgrades';

export const DEFAULT_STEPS: readonly number[] = [0, 10, 25, 50, 100];
export const DEFAULT_BAKE_SECONDS = 300;
export const DEFAULT_CONVERGE_SECONDS = 1800;

export type Operator = '<' | '<=' | '>' | '>=';

export interface ApplicationGate {
  readonly kind: 'applications';
  readonly name: string;
  /** Named Applications, or those matching `selector` whose destination is green. */
  readonly names?: readonly string[];
  readonly selector?: LabelSelector;
}

export interface PrometheusGate {
  readonly kind: 'prometheus';
  readonly name: string;
  /** Overrides UPGRADE_PROMETHEUS_URL. */
  readonly url?: string;
  /** With `{{name}}`, `{{color}}` and `{{labels.<key>}}` placeholders, filled per cluster. */
  readonly query: string;
  readonly operator: Operator;
  /** Green's value compared with this absolute threshold ... */
  readonly threshold?: number;
  /** ... or with blue's value times this factor. */
  readonly blueFactor?: number;
}

export type Gate = ApplicationGate | PrometheusGate;

export interface UpgradeSpec {
  readonly group: string;
  readonly steps: readonly number[];
  readonly bakeSeconds: number;
  /** How long a step may wait for the generator and Argo CD before it is held. */
  readonly convergeSeconds: number;
  readonly gates: readonly Gate[];
  readonly onGateFailure: 'rollback' | 'hold';
  readonly onGateError: 'hold';
}

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;
const OPERATORS: readonly Operator[] = ['<', '<=', '>', '>='];

export function parseSpec(raw: unknown): { spec: UpgradeSpec } | { issues: string[] } {
  const issues: string[] = [];
  const s = isObject(raw) ? raw : {};
  if (!isObject(raw)) issues.push('spec: must be an object');

  const group = s['group'];
  if (typeof group !== 'string' || group.trim() === '') {
    issues.push('spec.group: required (the upgrade group tag value shared by blue and green)');
  }

  let steps: number[] = [...DEFAULT_STEPS];
  if (s['steps'] !== undefined) {
    const v = s['steps'];
    if (!Array.isArray(v) || v.length === 0) {
      issues.push('spec.steps: must be a non-empty list of green weights');
    } else {
      steps = [];
      v.forEach((x, i) => {
        if (!Number.isInteger(x) || (x as number) < 0 || (x as number) > 100) {
          issues.push(`spec.steps[${i}]: ${JSON.stringify(x)} is not an integer from 0 to 100`);
        } else steps.push(x as number);
      });
      for (let i = 1; i < steps.length; i++) {
        if ((steps[i] ?? 0) <= (steps[i - 1] ?? 0)) {
          issues.push(`spec.steps: must rise strictly, got ${steps.join(', ')}`);
          break;
        }
      }
      if (steps.length > 0 && steps[steps.length - 1] !== 100) {
        issues.push(`spec.steps: must end at 100 (all traffic on green), got ${steps.join(', ')}`);
      }
    }
  }

  let bakeSeconds = DEFAULT_BAKE_SECONDS;
  if (s['bakeSeconds'] !== undefined) {
    const v = s['bakeSeconds'];
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 86400) {
      issues.push(`spec.bakeSeconds: ${JSON.stringify(v)} is not an integer from 0 to 86400`);
    } else bakeSeconds = v as number;
  }

  let convergeSeconds = DEFAULT_CONVERGE_SECONDS;
  if (s['convergeSeconds'] !== undefined) {
    const v = s['convergeSeconds'];
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 86400) {
      issues.push(`spec.convergeSeconds: ${JSON.stringify(v)} is not an integer from 1 to 86400`);
    } else convergeSeconds = v as number;
  }

  const onGateFailure = s['onGateFailure'] ?? 'rollback';
  if (onGateFailure !== 'rollback' && onGateFailure !== 'hold') {
    issues.push(
      `spec.onGateFailure: must be "rollback" or "hold", got ${JSON.stringify(onGateFailure)}`,
    );
  }
  const onGateError = s['onGateError'] ?? 'hold';
  if (onGateError !== 'hold') {
    issues.push(
      `spec.onGateError: must be "hold" (an unreachable dependency never moves traffic), got ${JSON.stringify(onGateError)}`,
    );
  }

  const gates: Gate[] = [];
  const rawGates = s['gates'] ?? [];
  if (!Array.isArray(rawGates)) issues.push('spec.gates: must be a list');
  else {
    const names = new Set<string>();
    rawGates.forEach((g, i) => {
      const gate = parseGate(g, `spec.gates[${i}]`, issues);
      // Names are compared even among invalid gates, so one edit fixes every problem reported.
      const name = isObject(g) ? g['name'] : undefined;
      if (typeof name === 'string' && names.has(name)) {
        issues.push(`spec.gates[${i}].name: "${name}" is used twice`);
      }
      if (typeof name === 'string') names.add(name);
      if (gate !== undefined) gates.push(gate);
    });
  }

  if (issues.length > 0) return { issues };
  return {
    spec: {
      group: (group as string).trim(),
      steps,
      bakeSeconds,
      convergeSeconds,
      gates,
      onGateFailure: onGateFailure as 'rollback' | 'hold',
      onGateError: 'hold',
    },
  };
}

function parseGate(raw: unknown, at: string, issues: string[]): Gate | undefined {
  if (!isObject(raw)) {
    issues.push(`${at}: must be an object`);
    return undefined;
  }
  const name = raw['name'];
  if (typeof name !== 'string' || name.trim() === '') {
    issues.push(`${at}.name: required`);
    return undefined;
  }
  const apps = raw['applications'];
  const prom = raw['prometheus'];
  if ((apps === undefined) === (prom === undefined)) {
    issues.push(`${at}: exactly one of applications, prometheus`);
    return undefined;
  }
  if (apps !== undefined) {
    if (!isObject(apps)) {
      issues.push(`${at}.applications: must be an object`);
      return undefined;
    }
    const names = apps['names'];
    const sel = apps['selector'];
    if ((names === undefined) === (sel === undefined)) {
      issues.push(`${at}.applications: exactly one of names, selector`);
      return undefined;
    }
    if (names !== undefined) {
      if (
        !Array.isArray(names) ||
        names.length === 0 ||
        !names.every((n) => typeof n === 'string' && n !== '')
      ) {
        issues.push(`${at}.applications.names: must be a non-empty list of Application names`);
        return undefined;
      }
      return { kind: 'applications', name, names: names as string[] };
    }
    const parsed = selectorFromObject(sel, `${at}.applications.selector`);
    if ('issues' in parsed) {
      issues.push(...parsed.issues);
      return undefined;
    }
    return { kind: 'applications', name, selector: parsed.selector };
  }
  if (!isObject(prom)) {
    issues.push(`${at}.prometheus: must be an object`);
    return undefined;
  }
  const before = issues.length;
  const query = prom['query'];
  if (typeof query !== 'string' || query.trim() === '') {
    issues.push(`${at}.prometheus.query: required`);
  } else {
    for (const m of query.matchAll(PLACEHOLDER)) {
      const p = m[1] ?? '';
      if (p !== 'name' && p !== 'color' && !/^labels\.[\w./-]+$/.test(p)) {
        issues.push(
          `${at}.prometheus.query: unknown placeholder {{${p}}} (name, color, labels.<key>)`,
        );
      }
    }
  }
  const url = prom['url'];
  if (url !== undefined && (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))) {
    issues.push(`${at}.prometheus.url: ${JSON.stringify(url)} is not an http(s) URL`);
  }
  const operator = prom['operator'];
  if (!OPERATORS.includes(operator as Operator)) {
    issues.push(`${at}.prometheus.operator: must be one of ${OPERATORS.join(' ')}`);
  }
  const threshold = prom['threshold'];
  const blueFactor = prom['blueFactor'];
  if ((threshold === undefined) === (blueFactor === undefined)) {
    issues.push(
      `${at}.prometheus: exactly one of threshold (absolute), blueFactor (relative to blue)`,
    );
  }
  for (const [k, v] of [
    ['threshold', threshold],
    ['blueFactor', blueFactor],
  ] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
      issues.push(`${at}.prometheus.${k}: must be a number`);
    }
  }
  if (issues.length > before) return undefined;
  return {
    kind: 'prometheus',
    name,
    query: query as string,
    operator: operator as Operator,
    ...(typeof url === 'string' ? { url } : {}),
    ...(typeof threshold === 'number' ? { threshold } : {}),
    ...(typeof blueFactor === 'number' ? { blueFactor } : {}),
  };
}

/** The query for one cluster: placeholders filled, nothing else touched. */
export function fillQuery(
  query: string,
  c: { name: string; color: string; labels: Readonly<Record<string, string>> },
): string {
  return query.replace(PLACEHOLDER, (_, p: string) => {
    if (p === 'name') return c.name;
    if (p === 'color') return c.color;
    return c.labels[p.slice('labels.'.length)] ?? '';
  });
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
