import { ConfigError } from '../core/errors';
import type { AppParameter, ArgoEnv, ClusterView } from './render/stages';

/** `spec.source.plugin.env` entry holding the generator's `clusterContext` JSON (ARGOCD_ENV_CLUSTER_CONTEXT). */
export const CLUSTER_CONTEXT_ENV = 'CLUSTER_CONTEXT';
/** The map parameter whose entries override the context. */
export const CLUSTER_PARAMETER = 'cluster';

/** Maps whose keys contain dots themselves: in a dotted path, whatever follows them is one key. */
const STRING_MAPS = ['metadata.labels', 'metadata.annotations', 'aws.tags'];
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

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
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        base = structuredClone(parsed) as Record<string, unknown>;
      } else
        issues.push(
          `ARGOCD_ENV_${CLUSTER_CONTEXT_ENV} must be a JSON object (the generator's clusterContext)`,
        );
    } catch (e) {
      issues.push(`ARGOCD_ENV_${CLUSTER_CONTEXT_ENV} is not valid JSON: ${(e as Error).message}`);
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
