import { clusterToParams, type Cluster, type ClusterParams } from '../core/cluster';
import { InputError } from '../core/errors';
import { matchesSelector } from '../core/selector';
import type { AddonDefaults, FleetSnapshot } from '../core/snapshot';
import type { ClusterQuery } from './cluster-query';
import { versionInRange } from './semver-range';

/** Clusters of the snapshot that the query selects, in the snapshot's (name) order. */
export function selectClusters(snapshot: FleetSnapshot, q: ClusterQuery): Cluster[] {
  return snapshot.clusters.filter(
    (c) =>
      q.statuses.has(c.aws.status) &&
      (q.regions === undefined || q.regions.has(c.aws.region)) &&
      (q.accountIds === undefined || q.accountIds.has(c.aws.accountId)) &&
      (q.names === undefined || q.names.some((g) => g.test(c.name))) &&
      (q.kubernetesVersion === undefined || versionInRange(c.aws.version, q.kubernetesVersion)) &&
      matchesSelector(q.selector, c.labels),
  );
}

export type ParamSet = ClusterParams & { readonly addons?: Readonly<Record<string, string>> };

// Cluster objects are immutable and shared across snapshots while unchanged, so their params are computed once.
const paramsCache = new WeakMap<Cluster, ClusterParams>();

function paramsOf(c: Cluster): ClusterParams {
  let p = paramsCache.get(c);
  if (p === undefined) {
    p = clusterToParams(c);
    paramsCache.set(c, p);
  }
  return p;
}

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

/** The reply body `{"output":{"parameters":[...]}}` for a query on a snapshot (argocd-contract.md §A4). */
export function generateParamsBody(snapshot: FleetSnapshot, q: ClusterQuery): string {
  if (q.addons) checkAddons(q.addons, snapshot.addonDefaults);
  const sets: ParamSet[] = selectClusters(snapshot, q).map((c) => {
    const params = paramsOf(c);
    if (!q.addons) return params;
    const forVersion = snapshot.addonDefaults[minorVersion(c.aws.version)] ?? {};
    // A string for every add-on, "" when this version has no default, so templates never see a missing key.
    const addons = Object.fromEntries(q.addons.map((n) => [n, forVersion[n] ?? '']));
    return { ...params, addons };
  });
  const parameters = q.flatList ? [{ clusters: sets }] : sets;
  return JSON.stringify({ output: { parameters } });
}
