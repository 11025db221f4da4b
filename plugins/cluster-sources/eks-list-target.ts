import type { EKSClient } from '@aws-sdk/client-eks';
import { setMaxListeners } from 'node:events';
import { DescribeClusterCommand, paginateListClusters } from '@aws-sdk/client-eks';
import type { ClusterRecord } from '../../core/cluster';
import type { LabelSelector } from '../../core/selector';
import { mapWithConcurrency } from './eks-concurrency';
import { isNotFound } from './eks-errors';
import { isEnrolled, recordFromEksCluster } from './eks-record';

export interface TargetListing {
  /** Enrolled clusters with an API endpoint, sorted by name. */
  readonly records: readonly ClusterRecord[];
  /** Names ListClusters returned. */
  readonly listed: number;
  readonly pages: number;
  /** Listed, but deleted before DescribeCluster reached them. */
  readonly vanished: number;
  /** Described, but without an endpoint yet (CREATING). */
  readonly withoutEndpoint: number;
  /** Described, but not matched by the enrollment selector. */
  readonly notEnrolled: number;
}

export interface ListTargetOptions {
  readonly region: string;
  readonly accountId: string | undefined;
  readonly selector: LabelSelector;
  readonly describeConcurrency: number;
  readonly signal: AbortSignal;
}

/**
 * One complete listing of an account × region: every ListClusters page, then DescribeCluster per name
 * with bounded concurrency. Any failure other than a cluster vanishing rejects the whole listing, so a
 * partial listing is never mistaken for the truth.
 */
export async function listTarget(eks: EKSClient, opts: ListTargetOptions): Promise<TargetListing> {
  // Sibling describes stop as soon as one fails; they would be thrown away anyway.
  const abort = new AbortController();
  // Every in-flight SDK attempt listens on this signal; their number is bounded by describeConcurrency (and
  // attempts that time out), so Node's default of 10 would only print a MaxListenersExceededWarning.
  setMaxListeners(Math.max(10, opts.describeConcurrency * 4), abort.signal);
  const onOuterAbort = () => abort.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const names: string[] = [];
    let pages = 0;
    const tokens = new Set<string>();
    const pager = paginateListClusters(
      { client: eks, pageSize: 100 },
      {},
      { abortSignal: abort.signal },
    );
    for await (const page of pager) {
      pages++;
      names.push(...(page.clusters ?? []));
      // A repeated token would loop forever, and stopping there could hide clusters: fail the listing.
      const token = page.nextToken;
      if (token) {
        if (tokens.has(token))
          throw new Error('ListClusters returned a nextToken it had already returned');
        tokens.add(token);
      }
    }
    const unique = [...new Set(names)];

    let vanished = 0;
    let withoutEndpoint = 0;
    let notEnrolled = 0;
    const described = await mapWithConcurrency(unique, opts.describeConcurrency, async (name) => {
      try {
        const out = await eks.send(new DescribeClusterCommand({ name }), {
          abortSignal: abort.signal,
        });
        return out.cluster;
      } catch (e) {
        if (isNotFound(e)) {
          vanished++;
          return undefined;
        }
        abort.abort(e);
        throw e;
      }
    });

    const records: ClusterRecord[] = [];
    for (const c of described) {
      if (c === undefined) continue;
      const rec = recordFromEksCluster(c, { accountId: opts.accountId, region: opts.region });
      if (rec === undefined) withoutEndpoint++;
      else if (!isEnrolled(opts.selector, rec.tags)) notEnrolled++;
      else records.push(rec);
    }
    records.sort((a, b) =>
      a.clusterName < b.clusterName ? -1 : a.clusterName > b.clusterName ? 1 : 0,
    );
    return { records, listed: unique.length, pages, vanished, withoutEndpoint, notEnrolled };
  } finally {
    opts.signal.removeEventListener('abort', onOuterAbort);
  }
}
