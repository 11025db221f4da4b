import type { ClusterMeta } from './fleet-model';
import { SOAK_REGIONS } from './fleet-model';

/**
 * The parameter sets the soak sends, each with the filter the generator must apply, written here independently
 * of the generator's code. Most requests repeat a few ApplicationSet-like queries (response-cache hits); the
 * name globs and single-name queries outnumber the cache (256 entries) and keep producing misses.
 */
export interface QuerySpec {
  readonly id: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly matches: (c: ClusterMeta) => boolean;
  /** Add-on names asked for: every item must carry `addons` with exactly these keys. */
  readonly addons?: readonly string[];
}

const minor = (v: string): number => Number(/^1\.(\d+)/.exec(v)?.[1] ?? NaN);

const FIXED: readonly (QuerySpec & { weight: number })[] = [
  { id: 'all', weight: 8, parameters: {}, matches: () => true },
  {
    id: 'prod',
    weight: 20,
    parameters: { selector: { matchLabels: { env: 'prod' } } },
    matches: (c) => c.env === 'prod',
  },
  {
    id: 'use1-dev',
    weight: 14,
    parameters: { regions: ['us-east-1'], selector: { matchLabels: { env: 'dev' } } },
    matches: (c) => c.region === 'us-east-1' && c.env === 'dev',
  },
  {
    id: 'web-or-data',
    weight: 10,
    parameters: {
      selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'data'] }] },
    },
    matches: (c) => c.tier === 'web' || c.tier === 'data',
  },
  {
    id: 'k8s-1.30-addons',
    weight: 14,
    parameters: { kubernetesVersion: '>=1.30', addons: ['vpc-cni', 'coredns'] },
    matches: (c) => minor(c.version) >= 30,
    addons: ['vpc-cni', 'coredns'],
  },
  {
    id: 'west',
    weight: 10,
    parameters: {
      regions: ['eu-west-1', 'us-west-2'],
      selector: { matchLabels: { env: 'staging' } },
    },
    matches: (c) => (c.region === 'eu-west-1' || c.region === 'us-west-2') && c.env === 'staging',
  },
];

/** `use1-03*` and the like: 30 variants. */
function globSpecs(): QuerySpec[] {
  return SOAK_REGIONS.flatMap((r) =>
    Array.from({ length: 10 }, (_, d) => {
      const prefix = `${r.prefix}-0${d}`;
      return {
        id: `glob:${prefix}*`,
        parameters: { names: [`${prefix}*`] },
        matches: (c: ClusterMeta) => c.name.startsWith(prefix),
      };
    }),
  );
}

/** One query per initial cluster name: more keys than the response cache holds. */
function singleNameSpecs(): QuerySpec[] {
  return SOAK_REGIONS.flatMap((r) =>
    Array.from({ length: r.initial }, (_, i) => {
      const name = `${r.prefix}-${String(i).padStart(3, '0')}`;
      return {
        id: `name:${name}`,
        parameters: { names: [name] },
        matches: (c: ClusterMeta) => c.name === name,
      };
    }),
  );
}

/** mulberry32: a small seeded generator, so a run's request sequence can be replayed with SOAK_SEED. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface QueryMix {
  readonly specs: ReadonlyMap<string, QuerySpec>;
  pick(): QuerySpec;
}

/** Fixed queries by weight (76 %), globs 12 %, single names 12 %. */
export function queryMix(random: () => number): QueryMix {
  const globs = globSpecs();
  const singles = singleNameSpecs();
  const specs = new Map<string, QuerySpec>();
  for (const s of [...FIXED, ...globs, ...singles]) specs.set(s.id, s);
  const fixedTotal = FIXED.reduce((n, s) => n + s.weight, 0);
  const pickFrom = <T>(list: readonly T[]): T => {
    const v = list[Math.floor(random() * list.length)];
    if (v === undefined) throw new Error('empty query list');
    return v;
  };
  return {
    specs,
    pick() {
      const r = random() * 100;
      if (r < 12) return pickFrom(globs);
      if (r < 24) return pickFrom(singles);
      let w = random() * fixedTotal;
      for (const s of FIXED) {
        w -= s.weight;
        if (w < 0) return s;
      }
      return pickFrom(FIXED);
    },
  };
}
