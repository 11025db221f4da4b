import { clusterFromRecord, type Cluster, type ClusterRecord } from '../core/cluster';
import {
  clusterKey,
  DELETING_STATUS,
  SERVED_STATUSES,
  type FleetMemory,
  type ServedEntry,
} from './fleet-memory';

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
  /** A served cluster missing from this many consecutive refreshes is dropped. */
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
 * - Served before, now in another status, missing (fewer than `absenceRefreshes` times in a row) or quarantined:
 *   published with its last good parameters.
 * - DELETING: published as listed (the default filter leaves it out) and forgotten.
 * - Quarantined (a reserved tag it cannot use, or a name another cluster holds) and never served: left out.
 * - A name belongs to the served cluster last answered under it; newcomers claiming it are quarantined, and two
 *   newcomers claiming one free name are both quarantined.
 */
export function acceptRecords(input: AcceptInput): Accepted {
  const { memory } = input;
  const quarantined: Quarantined[] = [];
  const retained: Retained[] = [];
  const unresolved: Unresolved[] = [];
  const next = new Map<string, ServedEntry>();
  const published: Cluster[] = [];
  const claims: Claim[] = [];
  const deleting: Cluster[] = [];
  const seen = new Set<string>();

  /** A served cluster answered with its last good parameters (its name is its own). */
  const hold = (key: string, entry: ServedEntry, absent: number): void => {
    next.set(key, { ...entry, absent, held: entry.lastGood !== undefined });
    if (entry.lastGood !== undefined) published.push(entry.lastGood);
    else
      unresolved.push({
        key,
        reason: `${key} was served under the name "${entry.name}", but its last good parameters are not known here`,
      });
  };

  for (const rec of input.records) {
    const key = clusterKey(rec);
    const arn = rec.arn || key;
    if (seen.has(key)) {
      quarantined.push({ key, arn, reason: 'listed twice by the source', kept: memory.has(key) });
      continue;
    }
    seen.add(key);
    const entry = memory.get(key);
    const mapped = clusterFromRecord(rec);
    // Going away: nothing to keep, whatever its tags say.
    if (mapped.cluster === undefined && rec.status === DELETING_STATUS) continue;
    if (mapped.cluster === undefined) {
      const reason = mapped.issues.map((i) => i.replace(`${arn}: `, '')).join('; ');
      quarantined.push({ key, arn, reason, kept: entry !== undefined });
      if (entry !== undefined) hold(key, entry, 0);
      else if (input.doubtful.has(key))
        unresolved.push({
          key,
          reason: `${arn} is quarantined (${reason}) and may have been served before this process started (no state store)`,
        });
      continue;
    }
    const cluster = mapped.cluster;
    const status = cluster.aws.status;
    if (status === DELETING_STATUS) deleting.push(cluster);
    else if (SERVED_STATUSES.has(status) || entry === undefined)
      claims.push({ key, cluster, entry });
    else {
      retained.push({ key, arn, why: 'status', detail: `status ${status}` });
      hold(key, entry, 0);
    }
  }

  for (const [key, entry] of memory) {
    if (seen.has(key)) continue;
    const absent = entry.absent + 1;
    if (absent >= input.absenceRefreshes) continue; // absence confirmed: dropped
    retained.push({
      key,
      arn: entry.lastGood?.aws.arn ?? key,
      why: 'absent',
      detail: `missing from ${absent} refresh(es) of ${input.absenceRefreshes}`,
    });
    hold(key, entry, absent);
  }

  // Served clusters own the names they were last answered under, including those held above.
  const owners = new Map<string, string>();
  for (const [key, entry] of [
    ...next,
    ...claims.flatMap((c) => (c.entry ? [[c.key, c.entry] as const] : [])),
  ]) {
    if (!owners.has(entry.name)) owners.set(entry.name, key);
  }
  const byName = new Map<string, Claim[]>();
  for (const c of claims) byName.set(c.cluster.name, [...(byName.get(c.cluster.name) ?? []), c]);
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
          ? `name "${name}" belongs to ${owner}, which was served under it`
          : `duplicate cluster name "${name}": ${group.map((g) => g.cluster.aws.arn || g.key).join(', ')}`;
      losers.push({ claim: c, reason });
    }
    if (winner === undefined) continue;
    published.push(winner.cluster);
    if (SERVED_STATUSES.has(winner.cluster.aws.status)) {
      next.set(winner.key, { name, absent: 0, lastGood: winner.cluster, held: false });
    }
  }
  for (const { claim, reason } of losers) {
    quarantined.push({
      key: claim.key,
      arn: claim.cluster.aws.arn || claim.key,
      reason,
      kept: claim.entry !== undefined,
    });
    if (claim.entry !== undefined) hold(claim.key, claim.entry, 0);
  }

  // Two held clusters under one name can only come from a state store two replicas disagreed on: refuse.
  const names = new Set<string>();
  const clusters: Cluster[] = [];
  for (const c of published) {
    if (names.has(c.name)) {
      unresolved.push({ key: c.aws.arn, reason: `two served clusters hold the name "${c.name}"` });
      continue;
    }
    names.add(c.name);
    clusters.push(c);
  }
  for (const c of deleting) {
    if (!names.has(c.name)) {
      names.add(c.name);
      clusters.push(c);
    }
  }
  return { clusters, memory: next, quarantined, retained, unresolved };
}
