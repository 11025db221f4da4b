import type { Cluster, ClusterRecord } from '../../core/cluster';

/**
 * What the registry remembers about the clusters it has served, so that a cluster it answered with is not dropped
 * from an answer because of a fault: an upgrade (status UPDATING, FAILED…), one refresh it was missing from, or a
 * bad reserved tag. Argo CD deletes an Application whose cluster leaves a 200 answer.
 */

/** The statuses the generator serves by default (`statuses` in input.parameters): a cluster seen in one was served. */
export const SERVED_STATUSES: ReadonlySet<string> = new Set(['ACTIVE', 'UPDATING']);

/** Published as DELETING (which the default filter leaves out) and forgotten: the cluster is going away. */
export const DELETING_STATUS = 'DELETING';

/** One served cluster. */
export interface ServedEntry {
  /** The fleet name it was last served under; it keeps that name against any newcomer. */
  readonly name: string;
  /** Consecutive successful listings of its part it was missing from (0 while listed). */
  readonly absent: number;
  /**
   * Its last good Cluster: what is published while it is retained or quarantined. The process that served it
   * always knows it; another replica (or a restart) learns it from the state store only for held clusters.
   */
  readonly lastGood: Cluster | undefined;
  /** Retained or quarantined this refresh: `lastGood` is what was published (and what the store must keep). */
  readonly held: boolean;
}

/** Served clusters by key (`clusterKey`). */
export type FleetMemory = ReadonlyMap<string, ServedEntry>;

/**
 * A cluster's identity across refreshes, sources and replicas: account, region and EKS cluster name (EKS names
 * are unique per account and region). Shorter than the ARN, which matters in a ConfigMap of 10,000 entries.
 */
export function clusterKey(
  rec: Pick<ClusterRecord, 'accountId' | 'region' | 'clusterName'>,
): string {
  return `${rec.accountId}/${rec.region}/${rec.clusterName}`;
}

/** The account and region of a `clusterKey` (neither contains a `/`; the cluster name may). */
export function scopeOfKey(key: string): { accountId: string; region: string } {
  const [accountId = '', region = ''] = key.split('/', 2);
  return { accountId, region };
}
