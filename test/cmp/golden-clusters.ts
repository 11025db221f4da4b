/**
 * The clusters whose renders of the fixture repository are the golden files (test/golden/render/), shared by the
 * argocd-cmp-server emulation and the warm renderer's byte-identity test.
 */
import { clusterFromRecord, clusterToParams } from '../../core/cluster';
import type { ClusterParams, ClusterRecord } from '../../core/cluster';

/** One cluster as the generator would serve it, from a few record fields. */
export function aCluster(
  over: Partial<ClusterRecord> & Pick<ClusterRecord, 'clusterName' | 'region'>,
): ClusterParams {
  const accountId = over.accountId ?? '123456789012';
  const rec: ClusterRecord = {
    accountId,
    arn: `arn:aws:eks:${over.region}:${accountId}:cluster/${over.clusterName}`,
    version: '1.31',
    platformVersion: 'eks.12',
    status: 'ACTIVE',
    endpoint: `https://ABCDEF.gr7.${over.region}.eks.amazonaws.com`,
    oidcIssuer: `https://oidc.eks.${over.region}.amazonaws.com/id/ABCDEF`,
    vpcId: 'vpc-0abc',
    tags: {},
    caData: 'LS0tLS1CRUdJTi0tLS0t',
    ...over,
  };
  const mapped = clusterFromRecord(rec);
  if (mapped.cluster === undefined) throw new Error(mapped.issues.join('; '));
  return clusterToParams(mapped.cluster);
}

export const GOLDEN_CLUSTERS: Record<string, ClusterParams> = {
  'prod-use1': aCluster({
    clusterName: 'prod-use1',
    region: 'us-east-1',
    tags: { env: 'prod', team: 'web' },
  }),
  'dev-euw1': aCluster({
    clusterName: 'dev-euw1',
    region: 'eu-west-1',
    tags: { env: 'dev' },
    accountId: '210987654321',
  }),
  Staging_02: aCluster({
    clusterName: 'Staging_02',
    region: 'ap-south-1',
    tags: { env: 'staging' },
  }),
};
