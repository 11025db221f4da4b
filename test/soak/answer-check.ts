import type { FleetModel } from './fleet-model';
import { HOME_ACCOUNT, SOAK_REGIONS } from './fleet-model';
import type { Answer } from './load-driver';
import type { QuerySpec } from './queries';

/**
 * Judges every answer of the soak after the run.
 *
 * A 200 is allowed when its body has the contract's shape and, for every region, its clusters are a state the
 * fake really had: the query's slice of one generation, or of a blend of consecutive generations (a listing that
 * ran while the fleet changed sees part of each; at least every cluster present throughout, at most those
 * present at some point), and no generation newer than the answer. And it must not go back: an answer to a
 * request sent after an earlier, different answer arrived must come from a later listing (see `ends` below). Together that is "nothing lost": a fault never shortens the list below what the fake
 * held (a cluster leaves only after a listing that no longer has it), and an answer never reverts to an older
 * fleet, which would make Argo CD delete, then re-create, Applications.
 *
 * A 503 is allowed only with the designed body ({"message": "... too stale ...", "code": "ERR_NOT_READY"})
 * and only within the designed staleness window: answered after the outage began, sent before the generator
 * published its first snapshot from a fully successful refresh after the outage ended. Anything else
 * (another status, no answer) is a failure.
 */

export interface BodyDigest {
  /** region → sorted names, as one string key per region. */
  readonly byRegion: ReadonlyMap<string, string>;
  readonly count: number;
  readonly problems: readonly string[];
}

export interface StalenessWindow {
  readonly outageStartedAt: number | undefined;
  /** Arrival of the first snapshot publication from a fully successful refresh after the outage. */
  readonly recoveredAt: number | undefined;
}

export interface Violation {
  readonly seq: number;
  readonly specId: string;
  readonly atMs: number;
  readonly what: string;
}

export interface CheckReport {
  readonly byStatus: Readonly<Record<string, number>>;
  readonly ok200: number;
  /** 200s equal to one generation's slice in every region, vs blends of consecutive generations. */
  readonly exact200: number;
  readonly blended200: number;
  readonly designed503: number;
  /** Contiguous runs of 503 answers, as offsets from the start of the load. */
  readonly windows503: readonly { fromMs: number; toMs: number; count: number }[];
  readonly violations: readonly Violation[];
  readonly distinctBodies: number;
}

interface Feasible {
  /** [g1, g2] windows of consecutive generations the set fits. */
  readonly windows: readonly (readonly [number, number])[];
}

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export class AnswerChecker {
  private readonly digests = new Map<string, BodyDigest>();
  private readonly sliceCache = new Map<string, ReadonlySet<string>[]>();
  private readonly feasibleCache = new Map<string, Feasible>();

  constructor(
    private readonly fleet: FleetModel,
    private readonly specs: ReadonlyMap<string, QuerySpec>,
  ) {}

  /** Parses and validates one distinct 200 body of a query (called once per body hash, during the run). */
  digest(spec: QuerySpec, hash: string, body: Buffer): void {
    const problems: string[] = [];
    const byRegion = new Map<string, string[]>();
    let count = 0;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      problems.push(`body is not JSON: ${(e as Error).message}`);
    }
    const output = isObject(parsed) ? parsed['output'] : undefined;
    const parameters = isObject(output) ? output['parameters'] : undefined;
    if (parsed !== undefined && !Array.isArray(parameters)) {
      problems.push('body is not {"output":{"parameters":[...]}}');
    }
    const seen = new Set<string>();
    for (const item of Array.isArray(parameters) ? (parameters as unknown[]) : []) {
      count++;
      const p = this.checkItem(spec, item, seen);
      if (typeof p === 'string') {
        problems.push(p);
        continue;
      }
      const list = byRegion.get(p.region) ?? [];
      list.push(p.name);
      byRegion.set(p.region, list);
    }
    const keys = new Map<string, string>();
    for (const r of SOAK_REGIONS)
      keys.set(r.region, (byRegion.get(r.region) ?? []).sort().join(','));
    this.digests.set(`${spec.id} ${hash}`, { byRegion: keys, count, problems });
  }

  private checkItem(
    spec: QuerySpec,
    item: unknown,
    seen: Set<string>,
  ): { name: string; region: string } | string {
    if (!isObject(item)) return 'a parameter set is not an object';
    const name = item['name'];
    const aws = item['aws'];
    if (!str(name)) return 'a parameter set has no name';
    if (!str(item['server']) || !item['server'].startsWith('https://'))
      return `${name}: no https server`;
    if (!str(item['nameNormalized']) || !str(item['clusterContext']))
      return `${name}: nameNormalized or clusterContext missing`;
    if (!isObject(aws) || !str(aws['region']) || aws['accountId'] !== HOME_ACCOUNT)
      return `${name}: aws.region / aws.accountId missing or wrong`;
    if (seen.has(name)) return `${name}: listed twice`;
    seen.add(name);
    const meta = this.fleet.metaOf(name);
    if (meta === undefined) return `${name}: a cluster the fake never had`;
    if (meta.region !== aws['region'])
      return `${name}: region ${String(aws['region'])}, expected ${meta.region}`;
    if (!meta.visible) return `${name}: not enrolled or without endpoint, must not be served`;
    if (!spec.matches(meta)) return `${name}: does not match query ${spec.id}`;
    const addons = item['addons'];
    if (spec.addons !== undefined) {
      if (
        !isObject(addons) ||
        Object.keys(addons).sort().join() !== [...spec.addons].sort().join() ||
        !Object.values(addons).every((v) => typeof v === 'string')
      ) {
        return `${name}: addons should be strings for exactly ${spec.addons.join(', ')}`;
      }
    } else if (addons !== undefined) {
      return `${name}: addons not asked for`;
    }
    return { name, region: meta.region };
  }

  /** The query's slice of each generation for one region. */
  private slices(spec: QuerySpec, region: string): ReadonlySet<string>[] {
    const key = `${spec.id} ${region}`;
    let s = this.sliceCache.get(key);
    if (s === undefined) {
      s = this.fleet.generations.map(
        (g) =>
          new Set(
            [...(g.visible.get(region) ?? [])].filter((n) => {
              const m = this.fleet.metaOf(n);
              return m !== undefined && spec.matches(m);
            }),
          ),
      );
      this.sliceCache.set(key, s);
    }
    return s;
  }

  private feasible(spec: QuerySpec, region: string, namesKey: string): Feasible {
    const key = `${spec.id} ${region} ${namesKey}`;
    const hit = this.feasibleCache.get(key);
    if (hit !== undefined) return hit;
    const ans = new Set(namesKey === '' ? [] : namesKey.split(','));
    const s = this.slices(spec, region);
    const windows: [number, number][] = [];
    for (let g1 = 0; g1 < s.length; g1++) {
      let inter = new Set(s[g1]);
      const union = new Set(s[g1]);
      for (let g2 = g1; g2 < s.length; g2++) {
        const sg = s[g2] ?? new Set<string>();
        inter = new Set([...inter].filter((n) => sg.has(n)));
        for (const n of sg) union.add(n);
        const atLeast = [...inter].every((n) => ans.has(n));
        const atMost = [...ans].every((n) => union.has(n));
        if (atLeast && atMost) windows.push([g1, g2]);
      }
    }
    const f = { windows };
    this.feasibleCache.set(key, f);
    return f;
  }

  check(answers: readonly Answer[], startedAt: number, w: StalenessWindow): CheckReport {
    const byStatus: Record<string, number> = {};
    const violations: Violation[] = [];
    let ok200 = 0;
    let exact200 = 0;
    let blended200 = 0;
    let designed503 = 0;
    const times503: number[] = [];
    const fail = (a: Answer, what: string) =>
      violations.push({ seq: a.seq, specId: a.specId, atMs: a.answeredAt - startedAt, what });
    /**
     * No going back, per (query, region). Two answers with different sets come from different listings, and
     * when B was sent after A arrived, B's listing is the later one (snapshots only move forward and one
     * target's listings never overlap), so it started no earlier than A's ended: some window of B must start
     * at or after the earliest generation A's listing can have ended in.
     */
    const ends = new Map<string, { answeredAt: number; minEnd: number; set: string }[]>();
    const starts: { a: Answer; key: string; maxStart: number; set: string }[] = [];

    for (const a of answers) {
      const label = a.status === 0 ? 'no answer' : String(a.status);
      byStatus[label] = (byStatus[label] ?? 0) + 1;
      const spec = this.specs.get(a.specId);
      if (spec === undefined) throw new Error(`unknown query ${a.specId}`);
      if (a.status === 200) {
        if (a.encoding !== undefined && !(a.encoding === 'gzip' && a.gzip)) {
          fail(
            a,
            `Content-Encoding ${a.encoding} for a request that offered ${a.gzip ? 'gzip' : 'none'}`,
          );
          continue;
        }
        const d = this.digests.get(`${a.specId} ${a.hash ?? ''}`);
        if (d === undefined) {
          fail(a, 'a 200 body that was never digested');
          continue;
        }
        if (d.problems.length > 0) {
          fail(a, `bad 200 body: ${d.problems.slice(0, 3).join('; ')}`);
          continue;
        }
        const newest = this.fleet.generationAt(a.answeredAt);
        let exact = true;
        let good = true;
        for (const [region, namesKey] of d.byRegion) {
          const windows = this.feasible(spec, region, namesKey).windows.filter(
            ([, g2]) => g2 <= newest,
          );
          if (windows.length === 0) {
            const n = namesKey === '' ? 0 : namesKey.split(',').length;
            const expected = this.slices(spec, region)
              .slice(0, newest + 1)
              .map((s) => s.size)
              .join('/');
            fail(
              a,
              `${region}: ${n} clusters, not a fleet state of generations 0..${newest} (sizes ${expected})`,
            );
            good = false;
            continue;
          }
          if (!windows.some(([g1, g2]) => g1 === g2)) exact = false;
          const key = `${a.specId} ${region}`;
          const minEnd = Math.min(...windows.map(([, g2]) => g2));
          const maxStart = Math.max(...windows.map(([g1]) => g1));
          const list = ends.get(key) ?? [];
          list.push({ answeredAt: a.answeredAt, minEnd, set: namesKey });
          ends.set(key, list);
          starts.push({ a, key, maxStart, set: namesKey });
        }
        if (good) {
          ok200++;
          if (exact) exact200++;
          else blended200++;
        }
        continue;
      }
      if (a.status === 503) {
        const problem = check503Body(a.text ?? '');
        if (problem !== undefined) {
          fail(a, `503 body: ${problem}`);
          continue;
        }
        const inWindow =
          w.outageStartedAt !== undefined &&
          a.answeredAt >= w.outageStartedAt &&
          a.sentAt <= (w.recoveredAt ?? Number.POSITIVE_INFINITY);
        if (!inWindow) {
          fail(a, `503 outside the designed staleness window: ${a.text ?? ''}`);
          continue;
        }
        designed503++;
        times503.push(a.answeredAt - startedAt);
        continue;
      }
      fail(
        a,
        a.status === 0 ? `no answer: ${a.text ?? ''}` : `status ${a.status}: ${a.text ?? ''}`,
      );
    }

    // Prefix maxima of minEnd over answers in arrival order: the best value and the best among other sets.
    const prefix = new Map<string, { at: number[]; best: Best[] }>();
    for (const [key, list] of ends) {
      list.sort((x, y) => x.answeredAt - y.answeredAt);
      let cur: Best = { val: -1, set: undefined, otherVal: -1 };
      prefix.set(key, {
        at: list.map((x) => x.answeredAt),
        best: list.map((x) => (cur = addBest(cur, x.minEnd, x.set))),
      });
    }
    for (const { a, key, maxStart, set } of starts) {
      const p = prefix.get(key);
      const i = p === undefined ? -1 : lastBefore(p.at, a.sentAt);
      const b = i >= 0 ? p?.best[i] : undefined;
      const floor = b === undefined ? -1 : b.set !== set ? b.val : b.otherVal;
      if (maxStart < floor) {
        fail(
          a,
          `${key.split(' ')[1] ?? ''}: went back to a listing started by generation ${maxStart} after an earlier answer showed one ended at generation ≥${floor}`,
        );
      }
    }

    return {
      byStatus,
      ok200,
      exact200,
      blended200,
      designed503,
      windows503: runs(times503.sort((x, y) => x - y)),
      violations,
      distinctBodies: this.digests.size,
    };
  }
}

interface Best {
  /** Largest value so far, and the set it came with. */
  readonly val: number;
  readonly set: string | undefined;
  /** Largest value so far among sets other than `set`. */
  readonly otherVal: number;
}

function addBest(b: Best, val: number, set: string): Best {
  if (set === b.set) return { ...b, val: Math.max(b.val, val) };
  if (val > b.val) return { val, set, otherVal: b.val };
  return { ...b, otherVal: Math.max(b.otherVal, val) };
}

function check503Body(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  if (!isObject(body)) return 'not an object';
  const extra = Object.keys(body).filter((k) => k !== 'message' && k !== 'code');
  if (extra.length > 0) return `unexpected keys ${extra.join(', ')}`;
  if (!str(body['message'])) return 'no message';
  if (body['code'] !== 'ERR_NOT_READY')
    return `code ${String(body['code'])}, expected ERR_NOT_READY`;
  if (!/too stale/.test(body['message'])) return `not a staleness refusal: ${body['message']}`;
  return undefined;
}

/** Index of the last element < t in an ascending array, or -1. */
function lastBefore(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Groups ascending times into runs with gaps under a second. */
function runs(times: readonly number[]): { fromMs: number; toMs: number; count: number }[] {
  const out: { fromMs: number; toMs: number; count: number }[] = [];
  for (const t of times) {
    const last = out[out.length - 1];
    if (last !== undefined && t - last.toMs < 1000) {
      last.toMs = t;
      last.count++;
    } else {
      out.push({ fromMs: t, toMs: t, count: 1 });
    }
  }
  return out;
}
