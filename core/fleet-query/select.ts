import { clusterToParams, type Cluster, type ClusterParams } from '../cluster';
import { InputError, NotReadyError } from '../errors';
import { matchesSelector } from '../selector';
import type { AddonDefaults, FleetSnapshot } from '../snapshot';
import type { ClusterQuery } from './cluster-query';
import type { NameMatcher } from './name-glob';
import { checkQueryCovered, coverageOf } from './query-coverage';
import { versionInRange } from './version-range';

/** Clusters of the snapshot that the query selects, in the snapshot's (name) order. */
export function selectClusters(snapshot: FleetSnapshot, q: ClusterQuery): Cluster[] {
  return selectFrom(snapshot.clusters, q);
}

function selectFrom(clusters: readonly Cluster[], q: ClusterQuery): Cluster[] {
  return clusters.filter(
    (c) =>
      q.statuses.has(c.aws.status) &&
      (q.regions === undefined || q.regions.has(c.aws.region)) &&
      (q.accountIds === undefined || q.accountIds.has(c.aws.accountId)) &&
      (q.names === undefined || q.names.test(c.name)) &&
      (q.kubernetesVersion === undefined || versionInRange(c.aws.version, q.kubernetesVersion)) &&
      matchesSelector(q.selector, c.labels),
  );
}

/**
 * Bound on what the `names` globs of one request may cost: code points of the globs with wildcards × code units
 * of every cluster name, the worst case of the glob walk (name-glob.ts). Adversarial globs unbounded burn seconds
 * of CPU on one request; the bound leaves room for any realistic list of globs, and exact names (no `*` or `?`)
 * cost nothing.
 */
export const MAX_NAME_GLOB_WORK = 200_000_000;

/** Refuses (400) globs whose matching against this fleet could burn seconds of CPU. */
function checkNameGlobBudget(names: NameMatcher, clusters: readonly Cluster[]): void {
  if (names.wildcardGlobs === 0) return;
  let nameLength = 0;
  for (const c of clusters) nameLength += c.name.length;
  if (names.wildcardCodePoints * nameLength <= MAX_NAME_GLOB_WORK) return;
  throw new InputError(
    `input.parameters.names: ${names.wildcardGlobs} globs with wildcards (${names.wildcardCodePoints} characters in all) against the names of ${clusters.length} clusters exceed the matching budget of one request; use fewer or shorter globs, or exact names (they cost nothing)`,
  );
}

export type ParamSet = ClusterParams & { readonly addons?: Readonly<Record<string, string>> };

/** `1.30.2` → `1.30`; the key of AddonDefaults. */
export function minorVersion(version: string): string {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? `${m[1]}.${m[2]}` : version;
}

function checkAddons(names: readonly string[], defaults: AddonDefaults): void {
  const known = new Set(Object.values(defaults).flatMap((byName) => Object.keys(byName)));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    const list = [...known].sort();
    throw new InputError(
      `input.parameters.addons: unknown add-on${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${list.length > 0 ? list.join(', ') : 'none; the cluster source has no add-on defaults'})`,
    );
  }
}

/**
 * Refuses (503) while a selected cluster's Kubernetes version has no add-on defaults at all: its add-ons would
 * otherwise be answered "", a wrong version handed to Argo CD. EKS discovery publishes a version once its first
 * lookup succeeds, so this clears by itself; an add-on missing from a version that is known stays "".
 */
function checkAddonVersionsKnown(clusters: readonly Cluster[], defaults: AddonDefaults): void {
  const missing = new Set<string>();
  for (const c of clusters) {
    const v = minorVersion(c.aws.version);
    if (defaults[v] === undefined) missing.add(v);
  }
  if (missing.size > 0) {
    const versions = [...missing].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    throw new NotReadyError(
      `no add-on defaults for Kubernetes ${versions.join(', ')} (not looked up yet, or not in the fleet file)`,
    );
  }
}

/**
 * The clusters a query selects from a snapshot, after every check that must refuse the whole query rather than
 * answer part of it: regions or accounts no source covers, globs too costly for this fleet (400), add-on versions
 * not known yet (503) or unknown add-on names (400).
 */
export function selectForQuery(snapshot: FleetSnapshot, q: ClusterQuery): Cluster[] {
  const clusters = snapshot.clusters;
  checkQueryCovered(q, coverageOf(snapshot.parts, clusters));
  if (q.names) checkNameGlobBudget(q.names, clusters);
  const selected = selectFrom(clusters, q);
  if (q.addons) {
    // Not ready before unknown names: with no defaults published yet, every name would look unknown.
    checkAddonVersionsKnown(selected, snapshot.addonDefaults);
    checkAddons(q.addons, snapshot.addonDefaults);
  }
  return selected;
}

/** One cluster's parameter set, with `addons` when the query asks for them. */
export function paramSetOf(c: Cluster, q: ClusterQuery, addonDefaults: AddonDefaults): ParamSet {
  const params: ParamSet = clusterToParams(c);
  if (!q.addons) return params;
  const forVersion = addonDefaults[minorVersion(c.aws.version)] ?? {};
  // A string for every add-on, "" when this version offers no default for it, so templates never see a
  // missing key.
  return {
    ...params,
    addons: Object.fromEntries(q.addons.map((n) => [n, forVersion[n] ?? ''])),
  };
}
