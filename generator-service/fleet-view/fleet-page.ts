/**
 * One page of the fleet view as data: the shape of `GET /api/v1/fleet` (documented in
 * generator-service/fleet-view/README.md) and what the HTML page renders. Built from the precomputed model, the
 * query and the other sources' latest states. Never holds CA data, tokens or anything a Secret holds: clusters
 * are copied field by field, never spread.
 */
import type { Cluster } from '../../core/cluster';
import { InputError } from '../../core/errors';
import { matchesSelector } from '../../core/selector';
import type { SourcePart } from '../../core/snapshot';
import type { Readiness } from '../snapshot/readiness';
import { ENV_LABEL, minorText, type FleetModel, type Pair } from './fleet-model';
import { encodeContinue, type FleetQuery } from './fleet-query';
import type { ClusterUpgrades, PairWeights, UpgradeInProgress } from './sources/cluster-upgrades';
import type { Registration, RegistrarStatus } from './sources/registrar-status';
import { dataOf, type SourceState } from './sources/source-state';

/** A `continue` token made on an older snapshot: the order may have changed, so the listing starts again. */
export class ContinueExpiredError extends InputError {}

export interface PartState extends SourcePart {
  /** True when this part makes the generator refuse to answer (too long without a successful read). */
  readonly stale: boolean;
}

export interface PageContext {
  readonly now: number;
  readonly readiness: Readiness;
  /** The source parts as of the latest refresh (the snapshot keeps those of its own build). */
  readonly parts: readonly PartState[];
  readonly registrar: SourceState<RegistrarStatus>;
  readonly upgrades: SourceState<ClusterUpgrades>;
  /** Removes anything secret from a message (known tokens, key-like strings). */
  readonly redact: (text: string) => string;
}

export interface ClusterRow {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly env: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly version: string;
  readonly platformVersion: string;
  readonly status: string;
  readonly upgrade: { readonly group: string; readonly color: string; readonly weight: string };
  readonly upgradeInProgress: UpgradeSummary | null;
  /** Add-on → default version for the cluster's Kubernetes minor; null when never looked up. */
  readonly addonDefaults: Readonly<Record<string, string>> | null;
  /** null: the registrar's state is unknown here (not installed, not leader, unreadable). */
  readonly registration: Registration | 'not-registered' | null;
  readonly registrationReason: string | null;
}

/** A ClusterUpgrade of the cluster's (or pair's) group, as its status stands. */
export interface UpgradeSummary {
  readonly name: string;
  readonly phase: string | null;
  readonly stage: string | null;
  readonly message: string | null;
  /** `number` counts from 1; `of` and `greenWeight` (the step's green weight, %) are null when the steps are unknown. */
  readonly step: {
    readonly number: number;
    readonly of: number | null;
    readonly greenWeight: number | null;
  } | null;
  /** Confirmed written; `blue` is the cluster traffic leaves, `green` the one it moves to. */
  readonly weights: PairWeights | null;
  /** What the current step asks for. */
  readonly targetWeights: PairWeights | null;
  /** The cluster traffic moves to, and its own color tag (`blue` from a group's second upgrade on). */
  readonly movesTo: { readonly name: string; readonly color: string | null } | null;
}

export interface PairMember {
  readonly name: string;
  readonly version: string;
  readonly status: string;
  readonly weight: string;
}

export interface PairRow {
  readonly group: string;
  readonly blue: readonly PairMember[];
  readonly green: readonly PairMember[];
  readonly uncolored: readonly PairMember[];
  readonly upgradeInProgress: UpgradeSummary | null;
}

export interface TargetRow {
  readonly id: string;
  readonly accountId: string | null;
  readonly region: string | null;
  readonly lastSuccessAt: string | null;
  readonly ageSeconds: number | null;
  readonly stale: boolean;
  readonly failing: boolean;
  readonly lastError: string | null;
  readonly pages: number | null;
  readonly calls: number | null;
}

export interface SourceSummary {
  readonly state: 'ok' | 'not-installed' | 'unavailable';
  readonly message: string | null;
  readonly readAt: string | null;
}

export interface FleetPage {
  readonly kind: 'FleetView';
  readonly apiVersion: 'v1';
  readonly generatedAt: string;
  readonly snapshot: {
    readonly version: number;
    readonly builtAt: string;
    readonly ageSeconds: number;
    readonly ready: boolean;
    readonly notReadyReason: string | null;
  };
  readonly summary: {
    readonly clusters: number;
    readonly byStatus: Readonly<Record<string, number>>;
    readonly byVersion: readonly { readonly version: string; readonly count: number }[];
    readonly byEnv: readonly { readonly env: string; readonly count: number }[];
    readonly targets: { readonly listed: number; readonly stale: number; readonly failing: number };
    readonly registration: Readonly<Record<Registration, number>> | null;
    readonly upgradesInProgress: number | null;
  };
  readonly sources: {
    readonly registrar: SourceSummary;
    readonly clusterUpgrades: SourceSummary;
  };
  readonly query: {
    readonly selector: string;
    readonly labelSelector: string;
    readonly sort: string;
    readonly order: string;
    readonly limit: number;
    readonly offset: number;
  };
  /** Clusters the selector matches (all pages). */
  readonly matched: number;
  readonly clusters: readonly ClusterRow[];
  /** Pass as `continue` for the next page; null on the last. */
  readonly continue: string | null;
  /** Upgrade groups with a member the selector matches (first MAX_PAIRS), blue and green side by side. */
  readonly pairs: readonly PairRow[];
  readonly pairsMatched: number;
  readonly targets: readonly TargetRow[];
}

export const MAX_PAIRS = 200;

function summaryOf<T>(s: SourceState<T>): SourceSummary {
  if (s.state === 'ok')
    return { state: 'ok', message: null, readAt: new Date(s.readAt).toISOString() };
  if (s.state === 'not-installed')
    return { state: 'not-installed', message: s.reason, readAt: null };
  return {
    state: 'unavailable',
    message: s.message,
    readAt: s.lastGood === undefined ? null : new Date(s.lastGood.readAt).toISOString(),
  };
}

function upgradeSummary(
  u: UpgradeInProgress | undefined,
  redact: (text: string) => string,
): UpgradeSummary | null {
  if (u === undefined) return null;
  const i = u.stepIndex;
  return {
    name: u.name,
    phase: u.phase ?? null,
    stage: u.stage ?? null,
    message: u.message === undefined ? null : redact(u.message),
    step:
      i === undefined || i < 0
        ? null
        : {
            number: i + 1,
            of: u.steps?.length ?? null,
            greenWeight: u.steps?.[i] ?? null,
          },
    weights: u.weights ?? null,
    targetWeights: u.targetWeights ?? null,
    movesTo:
      u.movesTo === undefined ? null : { name: u.movesTo.name, color: u.movesTo.color ?? null },
  };
}

/**
 * A page whose cluster rows are made on demand, a slice at a time: the server streams them, so a page in flight holds
 * its row indexes and not 500 row objects (which would outlive the young generation while the page is written and
 * grow the old one).
 */
export interface FleetPageParts {
  /** Everything but the cluster rows, in the documented key order. */
  readonly page: Omit<FleetPage, 'clusters'>;
  readonly rowCount: number;
  /** Rows [start, end) of the page. */
  rows(start: number, end: number): ClusterRow[];
}

/*
 * The loops over the whole fleet live in small functions of their own: V8 optimizes a hot loop by compiling its
 * enclosing function, and compiling the whole page builder took ~100 ms of a compiler thread whose memory stays in the
 * process (the view's RSS; README, "Cost").
 */

/** One pass over a precomputed order: counts every match, keeps the page's indexes. */
function selectPage(
  order: Int32Array,
  q: FleetQuery,
  matches: (i: number) => boolean,
): { page: number[]; matched: number } {
  const page: number[] = [];
  let matched = 0;
  const n = order.length;
  const asc = q.order === 'asc';
  for (let k = 0; k < n; k++) {
    const i = order[asc ? k : n - 1 - k] ?? 0;
    if (!matches(i)) continue;
    if (matched >= q.offset && page.length < q.limit) page.push(i);
    matched++;
  }
  return { page, matched };
}

/** Groups with a member the selector matches (every group when `matches` is undefined), the first MAX_PAIRS made. */
function selectPairs(
  all: readonly Pair[],
  matches: ((i: number) => boolean) | undefined,
  make: (p: Pair) => PairRow,
): { pairs: PairRow[]; pairsMatched: number } {
  const pairs: PairRow[] = [];
  let pairsMatched = 0;
  for (const p of all) {
    if (matches !== undefined && !anyMember(p, matches)) continue;
    pairsMatched++;
    if (pairs.length < MAX_PAIRS) pairs.push(make(p));
  }
  return { pairs, pairsMatched };
}

function anyMember(p: Pair, matches: (i: number) => boolean): boolean {
  return p.blue.some(matches) || p.green.some(matches) || p.other.some(matches);
}

/** The whole page as one object (the JSON shape). */
export function buildFleetPage(model: FleetModel, q: FleetQuery, ctx: PageContext): FleetPage {
  return wholePage(buildFleetPageParts(model, q, ctx));
}

export function wholePage(parts: FleetPageParts): FleetPage {
  const { continue: next, pairs, pairsMatched, targets, ...head } = parts.page;
  return {
    ...head,
    clusters: parts.rows(0, parts.rowCount),
    continue: next,
    pairs,
    pairsMatched,
    targets,
  };
}

export function buildFleetPageParts(
  model: FleetModel,
  q: FleetQuery,
  ctx: PageContext,
): FleetPageParts {
  const snap = model.snapshot;
  if (q.continuedFrom !== undefined && q.continuedFrom !== snap.version) {
    throw new ContinueExpiredError(
      `continue: the fleet changed since the first page (snapshot ${q.continuedFrom}, now ${snap.version}); repeat the first request`,
    );
  }
  const registrar = dataOf(ctx.registrar);
  const upgrades = dataOf(ctx.upgrades);
  // One summary per group and page: rows of the same group share it.
  const summaries = new Map<string, UpgradeSummary | null>();
  const upgradeOf = (group: string): UpgradeSummary | null => {
    if (group === '') return null;
    let s = summaries.get(group);
    if (s === undefined) {
      s = upgradeSummary(upgrades?.byGroup.get(group), ctx.redact);
      summaries.set(group, s);
    }
    return s;
  };
  const clusters = model.clusters;
  const everything = q.selector.requirements.length === 0;
  const matches = (i: number) =>
    everything || matchesSelector(q.selector, clusters[i]?.labels ?? {});
  const { page, matched } = selectPage(model.order(q.sort), q, matches);
  const next = q.offset + page.length;

  const row = (c: Cluster): ClusterRow => {
    const reg = registrar?.byCluster.get(c.name);
    let registration: ClusterRow['registration'] = null;
    // Only the leader's lists are filled: a follower's empty lists say nothing about a cluster.
    if (registrar?.leader === true) registration = reg?.state ?? 'not-registered';
    return {
      name: c.name,
      accountId: c.aws.accountId,
      region: c.aws.region,
      env: c.labels[ENV_LABEL] ?? null,
      labels: c.labels,
      version: c.aws.version,
      platformVersion: c.aws.platformVersion,
      status: c.aws.status,
      upgrade: { group: c.upgrade.group, color: c.upgrade.color, weight: c.upgrade.weight },
      upgradeInProgress: upgradeOf(c.upgrade.group),
      addonDefaults: snap.addonDefaults[minorText(c.aws.version)] ?? null,
      registration,
      registrationReason: reg?.reason ?? null,
    };
  };

  const member = (i: number): PairMember => {
    const c = clusters[i] as Cluster;
    return { name: c.name, version: c.aws.version, status: c.aws.status, weight: c.upgrade.weight };
  };
  const { pairs, pairsMatched } = selectPairs(
    model.pairs,
    everything ? undefined : matches,
    (p) => ({
      group: p.group,
      blue: p.blue.map(member),
      green: p.green.map(member),
      uncolored: p.other.map(member),
      upgradeInProgress: upgradeOf(p.group),
    }),
  );

  const targets = ctx.parts.map((p): TargetRow => {
    const last = p.lastRefresh;
    return {
      id: p.id,
      accountId: p.scope?.accountId ?? null,
      region: p.scope?.region ?? null,
      lastSuccessAt: p.lastSuccessAt === undefined ? null : new Date(p.lastSuccessAt).toISOString(),
      ageSeconds:
        p.lastSuccessAt === undefined
          ? null
          : Math.max(0, Math.round((ctx.now - p.lastSuccessAt) / 1000)),
      stale: p.stale,
      failing: p.lastError !== undefined,
      lastError: p.lastError === undefined ? null : ctx.redact(p.lastError),
      pages: last?.pages ?? null,
      calls: last?.calls ?? null,
    };
  });

  const redacted = (s: SourceSummary): SourceSummary =>
    s.message === null ? s : { ...s, message: ctx.redact(s.message) };
  const head: Omit<FleetPage, 'clusters'> = {
    kind: 'FleetView',
    apiVersion: 'v1',
    generatedAt: new Date(ctx.now).toISOString(),
    snapshot: {
      version: snap.version,
      builtAt: new Date(snap.builtAt).toISOString(),
      ageSeconds: Math.max(0, Math.round((ctx.now - snap.builtAt) / 1000)),
      ready: ctx.readiness.ready,
      notReadyReason: ctx.readiness.ready ? null : ctx.redact(ctx.readiness.reason),
    },
    summary: {
      clusters: clusters.length,
      byStatus: Object.fromEntries(model.byStatus),
      byVersion: model.byVersion.map(([version, count]) => ({ version, count })),
      byEnv: model.byEnv.map(([env, count]) => ({ env, count })),
      targets: {
        listed: targets.length,
        stale: targets.filter((t) => t.stale).length,
        failing: targets.filter((t) => t.failing).length,
      },
      registration: registrar?.leader === true ? { ...registrar.counts } : null,
      upgradesInProgress: upgrades === undefined ? null : upgrades.count,
    },
    sources: {
      registrar: redacted(summaryOf(ctx.registrar)),
      clusterUpgrades: redacted(summaryOf(ctx.upgrades)),
    },
    query: {
      selector: q.selectorText,
      labelSelector: q.labelSelectorText,
      sort: q.sort,
      order: q.order,
      limit: q.limit,
      offset: q.offset,
    },
    matched,
    continue: next < matched ? encodeContinue({ v: snap.version, o: next, q: q.key }) : null,
    pairs,
    pairsMatched,
    targets,
  };
  return {
    page: head,
    rowCount: page.length,
    rows: (start, end) => page.slice(start, end).map((i) => row(clusters[i] as Cluster)),
  };
}

/** Cluster rows per chunk of the streamed JSON (about 25 KiB). */
export const JSON_ROWS_PER_CHUNK = 50;

/**
 * The page as JSON text in pieces, in the documented key order: `JSON.parse` of their concatenation is the page.
 * The rows are serialized JSON_ROWS_PER_CHUNK at a time, when asked for, so the server never holds the whole
 * answer as one string (see the README, "Cost").
 */
export function* fleetPageJsonChunks(parts: FleetPageParts): Generator<string> {
  const { continue: next, pairs, pairsMatched, targets, ...head } = parts.page;
  yield `${JSON.stringify(head).slice(0, -1)},"clusters":[`;
  for (let i = 0; i < parts.rowCount; i += JSON_ROWS_PER_CHUNK) {
    const rows = parts.rows(i, i + JSON_ROWS_PER_CHUNK).map((r) => JSON.stringify(r));
    yield (i === 0 ? '' : ',') + rows.join(',');
  }
  yield `],${JSON.stringify({ continue: next, pairs, pairsMatched, targets }).slice(1)}`;
}
