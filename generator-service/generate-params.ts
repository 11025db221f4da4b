import { clusterToParams, type Cluster, type ClusterParams } from '../core/cluster';
import { InputError, NotReadyError } from '../core/errors';
import { matchesSelector } from '../core/selector';
import type { AddonDefaults, FleetSnapshot } from '../core/snapshot';
import type { ClusterQuery } from './cluster-query';
import { JsonBufferBuilder } from './http/json-buffer';
import type { NameMatcher } from './name-glob';
import { checkQueryCovered, coverageOf } from './query-coverage';
import { versionInRange } from './semver-range';

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
 * of every cluster name, the worst case of the glob walk (name-glob.ts). Measured on 2 shared cores, adversarial
 * globs at the bound take ~0.1 s (1,000 or 10,000 clusters), where 1,000 such globs took 4-10 s unbounded; ten
 * globs of ten characters against 10,000 clusters of 30-character names use 15% of it, and exact names (no `*`
 * or `?`) cost nothing.
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
 * The reply body `{"output":{"parameters":[...]}}` for a query on a snapshot (argocd-contract.md §A4), as the
 * bytes `JSON.stringify` would give for the whole object. Each parameter set is built and serialized in turn and
 * dropped, so neither a fleet-sized params array nor a fleet-sized string is ever held: at 10,000 clusters they
 * would be ~22 MB and ~27 MB of heap next to the cached reply. Params are not cached per cluster either: the
 * response cache keeps the bytes, and a miss costs ~0.4 s per 10,000 selected clusters.
 */
export function generateParamsBody(snapshot: FleetSnapshot, q: ClusterQuery): Buffer {
  const addons = q.addons;
  const clusters = snapshot.clusters;
  checkQueryCovered(q, coverageOf(snapshot.parts, clusters));
  if (q.names) checkNameGlobBudget(q.names, clusters);
  const selected = selectFrom(clusters, q);
  if (addons) {
    // Not ready before unknown names: with no defaults published yet, every name would look unknown.
    checkAddonVersionsKnown(selected, snapshot.addonDefaults);
    checkAddons(addons, snapshot.addonDefaults);
  }
  const out = new JsonBufferBuilder();
  out.append(q.flatList ? '{"output":{"parameters":[{"clusters":[' : '{"output":{"parameters":[');
  let first = true;
  for (const c of selected) {
    const params: ParamSet = clusterToParams(c);
    let set = params;
    if (addons) {
      const forVersion = snapshot.addonDefaults[minorVersion(c.aws.version)] ?? {};
      // A string for every add-on, "" when this version offers no default for it, so templates never see a
      // missing key.
      set = { ...params, addons: Object.fromEntries(addons.map((n) => [n, forVersion[n] ?? ''])) };
    }
    out.append(first ? JSON.stringify(set) : `,${JSON.stringify(set)}`);
    first = false;
  }
  out.append(q.flatList ? ']}]}}' : ']}}');
  return out.finish();
}
