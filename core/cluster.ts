import { isValidLabelKey, isValidLabelValue } from './labels';
import { sanitizeName } from './names';

/**
 * A cluster as AWS describes it (DescribeCluster) plus where it was found: the `aws` block of every parameter set.
 */
export interface AwsClusterInfo {
  readonly accountId: string;
  readonly region: string;
  /** The EKS cluster name (unique per account and region only). */
  readonly clusterName: string;
  readonly arn: string;
  readonly version: string;
  readonly platformVersion: string;
  readonly status: string;
  readonly endpoint: string;
  readonly oidcIssuer: string;
  readonly vpcId: string;
  /** Every tag as AWS returns it, including those that cannot be Kubernetes labels or annotations. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * What a cluster source knows about one EKS cluster: its AwsClusterInfo plus what is never put in parameters.
 * Every source (the bundled file, EKS discovery) produces these; `clusterFromRecord` turns them into the one
 * cluster model, so that the same tags give the same parameters whatever the source.
 */
export interface ClusterRecord extends AwsClusterInfo {
  /** Base64 PEM exactly as DescribeCluster returns it; used for registration, never put in parameters. */
  readonly caData: string;
  /** The fleet-wide name the source gives the cluster (EKS_CLUSTER_NAME_TEMPLATE); the EKS name when absent. */
  readonly fleetName?: string;
}

/** Tags this project reads for itself. They are ordinary tags too, so they also appear as labels. */
export const RESERVED_TAGS = {
  /** Overrides the fleet-wide name (defaults to the EKS cluster name). */
  name: 'argocd-eks-plugins/name',
  /** Argo CD project written into `project` (defaults to ""). */
  project: 'argocd-eks-plugins/project',
  /** Blue/green upgrades: clusters sharing a group replace one another. */
  upgradeGroup: 'argocd-eks-plugins/upgrade-group',
  /** `blue` or `green`. */
  upgradeColor: 'argocd-eks-plugins/upgrade-color',
  /** Share of traffic, an integer 0–100, as a string. */
  upgradeWeight: 'argocd-eks-plugins/upgrade-weight',
} as const;

/** Annotation keys used by gitops-bridge for the same facts, so its addon templates work unchanged. */
export const BRIDGE_ANNOTATIONS = {
  clusterName: 'aws_cluster_name',
  region: 'aws_region',
  accountId: 'aws_account_id',
  vpcId: 'aws_vpc_id',
  arn: 'aws_cluster_arn',
  version: 'aws_kubernetes_version',
  oidcIssuer: 'aws_oidc_issuer',
} as const;

export interface UpgradeInfo {
  readonly group: string;
  readonly color: string;
  readonly weight: string;
}

/** The one cluster model: what the generator returns and the registrar registers. */
export interface Cluster {
  readonly name: string;
  readonly nameNormalized: string;
  /** API server URL, without a trailing slash (Argo CD's Cluster generator uses it raw). */
  readonly server: string;
  readonly project: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly aws: AwsClusterInfo;
  readonly upgrade: UpgradeInfo;
  readonly caData: string;
}

export type MappingResult =
  { cluster: Cluster; issues: [] } | { cluster?: undefined; issues: string[] };

/** Maps a source record to the cluster model. Problems are returned (each naming the cluster ARN and tag), not thrown. */
export function clusterFromRecord(rec: ClusterRecord): MappingResult {
  const issues: string[] = [];
  const where = rec.arn || `${rec.accountId}/${rec.region}/${rec.clusterName}`;
  const tags = rec.tags;
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};

  for (const key of Object.keys(tags).sort()) {
    const value = tags[key] ?? '';
    if (!isValidLabelKey(key)) continue; // kept in aws.tags; Kubernetes metadata cannot hold this key
    if (isValidLabelValue(value)) labels[key] = value;
    else annotations[key] = value;
  }
  const bridge: Record<string, string> = {
    [BRIDGE_ANNOTATIONS.clusterName]: rec.clusterName,
    [BRIDGE_ANNOTATIONS.region]: rec.region,
    [BRIDGE_ANNOTATIONS.accountId]: rec.accountId,
    [BRIDGE_ANNOTATIONS.vpcId]: rec.vpcId,
    [BRIDGE_ANNOTATIONS.arn]: rec.arn,
    [BRIDGE_ANNOTATIONS.version]: rec.version,
    [BRIDGE_ANNOTATIONS.oidcIssuer]: rec.oidcIssuer,
  };
  Object.assign(annotations, bridge);

  const name = tags[RESERVED_TAGS.name] ?? rec.fleetName ?? rec.clusterName;
  if (name.trim() === '') issues.push(`${where}: tag ${RESERVED_TAGS.name} is empty`);
  const server = rec.endpoint.replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(server)) {
    issues.push(`${where}: endpoint "${rec.endpoint}" is not an http(s) URL`);
  }

  const color = tags[RESERVED_TAGS.upgradeColor] ?? '';
  if (color !== '' && color !== 'blue' && color !== 'green') {
    issues.push(
      `${where}: tag ${RESERVED_TAGS.upgradeColor} must be "blue" or "green", got "${color}"`,
    );
  }
  const weight = tags[RESERVED_TAGS.upgradeWeight] ?? '100';
  if (!/^(100|[1-9]?[0-9])$/.test(weight)) {
    issues.push(
      `${where}: tag ${RESERVED_TAGS.upgradeWeight} must be an integer 0-100, got "${weight}"`,
    );
  }
  if (issues.length > 0) return { issues };

  return {
    issues: [],
    cluster: {
      name,
      nameNormalized: sanitizeName(name),
      server,
      project: tags[RESERVED_TAGS.project] ?? '',
      labels,
      annotations,
      aws: {
        accountId: rec.accountId,
        region: rec.region,
        clusterName: rec.clusterName,
        arn: rec.arn,
        version: rec.version,
        platformVersion: rec.platformVersion,
        status: rec.status,
        endpoint: rec.endpoint,
        oidcIssuer: rec.oidcIssuer,
        vpcId: rec.vpcId,
        tags: { ...tags },
      },
      upgrade: { group: tags[RESERVED_TAGS.upgradeGroup] ?? '', color, weight },
      caData: rec.caData,
    },
  };
}

/**
 * One generator parameter set. Keys are those of Argo CD's native Cluster generator plus `aws`, `upgrade` and
 * `clusterContext`. `metadata.labels` and `metadata.annotations` are always present, possibly `{}`: a native cluster
 * Secret always carries at least the `secret-type` label, so templates written for `clusters:` index
 * `.metadata.labels` without a guard (`index .metadata.labels "team" | default "none"`), and that must not fail on
 * an untagged EKS cluster. Every scalar is a string, so flat mode never turns an account id into `1.2e+11`.
 */
export interface ClusterParams {
  readonly name: string;
  readonly nameNormalized: string;
  readonly server: string;
  readonly project: string;
  readonly metadata: {
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly aws: AwsClusterInfo;
  readonly upgrade: UpgradeInfo;
  /**
   * The fields above as one compact JSON string, for `ARGOCD_ENV_CLUSTER_CONTEXT` of the eks-overlay plugin; every
   * `$` is the JSON escape `\u0024` (encodeClusterContext).
   */
  readonly clusterContext: string;
}

export type ClusterContext = Omit<ClusterParams, 'clusterContext'>;

export function clusterToContext(c: Cluster): ClusterContext {
  const metadata = { labels: { ...c.labels }, annotations: { ...c.annotations } };
  return {
    name: c.name,
    nameNormalized: c.nameNormalized,
    server: c.server,
    project: c.project,
    metadata,
    aws: c.aws,
    upgrade: c.upgrade,
  };
}

/**
 * Argo CD expands `$NAME`, `${NAME}` and `$$` in plugin env values with Go's `os.Expand` (argocd-contract.md B5),
 * so a `$` in a tag would reach eks-overlay changed (`cost$center` → `cost`). Every `$` of the JSON text is
 * written as the escape `\u0024` instead: a `$` can only occur inside a JSON string, where the escape is the same
 * character to any JSON parser, and the text no longer holds anything `os.Expand` acts on.
 */
export function encodeClusterContext(context: ClusterContext): string {
  return JSON.stringify(context).replace(/\$/g, '\\u0024');
}

export function clusterToParams(c: Cluster): ClusterParams {
  const context = clusterToContext(c);
  return { ...context, clusterContext: encodeClusterContext(context) };
}
