import { sanitizeName } from '../../core/names';
import { clusterFromRecord, type Cluster, type ClusterRecord } from '../../core/cluster';
import type { SourcePart } from '../../core/snapshot';
import {
  clusterKey,
  scopeOfKey,
  DELETING_STATUS,
  SERVED_STATUSES,
  type FleetMemory,
  type ServedEntry,
} from './memory';

/** A cluster left out of the answer, or answered with its last good parameters, because of itself alone. */
export interface Quarantined {
  readonly key: string;
  readonly arn: string;
  readonly reason: string;
  /** Whether its last good parameters are published (it was served), or it is left out (never served). */
  readonly kept: boolean;
}

/** A served cluster published with its last good parameters although the listing did not give usable ones. */
export interface Retained {
  readonly key: string;
  readonly arn: string;
  /** `status`: listed in a status that is not served (FAILED, PENDING…); `absent`: missing from the listing. */
  readonly why: 'status' | 'absent';
  readonly detail: string;
}

/** A cluster whose right answer cannot be known yet: the registry must refuse (503) rather than leave it out. */
export interface Unresolved {
  readonly key: string;
  readonly reason: string;
}

export interface AcceptInput {
  readonly records: readonly ClusterRecord[];
  readonly memory: FleetMemory;
  /**
   * The source's parts in this refresh. A part that failed answered with its last good records, which say
   * nothing new about a cluster missing from them: its absence is not counted.
   */
  readonly parts: readonly SourcePart[];
  /** A served cluster missing from this many consecutive successful listings of its part is dropped. */
  readonly absenceRefreshes: number;
  /**
   * Keys of clusters that may have been served before this process started, which it cannot check (no state
   * store): quarantined, they are unresolved instead of left out.
   */
  readonly doubtful: ReadonlySet<string>;
}

export interface Accepted {
  /** Unique names, unsorted. */
  readonly clusters: readonly Cluster[];
  readonly memory: FleetMemory;
  readonly quarantined: readonly Quarantined[];
  readonly retained: readonly Retained[];
  readonly unresolved: readonly Unresolved[];
}

interface Claim {
  readonly key: string;
  readonly cluster: Cluster;
  readonly entry: ServedEntry | undefined;
}

/**
 * One refresh's listing, judged cluster by cluster against what was served before. Pure: the registry publishes
 * `clusters` and keeps `memory` for the next refresh.
 *
 * - Listed with usable tags in a served status: published as listed (and remembered as served).
 * - Served before, now in another status, missing (from fewer than `absenceRefreshes` successful listings of its
 *   part in a row) or quarantined: published with its last good parameters.
 * - DELETING: published as listed (the default filter leaves it out) and forgotten.
 * - Quarantined (a reserved tag it cannot use, or a name another cluster holds) and never served: left out.
 * - A name belongs to the served cluster last answered under it; newcomers claiming it are quarantined, and two
 *   newcomers claiming one free name are both quarantined.
 */
export function acceptRecords(input: AcceptInput): Accepted {
  const judged = new Judgement(input.memory);
  const claims = judged.listed(input.records, input.doubtful);
  judged.missing(input.absenceRefreshes, input.parts);
  judged.names(claims);
  return judged.result();
}

/** The working state of one acceptRecords call, filled in by its steps in order. */
class Judgement {
  readonly quarantined: Quarantined[] = [];
  readonly retained: Retained[] = [];
  readonly unresolved: Unresolved[] = [];
  /** The memory for the next refresh. */
  readonly next = new Map<string, ServedEntry>();
  readonly published: Cluster[] = [];
  readonly deleting: Cluster[] = [];
  readonly seen = new Set<string>();

  constructor(readonly memory: FleetMemory) {}

  /** A served cluster answered with its last good parameters (under its own name). */
  hold(key: string, entry: ServedEntry, absent: number): void {
    this.next.set(key, { ...entry, absent, held: entry.lastGood !== undefined });
    if (entry.lastGood !== undefined) this.published.push(entry.lastGood);
    else
      this.unresolved.push({
        key,
        reason: `${key} was served under the name "${entry.name}", but its last good parameters are not known here`,
      });
  }

  /** Step 1: each listed cluster is held, set aside (DELETING), quarantined, or claims its name. */
  listed(records: readonly ClusterRecord[], doubtful: ReadonlySet<string>): Claim[] {
    const claims: Claim[] = [];
    for (const rec of records) {
      const key = clusterKey(rec);
      const arn = rec.arn || key;
      if (this.seen.has(key)) {
        this.quarantined.push({
          key,
          arn,
          reason: 'listed twice by the source',
          kept: this.memory.has(key),
        });
        continue;
      }
      this.seen.add(key);
      const entry = this.memory.get(key);
      const mapped = clusterFromRecord(rec);
      // Going away: nothing to keep, whatever its tags say.
      if (mapped.cluster === undefined && rec.status === DELETING_STATUS) continue;
      if (mapped.cluster === undefined) {
        const reason = mapped.issues.map((i) => i.replace(`${arn}: `, '')).join('; ');
        this.quarantined.push({ key, arn, reason, kept: entry !== undefined });
        if (entry !== undefined) this.hold(key, entry, 0);
        else if (doubtful.has(key))
          this.unresolved.push({
            key,
            reason: `${arn} is quarantined (${reason}) and may have been served before this process started (no state store)`,
          });
        continue;
      }
      const cluster = mapped.cluster;
      const status = cluster.aws.status;
      if (status === DELETING_STATUS) this.deleting.push(cluster);
      else if (SERVED_STATUSES.has(status) || entry === undefined)
        claims.push({ key, cluster, entry });
      else {
        this.retained.push({ key, arn, why: 'status', detail: `status ${status}` });
        this.hold(key, entry, 0);
      }
    }
    return claims;
  }

  /**
   * Step 2: served clusters missing from the listing are held until their absence is confirmed: missing from
   * `absenceRefreshes` successful listings of their part in a row. A refresh in which their part failed counts
   * nothing (nor resets the count): the part's records are then its last good listing, already counted once.
   */
  missing(absenceRefreshes: number, parts: readonly SourcePart[]): void {
    for (const [key, entry] of this.memory) {
      if (this.seen.has(key)) continue;
      const counted = !partFailed(key, entry, parts);
      const absent = counted ? entry.absent + 1 : entry.absent;
      if (absent >= absenceRefreshes) continue; // absence confirmed: dropped
      this.retained.push({
        key,
        arn: entry.lastGood?.aws.arn ?? key,
        why: 'absent',
        detail: counted
          ? `missing from ${absent} refresh(es) of ${absenceRefreshes}`
          : `missing from ${absent} refresh(es) of ${absenceRefreshes}; its part failed this refresh`,
      });
      this.hold(key, entry, absent);
    }
  }

  /**
   * Step 3: a name belongs to the served cluster last answered under it (held ones included); a claim for a name
   * another owns, or for a free name claimed twice, is quarantined.
   */
  names(claims: readonly Claim[]): void {
    const owners = new Map<string, string>();
    for (const [key, entry] of [
      ...this.next,
      ...claims.flatMap((c) => (c.entry ? [[c.key, c.entry] as const] : [])),
    ]) {
      const normalized = sanitizeName(entry.name);
      if (!owners.has(normalized)) owners.set(normalized, key);
    }
    // Names are compared as Argo CD will use them: `Prod` and `prod` are distinct names but one `nameNormalized`,
    // and an ApplicationSet naming Applications after it would generate two Applications with one name.
    const byName = new Map<string, Claim[]>();
    for (const c of claims) {
      const normalized = c.cluster.nameNormalized;
      byName.set(normalized, [...(byName.get(normalized) ?? []), c]);
    }
    const losers: { claim: Claim; reason: string }[] = [];
    for (const [name, group] of byName) {
      const owner = owners.get(name);
      const winner =
        owner !== undefined
          ? group.find((c) => c.key === owner)
          : group.length === 1
            ? group[0]
            : undefined;
      for (const c of group) {
        if (c === winner) continue;
        const reason =
          owner !== undefined
            ? `name "${c.cluster.name}" (normalized "${name}") belongs to ${owner}, which was served under it`
            : `duplicate cluster name "${c.cluster.name}" (normalized "${name}"): ${group.map((g) => `${g.cluster.aws.arn || g.key} as "${g.cluster.name}"`).join(', ')}`;
        losers.push({ claim: c, reason });
      }
      if (winner === undefined) continue;
      this.published.push(winner.cluster);
      if (SERVED_STATUSES.has(winner.cluster.aws.status)) {
        this.next.set(winner.key, {
          name: winner.cluster.name,
          absent: 0,
          lastGood: winner.cluster,
          held: false,
        });
      }
    }
    for (const { claim, reason } of losers) {
      this.quarantined.push({
        key: claim.key,
        arn: claim.cluster.aws.arn || claim.key,
        reason,
        kept: claim.entry !== undefined,
      });
      if (claim.entry !== undefined) this.hold(claim.key, claim.entry, 0);
    }
  }

  /** The published clusters with unique names; DELETING ones only where their name is free. */
  result(): Accepted {
    const names = new Set<string>();
    const clusters: Cluster[] = [];
    for (const c of this.published) {
      // Two held clusters under one name can only come from a state store two replicas disagreed on: refuse.
      if (names.has(c.nameNormalized)) {
        this.unresolved.push({
          key: c.aws.arn,
          reason: `two served clusters hold the name "${c.nameNormalized}"`,
        });
        continue;
      }
      names.add(c.nameNormalized);
      clusters.push(c);
    }
    for (const c of this.deleting) {
      if (!names.has(c.nameNormalized)) {
        names.add(c.nameNormalized);
        clusters.push(c);
      }
    }
    return {
      clusters,
      memory: this.next,
      quarantined: this.quarantined,
      retained: this.retained,
      unresolved: this.unresolved,
    };
  }
}

/**
 * Whether a part that lists this cluster failed in this refresh: the part scoped to its account and region (EKS
 * discovery), or a part without a scope (the fleet file lists every cluster).
 */
function partFailed(key: string, entry: ServedEntry, parts: readonly SourcePart[]): boolean {
  const { accountId, region } = entry.lastGood?.aws ?? scopeOfKey(key);
  return parts.some(
    (p) =>
      p.lastError !== undefined &&
      (p.scope === undefined || (p.scope.accountId === accountId && p.scope.region === region)),
  );
}
