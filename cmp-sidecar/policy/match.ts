import { matchesSelector } from '../../core/selector';
import { isMap } from './parse-match';
import type { GatekeeperMatch, Json, MatchResources, ResourceRule } from './types';
import type { AdmissionSubject } from './subject';

/**
 * Whether an admission request is matched by a policy's matchConstraints or a binding's matchResources
 * (policy-cel.md §A.3, Kubernetes' matching.go), and by a Gatekeeper constraint's spec.match (§B.4).
 */
export function labelsOf(o: Json | null): Record<string, string> {
  if (o === null) return {};
  const md = isMap(o['metadata']) ? o['metadata'] : {};
  const labels = md['labels'];
  if (!isMap(labels)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

function ruleMatches(rule: ResourceRule, s: AdmissionSubject): boolean {
  const r = s.resource;
  if (rule.scope === 'Namespaced' && (r.resource === 'namespaces' || s.namespace === ''))
    return false;
  if (rule.scope === 'Cluster' && !(r.resource === 'namespaces' || s.namespace === ''))
    return false;
  if (!rule.operations.includes('*') && !rule.operations.includes(s.operation)) return false;
  if (!ruleNamesResource(rule, r.group, r.resource)) return false;
  if (!rule.apiVersions.includes('*') && !rule.apiVersions.includes(r.version)) return false;
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(s.name);
}

/** The rule's API group and resource part, which depend only on the request's (group, resource). */
function ruleNamesResource(rule: ResourceRule, group: string, resource: string): boolean {
  if (!rule.apiGroups.includes('*') && !rule.apiGroups.includes(group)) return false;
  // Entries are `res[/sub]`; a request for the main resource has subresource "", which `res` alone and `res/*`
  // match (rules.go: sub "*" matches any subresource, the empty one included).
  return rule.resources.some(
    (entry) =>
      entry === '*' ||
      entry === resource ||
      entry === '*/*' ||
      (entry.endsWith('/*') && entry.slice(0, -2) === resource),
  );
}

/**
 * False when no request for (group, resource) can match: a cheap first sieve, by what does not vary between
 * objects of one resource, before matchesResources decides.
 */
export function mayMatchResource(m: MatchResources, group: string, resource: string): boolean {
  return (
    m.resourceRules.length === 0 ||
    m.resourceRules.some((r) => ruleNamesResource(r, group, resource))
  );
}

/** The labels a namespaceSelector is matched against, or undefined when it always matches (cluster-scoped). */
function namespaceLabels(s: AdmissionSubject): Record<string, string> | undefined {
  if (s.resource.resource === 'namespaces' && s.resource.group === '') {
    // A Namespace is matched by its own labels (the stored one's on DELETE), defaulted name label included.
    return { ...labelsOf(s.object ?? s.oldObject), 'kubernetes.io/metadata.name': s.name };
  }
  if (s.namespace === '') return undefined;
  return s.namespaceInfo.labels;
}

export function matchesResources(m: MatchResources, s: AdmissionSubject): boolean {
  if (m.excludeResourceRules.some((r) => ruleMatches(r, s))) return false;
  if (m.resourceRules.length > 0 && !m.resourceRules.some((r) => ruleMatches(r, s))) return false;
  const nsLabels = namespaceLabels(s);
  if (nsLabels !== undefined && !matchesSelector(m.namespaceSelector, nsLabels)) return false;
  if (m.objectSelector.requirements.length > 0) {
    const objectMatches =
      s.object !== null && matchesSelector(m.objectSelector, labelsOf(s.object));
    const oldMatches =
      s.oldObject !== null && matchesSelector(m.objectSelector, labelsOf(s.oldObject));
    if (!objectMatches && !oldMatches) return false;
  }
  return true;
}

/** Gatekeeper's namespace globs: `kube-*`, `*-system`, `*mid*`, or exact. */
function globMatches(pattern: string, value: string): boolean {
  if (pattern.startsWith('*') && pattern.endsWith('*') && pattern.length > 1)
    return value.includes(pattern.slice(1, -1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

function gatekeeperMatchesOne(m: GatekeeperMatch, o: Json, s: AdmissionSubject): boolean {
  const isNamespace = s.resource.group === '' && s.kind === 'Namespace';
  const ns = isNamespace ? s.name : s.namespace;
  if (!mayMatchKind(m, s.resource.group, s.kind)) return false;
  if (m.scope === 'Cluster' && !(isNamespace || s.namespace === '')) return false;
  if (m.scope === 'Namespaced' && (isNamespace || s.namespace === '')) return false;
  const clusterScopedOther = !isNamespace && s.namespace === '';
  if (!clusterScopedOther) {
    if (m.namespaces.length > 0 && !m.namespaces.some((p) => globMatches(p, ns))) return false;
    if (m.excludedNamespaces.some((p) => globMatches(p, ns))) return false;
  }
  if (m.labelSelector !== undefined && !matchesSelector(m.labelSelector, labelsOf(o))) return false;
  if (m.namespaceSelector !== undefined && !clusterScopedOther) {
    const labels = isNamespace
      ? { ...labelsOf(o), 'kubernetes.io/metadata.name': s.name }
      : s.namespaceInfo.labels;
    if (!matchesSelector(m.namespaceSelector, labels)) return false;
  }
  if (m.name !== undefined) {
    const md = isMap(o['metadata']) ? o['metadata'] : {};
    const name = typeof md['name'] === 'string' ? md['name'] : '';
    const generateName = typeof md['generateName'] === 'string' ? md['generateName'] : '';
    const prefixOrContains = m.name.endsWith('*');
    if (!globMatches(m.name, name) && !(prefixOrContains && globMatches(m.name, generateName)))
      return false;
  }
  return true;
}

/** spec.match.kinds: the part of a Gatekeeper match that depends only on the request's (group, kind). */
export function mayMatchKind(m: GatekeeperMatch, group: string, kind: string): boolean {
  return (
    m.kinds.length === 0 ||
    m.kinds.some(
      (k) =>
        (k.kinds.length === 0 || k.kinds.includes('*') || k.kinds.includes(kind)) &&
        (k.apiGroups.length === 0 || k.apiGroups.includes('*') || k.apiGroups.includes(group)),
    )
  );
}

/** Tried against the object and the old object; either matching is enough (null ones skipped). */
export function gatekeeperMatches(m: GatekeeperMatch, s: AdmissionSubject): boolean {
  return (
    (s.object !== null && gatekeeperMatchesOne(m, s.object, s)) ||
    (s.oldObject !== null && gatekeeperMatchesOne(m, s.oldObject, s))
  );
}
