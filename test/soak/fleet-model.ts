import type { AwsFake } from '../fakes/aws/aws-fake';
import type { FakeCluster } from '../fakes/aws/fleet';

/**
 * The soak's own record of the fleet the fake holds: every change is applied to the fake synchronously (the fake
 * runs in this process, so a change is atomic for it) and recorded as a numbered generation with the time it was
 * applied. Answers are later checked against these generations: a 200 may only show a state (or, for a listing
 * that ran across a change, a blend of consecutive states) the fake really had.
 */

export const HOME_ACCOUNT = '111111111111';

export interface SoakRegion {
  readonly region: string;
  /** Cluster name prefix; names are unique across regions because the registry refuses duplicates. */
  readonly prefix: string;
  readonly initial: number;
}

export const SOAK_REGIONS: readonly SoakRegion[] = [
  { region: 'us-east-1', prefix: 'use1', initial: 150 },
  { region: 'eu-west-1', prefix: 'euw1', initial: 120 },
  { region: 'us-west-2', prefix: 'usw2', initial: 60 },
];

const ENVS = ['prod', 'dev', 'staging'] as const;
const TIERS = ['web', 'data', 'batch'] as const;
const VERSIONS = ['1.28', '1.29', '1.30', '1.31'] as const;

/** What the checks need to know about a cluster; names are never reused, so the name is the key. */
export interface ClusterMeta {
  readonly name: string;
  readonly region: string;
  readonly env: string;
  readonly tier: string;
  readonly version: string;
  /** Tagged argocd=enabled and ACTIVE: what EKS discovery with EKS_ENROLL_SELECTOR=argocd=enabled serves. */
  readonly visible: boolean;
}

export interface Generation {
  readonly index: number;
  /** Date.now() when the change was applied to the fake. */
  readonly at: number;
  readonly label: string;
  /** region → names of the visible clusters. */
  readonly visible: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface FleetChange {
  readonly label: string;
  readonly add?: Readonly<Record<string, number>>;
  readonly remove?: Readonly<Record<string, number>>;
}

function fakeClusterFor(prefix: string, i: number): FakeCluster {
  // Every 25th cluster is not enrolled and every 40th is still CREATING (no endpoint): both must stay out.
  const enrolled = i % 25 !== 24;
  return {
    name: `${prefix}-${String(i).padStart(3, '0')}`,
    version: VERSIONS[i % VERSIONS.length] ?? '1.30',
    ...(i % 40 === 39 ? { status: 'CREATING' as const } : {}),
    tags: {
      argocd: enrolled ? 'enabled' : 'disabled',
      env: ENVS[i % ENVS.length] ?? 'dev',
      tier: TIERS[Math.floor(i / 2) % TIERS.length] ?? 'web',
      team: `team-${i % 7}`,
    },
  };
}

export class FleetModel {
  readonly generations: Generation[] = [];
  private readonly meta = new Map<string, ClusterMeta>();
  /** region → names present in the fake (visible or not), in insertion order. */
  private readonly present = new Map<string, string[]>();
  private readonly nextIndex = new Map<string, number>();

  constructor(
    private readonly fake: AwsFake,
    private readonly now: () => number = Date.now,
  ) {
    for (const r of SOAK_REGIONS) {
      this.present.set(r.region, []);
      this.nextIndex.set(r.region, 0);
      this.add(r, r.initial);
    }
    this.record('initial fleet');
  }

  metaOf(name: string): ClusterMeta | undefined {
    return this.meta.get(name);
  }

  get current(): Generation {
    const g = this.generations[this.generations.length - 1];
    if (g === undefined) throw new Error('fleet model has no generation');
    return g;
  }

  /** The newest generation applied at or before `t`. */
  generationAt(t: number): number {
    let g = 0;
    for (const gen of this.generations) if (gen.at <= t) g = gen.index;
    return g;
  }

  totalVisible(g: Generation = this.current): number {
    let n = 0;
    for (const s of g.visible.values()) n += s.size;
    return n;
  }

  /**
   * Adds new clusters (fresh names) and removes the oldest visible ones, all in one synchronous step.
   * Removing only visible clusters makes every change observable through the generator.
   */
  apply(change: FleetChange): Generation {
    for (const [region, count] of Object.entries(change.add ?? {})) {
      this.add(this.regionOf(region), count);
    }
    for (const [region, count] of Object.entries(change.remove ?? {})) {
      const names = this.present.get(region) ?? [];
      const victims = names.filter((n) => this.meta.get(n)?.visible === true).slice(0, count);
      for (const n of victims) this.fake.removeCluster(HOME_ACCOUNT, region, n);
      this.present.set(
        region,
        names.filter((n) => !victims.includes(n)),
      );
    }
    return this.record(change.label);
  }

  private regionOf(region: string): SoakRegion {
    const r = SOAK_REGIONS.find((x) => x.region === region);
    if (r === undefined) throw new Error(`soak fleet has no region ${region}`);
    return r;
  }

  private add(r: SoakRegion, count: number): void {
    const start = this.nextIndex.get(r.region) ?? 0;
    for (let i = start; i < start + count; i++) {
      const c = fakeClusterFor(r.prefix, i);
      this.fake.addCluster(HOME_ACCOUNT, r.region, c);
      this.meta.set(c.name, {
        name: c.name,
        region: r.region,
        env: c.tags?.['env'] ?? '',
        tier: c.tags?.['tier'] ?? '',
        version: c.version ?? '',
        visible: c.tags?.['argocd'] === 'enabled' && c.status === undefined,
      });
      this.present.get(r.region)?.push(c.name);
    }
    this.nextIndex.set(r.region, start + count);
  }

  private record(label: string): Generation {
    const visible = new Map<string, ReadonlySet<string>>();
    for (const [region, names] of this.present) {
      visible.set(region, new Set(names.filter((n) => this.meta.get(n)?.visible === true)));
    }
    const g: Generation = { index: this.generations.length, at: this.now(), label, visible };
    this.generations.push(g);
    return g;
  }
}
