import type { ClusterRecord } from '../core/cluster';

const REGIONS = [
  'us-east-1',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-1',
  'ap-northeast-1',
  'sa-east-1',
  'ca-central-1',
];
const ENVS = ['dev', 'staging', 'prod'];

/** A synthetic fleet of `n` clusters with realistic tag counts, for benchmarks. */
export function syntheticFleet(n: number, accounts = 4): ClusterRecord[] {
  const out: ClusterRecord[] = [];
  for (let i = 0; i < n; i++) {
    const region = REGIONS[i % REGIONS.length] as string;
    const accountId = String(100000000000 + (i % accounts) * 111111111).padStart(12, '0');
    const clusterName = `cluster-${String(i).padStart(5, '0')}`;
    const id = (i.toString(16).padStart(8, '0') + 'ABCDEF0123456789ABCDEF01')
      .slice(0, 32)
      .toUpperCase();
    out.push({
      accountId,
      region,
      clusterName,
      arn: `arn:aws:eks:${region}:${accountId}:cluster/${clusterName}`,
      version: ['1.29', '1.30', '1.31'][i % 3] as string,
      platformVersion: 'eks.10',
      status: 'ACTIVE',
      endpoint: `https://${id}.gr7.${region}.eks.amazonaws.com`,
      oidcIssuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}`,
      vpcId: `vpc-${i.toString(16).padStart(17, '0')}`,
      caData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkZBS0UKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=',
      tags: {
        env: ENVS[i % ENVS.length] as string,
        team: `team-${i % 17}`,
        'cost-center': String(4000 + (i % 50)),
        argocd: 'enabled',
        'app.kubernetes.io/part-of': 'fleet',
        owner: 'platform team <platform@example.com>',
      },
    });
  }
  return out;
}
