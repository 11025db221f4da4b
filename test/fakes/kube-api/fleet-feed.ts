/**
 * A SnapshotFeed driven by the test, with clusters built by the real cluster model (clusterFromRecord), so the
 * registrar sees exactly what the registry would give it.
 */
import { createHash } from 'node:crypto';
import type { Cluster, ClusterRecord } from '../../../core/cluster';
import { clusterFromRecord } from '../../../core/cluster';
import type { FleetSnapshot, SnapshotFeed, SourcePart } from '../../../core/snapshot';

export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';

export function record(overrides: Partial<ClusterRecord> & { clusterName: string }): ClusterRecord {
  const accountId = overrides.accountId ?? ACCOUNT_A;
  const region = overrides.region ?? 'eu-west-1';
  // A digest, not a prefix of the name: every cluster gets its own endpoint and CA data.
  const id = createHash('sha256')
    .update(`${accountId}/${region}/${overrides.clusterName}`)
    .digest('hex')
    .slice(0, 32)
    .toUpperCase();
  return {
    accountId,
    region,
    arn: `arn:aws:eks:${region}:${accountId}:cluster/${overrides.clusterName}`,
    version: '1.31',
    platformVersion: 'eks.5',
    status: 'ACTIVE',
    endpoint: `https://${id}.gr7.${region}.eks.amazonaws.com`,
    oidcIssuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}`,
    vpcId: 'vpc-0123456789abcdef0',
    tags: { env: 'dev' },
    caData: Buffer.from(`-----BEGIN CERTIFICATE-----\n${id}\n-----END CERTIFICATE-----\n`).toString(
      'base64',
    ),
    ...overrides,
  };
}

export function cluster(rec: ClusterRecord): Cluster {
  const mapped = clusterFromRecord(rec);
  if (!mapped.cluster) throw new Error(mapped.issues.join('; '));
  return mapped.cluster;
}

export function part(
  accountId: string,
  region: string,
  health: { failing?: boolean; neverLoaded?: boolean } = {},
): SourcePart {
  return {
    id: `eks:${accountId}/${region}`,
    scope: { accountId, region },
    lastSuccessAt: health.neverLoaded ? undefined : 1_700_000_000_000,
    lastError: health.failing ? 'ListClusters: ThrottlingException' : undefined,
  };
}

export class ManualFeed implements SnapshotFeed {
  private snapshot: FleetSnapshot | undefined;
  private readonly listeners = new Set<(s: FleetSnapshot) => void>();
  private version = 0;

  current(): FleetSnapshot | undefined {
    return this.snapshot;
  }

  subscribe(listener: (s: FleetSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes a snapshot of these records; parts default to one healthy part per account × region used. */
  publish(records: readonly ClusterRecord[], parts?: readonly SourcePart[]): FleetSnapshot {
    this.version += 1;
    const scopes = new Map(records.map((r) => [`${r.accountId}/${r.region}`, r] as const));
    const snapshot: FleetSnapshot = {
      clusters: records.map(cluster).sort((a, b) => a.name.localeCompare(b.name)),
      parts: parts ?? [...scopes.values()].map((r) => part(r.accountId, r.region)),
      addonDefaults: {},
      builtAt: Date.now(),
      version: this.version,
    };
    this.snapshot = snapshot;
    for (const l of this.listeners) l(snapshot);
    return snapshot;
  }
}
