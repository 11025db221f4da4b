import { ConfigError } from '../core/errors';
import { jsonProblem } from './argocd-env';
import type { AppParameter, ArgoEnv, ClusterView } from './render/types';

/** `spec.source.plugin.env` entry holding the generator's `clusterContext` JSON (ARGOCD_ENV_CLUSTER_CONTEXT). */
export const CLUSTER_CONTEXT_ENV = 'CLUSTER_CONTEXT';
/** The map parameter whose entries override the context. */
export const CLUSTER_PARAMETER = 'cluster';

/** Maps whose keys contain dots themselves: in a dotted path, whatever follows them is one key. */
const STRING_MAPS = ['metadata.labels', 'metadata.annotations', 'aws.tags'];
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
/** The generator's context is 4 levels deep; anything far deeper is not a cluster context (and would be walked). */
export const MAX_CONTEXT_DEPTH = 32;

/**
 * The `cluster` templates see. Precedence, lowest first:
 *  1. ARGOCD_ENV_CLUSTER_CONTEXT: the generator's `clusterContext` JSON (an object);
 *  2. entries of the `cluster` map parameter; each key is a dotted path (`metadata.labels.env`, `aws.region`)
 *     setting one string (after `metadata.labels.`, `metadata.annotations.` and `aws.tags.` the rest is one key,
 *     so `metadata.labels.app.kubernetes.io/part-of` works).
 * `metadata.labels` and `metadata.annotations` are always present (possibly empty), so a template can test a
 * label with `{{#if cluster.metadata.labels.x}}` without a "parent missing" error.
 */
export function buildClusterView(
  env: ArgoEnv,
  overrides: Readonly<Record<string, string>> = {},
): ClusterView {
  const issues: string[] = [];
  let base: Record<string, unknown> = {};
  const raw = env.userEnv[CLUSTER_CONTEXT_ENV];
  if (raw !== undefined && raw.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      issues.push(`ARGOCD_ENV_${CLUSTER_CONTEXT_ENV} is not valid JSON: ${jsonProblem(e)}`);
    }
    if (parsed === undefined) {
      // reported above
    } else if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      issues.push(
        `ARGOCD_ENV_${CLUSTER_CONTEXT_ENV} must be a JSON object (the generator's clusterContext)`,
      );
    } else if (deeperThan(parsed, MAX_CONTEXT_DEPTH)) {
      issues.push(
        `ARGOCD_ENV_${CLUSTER_CONTEXT_ENV} is nested deeper than ${MAX_CONTEXT_DEPTH} levels`,
      );
    } else {
      const before = issues.length;
      checkContext(parsed, issues);
      if (issues.length === before) base = structuredClone(parsed) as Record<string, unknown>;
    }
  }
  const entries = { ...clusterParameterEntries(env.parameters, issues), ...overrides };
  for (const [key, value] of Object.entries(entries)) setPath(base, key, value, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  const meta = isMap(base['metadata']) ? base['metadata'] : {};
  base['metadata'] = {
    ...meta,
    labels: meta['labels'] ?? {},
    annotations: meta['annotations'] ?? {},
  };
  return deepFreeze(base);
}

function clusterParameterEntries(
  params: readonly AppParameter[],
  issues: string[],
): Record<string, string> {
  const found = params.filter((p) => p.name === CLUSTER_PARAMETER);
  if (found.length > 1)
    issues.push(`parameter "${CLUSTER_PARAMETER}" is given ${found.length} times`);
  const p = found[found.length - 1];
  if (p === undefined) return {};
  if (p.string !== undefined || p.array !== undefined) {
    issues.push(
      `parameter "${CLUSTER_PARAMETER}" must be a map (dotted keys → strings), not a string or array`,
    );
  }
  return { ...(p.map ?? {}) };
}

export function splitClusterPath(key: string): string[] | undefined {
  for (const prefix of STRING_MAPS) {
    if (key.startsWith(`${prefix}.`) && key.length > prefix.length + 1) {
      return [...prefix.split('.'), key.slice(prefix.length + 1)];
    }
  }
  const parts = key.split('.');
  return parts.some((s) => s === '') ? undefined : parts;
}

function setPath(
  target: Record<string, unknown>,
  key: string,
  value: string,
  issues: string[],
): void {
  const parts = splitClusterPath(key);
  if (parts === undefined || parts.some((s) => FORBIDDEN_SEGMENTS.has(s))) {
    issues.push(`parameter "${CLUSTER_PARAMETER}": key "${key}" is not a valid dotted path`);
    return;
  }
  let node = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const seg = parts[i]!;
    const next = node[seg];
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      node[seg] = created;
      node = created;
    } else if (isMap(next)) {
      node = next;
    } else {
      issues.push(
        `parameter "${CLUSTER_PARAMETER}": key "${key}" goes through "${parts.slice(0, i + 1).join('.')}", which is not a map`,
      );
      return;
    }
  }
  const last = parts[parts.length - 1]!;
  if (isMap(node[last])) {
    issues.push(`parameter "${CLUSTER_PARAMETER}": key "${key}" would replace a map with a string`);
    return;
  }
  node[last] = value;
}

/**
 * Why templates have no `cluster`, or undefined when a context was given: ARGOCD_ENV_CLUSTER_CONTEXT (or a
 * --context), the `cluster` map parameter or --cluster entries. Without one, a template that uses `cluster` fails
 * with this single explanation (templates.ts absent roots) instead of "unknown variable" on each path, or a
 * `default`/`#if` silently choosing the fallback for every cluster.
 */
export function missingContextMessage(
  env: ArgoEnv,
  overrides: Readonly<Record<string, string>>,
): string | undefined {
  const raw = env.userEnv[CLUSTER_CONTEXT_ENV];
  if (raw !== undefined && raw.trim() !== '') return undefined;
  if (env.parameters.some((p) => p.name === CLUSTER_PARAMETER)) return undefined;
  if (Object.keys(overrides).length > 0) return undefined;
  const state = raw === undefined ? 'is not set' : 'is empty';
  return (
    `the cluster context is missing: ARGOCD_ENV_${CLUSTER_CONTEXT_ENV} ${state}. Argo CD sets it from the ` +
    `Application's plugin env entry ${CLUSTER_CONTEXT_ENV}: in the ApplicationSet template give ` +
    `source.plugin.env: [{name: ${CLUSTER_CONTEXT_ENV}, value: '{{ .clusterContext }}'}] ` +
    `('{{clusterContext}}' without goTemplate), or the map parameter "${CLUSTER_PARAMETER}" ` +
    '(eks-overlay render/validate: --context <file> or --cluster key=value)'
  );
}

/** Flattens a context into the dotted keys the `cluster` map parameter accepts (for the parameters announcement). */
export function flattenClusterView(view: ClusterView): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (v: unknown, path: string): void => {
    if (isMap(v)) {
      for (const [k, child] of Object.entries(v)) walk(child, path === '' ? k : `${path}.${k}`);
    } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      out[path] = String(v);
    }
  };
  walk(view, '');
  return out;
}

/**
 * Refuses what templates could misuse: keys naming prototypes (anywhere), and non-strings in the string maps
 * (a label holding a map would render as "[object Object]" into a layer path and skip the layer silently).
 */
function checkContext(context: object, issues: string[]): void {
  const name = `ARGOCD_ENV_${CLUSTER_CONTEXT_ENV}`;
  const stack: [unknown, string][] = [[context, '']];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    for (const [k, child] of Object.entries(v)) {
      const here = at === '' ? k : `${at}.${k}`;
      if (FORBIDDEN_SEGMENTS.has(k)) {
        issues.push(`${name}: key ${JSON.stringify(here)} is not allowed`);
        continue;
      }
      stack.push([child, here]);
    }
  }
  const root = context as Record<string, unknown>;
  for (const mapPath of STRING_MAPS) {
    const [outer, inner] = mapPath.split('.') as [string, string];
    const parent = root[outer];
    const map = isMap(parent) ? parent[inner] : undefined;
    if (map === undefined || map === null) continue;
    if (!isMap(map)) {
      issues.push(`${name}: ${mapPath} must be a map of strings`);
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== 'string' && !FORBIDDEN_SEGMENTS.has(k))
        issues.push(`${name}: ${mapPath}.${k} must be a string`);
    }
  }
}

/** Iterative, so a hostile depth cannot overflow the stack while it is being measured. */
function deeperThan(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}
