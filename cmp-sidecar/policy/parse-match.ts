import { EVERYTHING, selectorFromObject } from '../../core/selector';
import type { LabelSelector } from '../../core/selector';
import type { GatekeeperMatch, Json, MatchResources, ResourceRule } from './types';

/**
 * Reads the matching sections of policies as the API server stores them, with its defaults applied (policy-cel.md
 * §A.1: selectors `{}`, matchPolicy Equivalent, rule scope `*`); every problem is pushed to `issues` naming its path.
 */
export function isMap(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function strings(v: unknown, at: string, issues: string[]): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  issues.push(`${at}: must be a list of strings`);
  return [];
}

export function parseSelector(v: unknown, at: string, issues: string[]): LabelSelector | undefined {
  if (v === undefined || v === null) return undefined;
  const parsed = selectorFromObject(v, at);
  if ('issues' in parsed) {
    issues.push(...parsed.issues);
    return undefined;
  }
  return parsed.selector;
}

function parseRules(v: unknown, at: string, issues: string[]): ResourceRule[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    issues.push(`${at}: must be a list of rules`);
    return [];
  }
  return v.map((raw, i) => {
    const here = `${at}[${i}]`;
    const r = isMap(raw) ? raw : {};
    if (!isMap(raw)) issues.push(`${here}: must be a map`);
    const scope = r['scope'] ?? '*';
    if (scope !== '*' && scope !== 'Namespaced' && scope !== 'Cluster')
      issues.push(`${here}.scope: must be "*", "Namespaced" or "Cluster"`);
    const rule: ResourceRule = {
      operations: strings(r['operations'], `${here}.operations`, issues),
      apiGroups: strings(r['apiGroups'], `${here}.apiGroups`, issues),
      apiVersions: strings(r['apiVersions'], `${here}.apiVersions`, issues),
      resources: strings(r['resources'], `${here}.resources`, issues),
      resourceNames: strings(r['resourceNames'], `${here}.resourceNames`, issues),
      scope: scope === 'Namespaced' || scope === 'Cluster' ? scope : '*',
    };
    for (const key of ['operations', 'apiGroups', 'apiVersions', 'resources'] as const)
      if (rule[key].length === 0) issues.push(`${here}.${key}: must not be empty`);
    return rule;
  });
}

export function parseMatchResources(
  v: unknown,
  at: string,
  issues: string[],
  requireRules: boolean,
): MatchResources {
  const m = isMap(v) ? v : {};
  if (v !== undefined && v !== null && !isMap(v)) issues.push(`${at}: must be a map`);
  const matchPolicy = m['matchPolicy'] ?? 'Equivalent';
  if (matchPolicy !== 'Exact' && matchPolicy !== 'Equivalent')
    issues.push(`${at}.matchPolicy: must be "Exact" or "Equivalent"`);
  const resourceRules = parseRules(m['resourceRules'], `${at}.resourceRules`, issues);
  if (requireRules && resourceRules.length === 0)
    issues.push(`${at}.resourceRules: a policy needs at least one rule`);
  return {
    namespaceSelector:
      parseSelector(m['namespaceSelector'], `${at}.namespaceSelector`, issues) ?? EVERYTHING,
    objectSelector:
      parseSelector(m['objectSelector'], `${at}.objectSelector`, issues) ?? EVERYTHING,
    resourceRules,
    excludeResourceRules: parseRules(
      m['excludeResourceRules'],
      `${at}.excludeResourceRules`,
      issues,
    ),
    matchPolicy: matchPolicy === 'Exact' ? 'Exact' : 'Equivalent',
  };
}

export function parseGatekeeperMatch(v: unknown, at: string, issues: string[]): GatekeeperMatch {
  const m = isMap(v) ? v : {};
  if (v !== undefined && v !== null && !isMap(v)) issues.push(`${at}: must be a map`);
  const kindsRaw = m['kinds'];
  const kinds: GatekeeperMatch['kinds'][number][] = [];
  if (Array.isArray(kindsRaw)) {
    kindsRaw.forEach((k, i) => {
      const e = isMap(k) ? k : {};
      kinds.push({
        apiGroups: strings(e['apiGroups'], `${at}.kinds[${i}].apiGroups`, issues),
        kinds: strings(e['kinds'], `${at}.kinds[${i}].kinds`, issues),
      });
    });
  } else if (kindsRaw !== undefined && kindsRaw !== null)
    issues.push(`${at}.kinds: must be a list`);
  const name = m['name'];
  const labelSelector = parseSelector(m['labelSelector'], `${at}.labelSelector`, issues);
  const namespaceSelector = parseSelector(
    m['namespaceSelector'],
    `${at}.namespaceSelector`,
    issues,
  );
  return {
    kinds,
    scope: typeof m['scope'] === 'string' ? m['scope'] : '*',
    namespaces: strings(m['namespaces'], `${at}.namespaces`, issues),
    excludedNamespaces: strings(m['excludedNamespaces'], `${at}.excludedNamespaces`, issues),
    ...(labelSelector === undefined ? {} : { labelSelector }),
    ...(namespaceSelector === undefined ? {} : { namespaceSelector }),
    ...(typeof name === 'string' && name !== '' ? { name } : {}),
  };
}
