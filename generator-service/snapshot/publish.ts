import { createHash } from 'node:crypto';
import type { Cluster } from '../../core/cluster';
import type { AddonDefaults, FleetSnapshot, SourcePart } from '../../core/snapshot';

/**
 * Builds immutable snapshots and tells whether anything changed. Change detection keeps digests, not JSON: the JSON
 * of a large fleet would be held for nothing but comparing.
 */
export interface SnapshotBuilder {
  current(): FleetSnapshot | undefined;
  /** A new snapshot (version + 1) when the clusters, add-on defaults or parts differ from the current one. */
  build(
    clusters: readonly Cluster[],
    parts: readonly SourcePart[],
    addonDefaults: AddonDefaults,
  ): FleetSnapshot | undefined;
}

export function createSnapshotBuilder(now: () => number): SnapshotBuilder {
  let snapshot: FleetSnapshot | undefined;
  let fingerprint = '';
  let clustersByDigest = new Map<string, Cluster>();
  return {
    current: () => snapshot,
    build(unsorted, parts, addonDefaults) {
      const clusters = [...unsorted].sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
      const partsKey = JSON.stringify(parts.map((p) => [p.id, p.lastError ?? null]));
      // Each cluster's JSON lives only while it is hashed; the fingerprint is a hash of the per-cluster digests
      // (fixed length, so their concatenation is unambiguous), the add-on defaults and the parts' errors.
      const whole = createHash('sha256');
      const digests = clusters.map((c) => {
        const d = createHash('sha256').update(JSON.stringify(c)).digest('base64');
        whole.update(d);
        return d;
      });
      whole.update(JSON.stringify(addonDefaults)).update(partsKey);
      const next = whole.digest('base64');
      if (snapshot !== undefined && next === fingerprint) return undefined;
      fingerprint = next;
      // Unchanged clusters keep their object identity, so per-cluster work cached on them stays valid.
      const reused = clusters.map((c, i) => clustersByDigest.get(digests[i] ?? '') ?? c);
      clustersByDigest = new Map(reused.map((c, i) => [digests[i] ?? '', c]));
      snapshot = deepFreeze({
        clusters: reused,
        parts: parts.map((p) => ({ ...p })),
        addonDefaults: structuredClone(addonDefaults),
        builtAt: now(),
        version: (snapshot?.version ?? 0) + 1,
      });
      return snapshot;
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
