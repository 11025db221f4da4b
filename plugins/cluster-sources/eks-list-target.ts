import type { EKSClient } from '@aws-sdk/client-eks';
import { setMaxListeners } from 'node:events';
import { DescribeClusterCommand, paginateListClusters } from '@aws-sdk/client-eks';
import type { ClusterRecord } from '../../core/cluster';
import type { LabelSelector } from '../../core/selector';
import { mapWithConcurrency } from '../../core/concurrency';
import { withCallSignal } from './eks-call-scheduler';
import { AwsCallError, callFailed, degenerateReply, isNotFound } from './eks-errors';
import { fleetNameOf, isEnrolled, recordFromEksCluster } from './eks-record';

export interface TargetListing {
  /** Enrolled clusters with an API endpoint, sorted by name. */
  readonly records: readonly ClusterRecord[];
  /** Names ListClusters returned. */
  readonly listed: number;
  readonly pages: number;
  /** Listed, but deleted before DescribeCluster reached them. */
  readonly vanished: number;
  /** Described, but without an endpoint in a status where that is normal (CREATING, FAILED, DELETING). */
  readonly withoutEndpoint: number;
  /** Described, but not matched by the enrollment selector. */
  readonly notEnrolled: number;
}

export interface ListTargetOptions {
  readonly region: string;
  readonly accountId: string | undefined;
  readonly selector: LabelSelector;
  /** EKS_CLUSTER_NAME_TEMPLATE, giving each record its fleetName. */
  readonly nameTemplate: string;
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
  // Every started call listens on this signal (the SDK, and the call gate while it waits or holds a slot); their
  // number is bounded by the describe workers, so Node's default of 10 would only print a MaxListenersExceededWarning.
  setMaxListeners(Math.max(10, describeWorkers(opts.describeConcurrency) * 4), abort.signal);
  const onOuterAbort = () => abort.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onOuterAbort, { once: true });
  try {
    return await withCallSignal(abort.signal, () => listWithin(eks, opts, abort));
  } finally {
    opts.signal.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * Describes started at once per target. The target's call gate lets EKS_DESCRIBE_CONCURRENCY of them send; the
 * others wait in its line or back off after a throttle without holding a slot, so more are started than may send:
 * enough that calls backing off (about rate × throttled share × mean backoff) rarely leave a slot idle, few
 * enough that thousands of names do not become thousands of SDK calls parked at once.
 */
function describeWorkers(describeConcurrency: number): number {
  return describeConcurrency * 4;
}

async function listWithin(
  eks: EKSClient,
  opts: ListTargetOptions,
  abort: AbortController,
): Promise<TargetListing> {
  const names: string[] = [];
  let pages = 0;
  const tokens = new Set<string>();
  const pager = paginateListClusters(
    { client: eks, pageSize: 100 },
    {},
    { abortSignal: abort.signal },
  );
  try {
    for await (const page of pager) {
      pages++;
      names.push(...namesOfPage(page.clusters, pages));
      // A repeated token would loop forever, and stopping there could hide clusters: fail the listing.
      const token = page.nextToken;
      if (token) {
        if (tokens.has(token))
          throw new AwsCallError('ListClusters', 'returned a nextToken it had already returned');
        tokens.add(token);
      }
    }
  } catch (e) {
    throw callFailed('ListClusters', e);
  }
  const unique = [...new Set(names)];

  let vanished = 0;
  let withoutEndpoint = 0;
  let notEnrolled = 0;
  const workers = describeWorkers(opts.describeConcurrency);
  const described = await mapWithConcurrency(unique, workers, async (name) => {
    try {
      const out = await eks.send(new DescribeClusterCommand({ name }), {
        abortSignal: abort.signal,
      });
      // The SDK turns an empty body, `{}` or a 204 into an output without `cluster`.
      if (out.cluster === undefined) throw degenerateReply(`DescribeCluster ${name}`, 'a cluster');
      if (out.cluster.name === undefined || out.cluster.name === '')
        throw degenerateReply(`DescribeCluster ${name}`, 'the cluster name');
      if (out.cluster.name !== name) {
        throw new AwsCallError(
          `DescribeCluster ${name}`,
          `answered for another cluster (${JSON.stringify(out.cluster.name)})`,
        );
      }
      return out.cluster;
    } catch (e) {
      if (isNotFound(e)) {
        vanished++;
        return undefined;
      }
      const failure = callFailed(`DescribeCluster ${name}`, e);
      abort.abort(failure);
      throw failure;
    }
  });

  const records: ClusterRecord[] = [];
  for (const c of described) {
    if (c === undefined) continue;
    // Throws for an incomplete answer: the listing fails rather than lose the cluster.
    const rec = recordFromEksCluster(c, { accountId: opts.accountId, region: opts.region });
    if (rec === undefined) withoutEndpoint++;
    else if (!isEnrolled(opts.selector, rec.tags)) notEnrolled++;
    else records.push({ ...rec, fleetName: fleetNameOf(opts.nameTemplate, rec) });
  }
  records.sort((a, b) =>
    a.clusterName < b.clusterName ? -1 : a.clusterName > b.clusterName ? 1 : 0,
  );
  return { records, listed: unique.length, pages, vanished, withoutEndpoint, notEnrolled };
}

/**
 * The names on one ListClusters page. EKS always sends the `clusters` list (empty for an empty account); the
 * SDK turns an empty body, `{}`, `null` members or a 204 into a page without it, and passes a non-list through
 * as it came. Either is a fault of the target: read as "no clusters" it would delete a fleet's Applications.
 */
function namesOfPage(clusters: unknown, page: number): string[] {
  if (!Array.isArray(clusters)) {
    throw degenerateReply(
      'ListClusters',
      `a "clusters" list on page ${page} (got ${clusters === undefined ? 'none' : typeof clusters})`,
    );
  }
  for (const name of clusters) {
    if (typeof name !== 'string' || name === '') {
      throw new AwsCallError(
        'ListClusters',
        `page ${page} lists ${JSON.stringify(name)}, not a cluster name`,
      );
    }
  }
  return clusters as string[];
}
