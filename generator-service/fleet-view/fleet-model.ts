/**
 * What the view derives from one snapshot, computed once per snapshot version and shared by every request:
 * counts per status, Kubernetes version and environment, the blue/green pairs, and the sort orders (made on
 * first use). A request then only filters and slices, so a page of a 10,000-cluster fleet costs a pass over
 * precomputed indexes and never a sort (generator-service/fleet-view/README.md, "Cost").
 */
import type { Cluster } from '../../core/cluster';
import type { FleetSnapshot } from '../../core/snapshot';

export const SORT_KEYS = [
  'name',
  'account',
  'region',
  'env',
  'version',
  'status',
  'group',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** The label whose value is a cluster's environment (charts, the `env` column and sort). */
export const ENV_LABEL = 'env';
export const NONE = '(none)';

export interface Pair {
  readonly group: string;
  /** Indexes into `clusters`, name order; a well-formed pair has one of each. */
  readonly blue: readonly number[];
  readonly green: readonly number[];
  /** Members without a color. */
  readonly other: readonly number[];
}

export interface FleetModel {
  readonly snapshot: FleetSnapshot;
  readonly clusters: readonly Cluster[];
  readonly byStatus: readonly (readonly [string, number])[];
  readonly byVersion: readonly (readonly [string, number])[];
  readonly byEnv: readonly (readonly [string, number])[];
  readonly pairs: readonly Pair[];
  /** Cluster indexes in the order of `key` (ties by name); ascending. Made once per key. */
  order(key: SortKey): Int32Array;
}

/** `1.30`, `1.30.2`, `v1.30` → [1, 30]; anything else sorts last. */
export function minorOf(version: string): readonly [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function minorText(version: string): string {
  const m = minorOf(version);
  return m === undefined ? version || NONE : `${m[0]}.${m[1]}`;
}

function compareVersions(a: string, b: string): number {
  const x = minorOf(a);
  const y = minorOf(b);
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  return x[0] - y[0] || x[1] - y[1];
}

function keyOf(c: Cluster, key: SortKey): string {
  switch (key) {
    case 'name':
      return c.name;
    case 'account':
      return c.aws.accountId;
    case 'region':
      return c.aws.region;
    case 'env':
      return c.labels[ENV_LABEL] ?? '';
    case 'version':
      return c.aws.version;
    case 'status':
      return c.aws.status;
    case 'group':
      return c.upgrade.group;
  }
}

function counted(values: Iterable<string>, compare: (a: string, b: string) => number) {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => compare(a[0], b[0]));
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function buildFleetModel(snapshot: FleetSnapshot): FleetModel {
  const clusters = snapshot.clusters;
  const groups = new Map<string, { blue: number[]; green: number[]; other: number[] }>();
  clusters.forEach((c, i) => {
    if (c.upgrade.group === '') return;
    let g = groups.get(c.upgrade.group);
    if (g === undefined) groups.set(c.upgrade.group, (g = { blue: [], green: [], other: [] }));
    (c.upgrade.color === 'blue' ? g.blue : c.upgrade.color === 'green' ? g.green : g.other).push(i);
  });
  const pairs = [...groups.entries()]
    .sort((a, b) => byText(a[0], b[0]))
    .map(([group, m]) => Object.freeze({ group, ...m }));
  const orders = new Map<SortKey, Int32Array>();
  return {
    snapshot,
    clusters,
    byStatus: counted(
      clusters.map((c) => c.aws.status),
      byText,
    ),
    byVersion: counted(
      clusters.map((c) => minorText(c.aws.version)),
      compareVersions,
    ),
    byEnv: counted(
      clusters.map((c) => c.labels[ENV_LABEL] ?? NONE),
      byText,
    ),
    pairs,
    order(key) {
      let o = orders.get(key);
      if (o === undefined) {
        o = Int32Array.from(clusters.keys());
        if (key !== 'name') {
          // The snapshot is in name order, so the index breaks ties by name.
          const compare = key === 'version' ? compareVersions : byText;
          const keys = clusters.map((c) => keyOf(c, key));
          o.sort((a, b) => compare(keys[a] ?? '', keys[b] ?? '') || a - b);
        }
        orders.set(key, o);
      }
      return o;
    },
  };
}

/** The model of the latest snapshot, rebuilt only when the snapshot version changes. */
export function modelCache(): (snapshot: FleetSnapshot) => FleetModel {
  let model: FleetModel | undefined;
  return (snapshot) => {
    if (model?.snapshot !== snapshot) model = buildFleetModel(snapshot);
    return model;
  };
}
