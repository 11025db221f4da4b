import type { Cluster as EksCluster } from '@aws-sdk/client-eks';
import type { ClusterRecord } from '../../core/cluster';
import { isValidLabelKey, isValidLabelValue } from '../../core/labels';
import type { LabelSelector } from '../../core/selector';
import { matchesSelector } from '../../core/selector';
import type { NamePlaceholder } from './eks-config';
import { degenerateReply } from './eks-errors';

const CLUSTER_ARN = /^arn:[\w-]+:eks:([a-z0-9-]+):(\d{12}):cluster\/(.+)$/;

/**
 * Statuses in which EKS gives a cluster no API endpoint: not yet (CREATING, or FAILED before it got one), or
 * no longer (DELETING, when it may go anyway). Argo CD could not reach such a cluster.
 */
const ENDPOINT_LESS_STATUSES: ReadonlySet<string> = new Set(['CREATING', 'FAILED', 'DELETING']);

/**
 * Maps one DescribeCluster result to the source record. Returns undefined only for a cluster that has no API
 * endpoint in a status where that is normal (ENDPOINT_LESS_STATUSES). Throws (a fault of the target, never an
 * absent cluster) when the answer lacks the name, ARN or status, or has no endpoint in any other status: a
 * served cluster must not vanish because one answer came back incomplete.
 */
export function recordFromEksCluster(
  c: EksCluster,
  where: { readonly accountId: string | undefined; readonly region: string },
): ClusterRecord | undefined {
  const call = `DescribeCluster ${c.name ?? '(no name)'}`;
  if (c.name === undefined || c.name === '') throw degenerateReply(call, 'the cluster name');
  if (c.arn === undefined || c.arn === '') throw degenerateReply(call, 'the cluster ARN');
  if (!c.status) throw degenerateReply(call, 'the cluster status');
  if (c.endpoint === undefined || c.endpoint === '') {
    if (ENDPOINT_LESS_STATUSES.has(c.status)) return undefined;
    throw degenerateReply(call, `an endpoint for a cluster in status ${c.status}`);
  }
  const arn = c.arn;
  const fromArn = CLUSTER_ARN.exec(arn);
  return {
    // The ARN is authoritative: it names the owning account even when the caller's id is not known.
    accountId: fromArn?.[2] ?? where.accountId ?? '',
    region: fromArn?.[1] ?? where.region,
    clusterName: c.name,
    arn,
    version: c.version ?? '',
    platformVersion: c.platformVersion ?? '',
    status: c.status,
    endpoint: c.endpoint,
    oidcIssuer: c.identity?.oidc?.issuer ?? '',
    vpcId: c.resourcesVpcConfig?.vpcId ?? '',
    tags: { ...(c.tags ?? {}) },
    caData: c.certificateAuthority?.data ?? '',
  };
}

/**
 * The cluster's fleet-wide name from EKS_CLUSTER_NAME_TEMPLATE (validated by parseEksConfig): each
 * `{clusterName}`, `{region}` and `{accountId}` replaced by the record's value.
 */
export function fleetNameOf(template: string, rec: ClusterRecord): string {
  const values: Record<NamePlaceholder, string> = {
    clusterName: rec.clusterName,
    region: rec.region,
    accountId: rec.accountId,
  };
  return template.replace(
    /\{(clusterName|region|accountId)\}/g,
    (_, p: NamePlaceholder) => values[p],
  );
}

/** The account id inside an EKS cluster ARN. */
export function accountOfClusterArn(arn: string | undefined): string | undefined {
  return arn === undefined ? undefined : CLUSTER_ARN.exec(arn)?.[2];
}

/**
 * Tags as the selector sees them: only tags that are valid Kubernetes labels (key and value), as in the
 * cluster model. A tag that cannot be a label cannot match `key=value` and counts as absent for `!key`.
 */
export function tagsAsLabels(tags: Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) {
    if (isValidLabelKey(k) && isValidLabelValue(v)) labels[k] = v;
  }
  return labels;
}

export function isEnrolled(
  selector: LabelSelector,
  tags: Readonly<Record<string, string>>,
): boolean {
  return matchesSelector(selector, tagsAsLabels(tags));
}

/** `1.30.2` or `1.30` → `1.30`; the key of add-on defaults. */
export function kubernetesMinor(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? `${m[1]}.${m[2]}` : undefined;
}
