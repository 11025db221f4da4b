import { createHash } from 'node:crypto';
import type { Cluster } from '../../core/cluster';
import type { SourcePart } from '../../core/snapshot';
import type { RegistrarConfig } from './config';
import { roleArnFor } from './config';

export const SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'argocd-eks-plugins';
/** Which registrar owns the Secret: REGISTRAR_INSTALLATION_ID. */
export const INSTALLATION_LABEL = 'argocd-eks-plugins/installation';
/** The installation id when none is set; it also owns the Secrets written before ids existed (see ownerOf()). */
export const DEFAULT_INSTALLATION = 'default';

/** Where an owned Secret came from, so pruning can ask whether that part's last listing succeeded. */
export const REGISTRAR_ANNOTATIONS = {
  sourcePart: 'argocd-eks-plugins/source-part',
  accountId: 'argocd-eks-plugins/account-id',
  region: 'argocd-eks-plugins/region',
  clusterArn: 'argocd-eks-plugins/cluster-arn',
} as const;

/** What a cluster Secret holds, with `data` values as plain strings (the API carries them base64). */
export interface SecretContent {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly data: Readonly<Record<string, string>>;
}

export interface DesiredSecret extends SecretContent {
  /** The cluster's API server URL (also `data.server`), for foreign-Secret detection. */
  readonly server: string;
}

/**
 * Deterministic Secret name: `eks-<EKS cluster name, sanitized, ≤ 40>-<10 hex of sha256(ARN)>`.
 * The EKS name and ARN never change for the life of a cluster, so renaming it in Argo CD (the name tag) updates
 * the Secret in place; the hash keeps same-named clusters of other accounts or regions apart.
 */
export function clusterSecretName(cluster: Cluster): string {
  const identity = cluster.aws.arn !== '' ? cluster.aws.arn : cluster.server;
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 10);
  const base = cluster.aws.clusterName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return base === '' ? `eks-${hash}` : `eks-${base}-${hash}`;
}

/** The part that lists this cluster: the one scoped to its account and region, else the only unscoped part. */
export function partOfCluster(
  cluster: Cluster,
  parts: readonly SourcePart[],
): SourcePart | undefined {
  const scoped = parts.find(
    (p) => p.scope?.accountId === cluster.aws.accountId && p.scope.region === cluster.aws.region,
  );
  if (scoped) return scoped;
  const unscoped = parts.filter((p) => p.scope === undefined);
  return unscoped.length === 1 ? unscoped[0] : undefined;
}

/** Why a cluster of the snapshot cannot be registered, or undefined when it can. */
export function unregistrableReason(cluster: Cluster): string | undefined {
  if (cluster.server === '') return 'no API server endpoint yet';
  if (cluster.caData === '') return 'no certificate authority data yet';
  return undefined;
}

/**
 * The Secret Argo CD needs for one cluster (../shared/docs/argocd-contract.md §C1).
 * Labels and annotations are the cluster's own; this project's keys are laid over them and win, so a tag can never
 * disown a Secret or change its type.
 */
export function desiredSecret(
  cluster: Cluster,
  part: SourcePart | undefined,
  config: Pick<RegistrarConfig, 'roleArnTemplate' | 'installationId'>,
): DesiredSecret {
  const awsAuthConfig: Record<string, string> = { clusterName: cluster.aws.clusterName };
  if (config.roleArnTemplate !== undefined) {
    awsAuthConfig['roleARN'] = roleArnFor(config.roleArnTemplate, cluster.aws.accountId);
  }
  const clusterConfig = {
    awsAuthConfig,
    // caData is already base64 PEM from DescribeCluster; Argo CD wants exactly that.
    tlsClientConfig: { insecure: false, caData: cluster.caData },
  };
  const data: Record<string, string> = {
    name: cluster.name,
    server: cluster.server,
    config: JSON.stringify(clusterConfig),
  };
  if (cluster.project !== '') data['project'] = cluster.project;

  const annotations: Record<string, string> = {
    ...cluster.annotations,
    [REGISTRAR_ANNOTATIONS.accountId]: cluster.aws.accountId,
    [REGISTRAR_ANNOTATIONS.region]: cluster.aws.region,
    [REGISTRAR_ANNOTATIONS.clusterArn]: cluster.aws.arn,
  };
  if (part !== undefined) annotations[REGISTRAR_ANNOTATIONS.sourcePart] = part.id;

  return {
    name: clusterSecretName(cluster),
    server: cluster.server,
    labels: {
      ...cluster.labels,
      [SECRET_TYPE_LABEL]: 'cluster',
      [MANAGED_BY_LABEL]: MANAGED_BY,
      [INSTALLATION_LABEL]: config.installationId,
    },
    annotations,
    data,
  };
}

/**
 * Who a cluster Secret belongs to, seen from the installation `installationId`:
 * - `this`: written by this installation;
 * - `other-installation`: written by another registrar (another Argo CD instance, or the other of a blue/green pair);
 * - `foreign`: not written by this project (by hand, by another tool).
 * A Secret written before installation ids existed has no installation label: it belongs to the default
 * installation, so the registrar upgraded in place (which has the default id) adopts it on its next update, and a
 * registrar with another id never touches it (an old registrar still running would otherwise fight over it).
 */
export type Owner = 'this' | 'other-installation' | 'foreign';

export function ownerOf(
  labels: Readonly<Record<string, string>> | undefined,
  installationId: string,
): Owner {
  if (labels?.[MANAGED_BY_LABEL] !== MANAGED_BY) return 'foreign';
  const installation = labels[INSTALLATION_LABEL] ?? DEFAULT_INSTALLATION;
  return installation === installationId ? 'this' : 'other-installation';
}

/** The installation that owns a Secret of this project (the default one for Secrets older than ids). */
export function installationOf(labels: Readonly<Record<string, string>>): string {
  return labels[INSTALLATION_LABEL] ?? DEFAULT_INSTALLATION;
}
