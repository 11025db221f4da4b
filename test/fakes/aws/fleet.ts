import { createHash } from 'node:crypto';

/** A cluster as the fake EKS stores it; DescribeCluster fills in the rest the way EKS does. */
export interface FakeCluster {
  readonly name: string;
  readonly version?: string;
  readonly platformVersion?: string;
  /** Default ACTIVE. CREATING clusters get no endpoint and no CA, as in EKS. */
  readonly status?: 'CREATING' | 'ACTIVE' | 'DELETING' | 'FAILED' | 'UPDATING' | 'PENDING';
  readonly tags?: Readonly<Record<string, string>>;
  /** Epoch seconds (a fraction is allowed); default a fixed instant derived from the name. */
  readonly createdAt?: number;
  /** Installed EKS add-ons (ListAddons, DescribeAddon): name → addonVersion. */
  readonly addons?: Readonly<Record<string, string>>;
}

/** One add-on in the DescribeAddonVersions catalogue: versions with their per-Kubernetes compatibility. */
export interface FakeAddon {
  readonly addonName: string;
  readonly type?: string;
  readonly versions: readonly {
    readonly addonVersion: string;
    /** Kubernetes minor version → is this the default for it. */
    readonly compat: Readonly<Record<string, boolean>>;
  }[];
}

function hex(seed: string, n: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, n).toUpperCase();
}

/** A well-formed base64 PEM (the bytes are not a real certificate; only its encoding matters here). */
export function fakeCaData(seed: string): string {
  const body = Buffer.from(createHash('sha512').update(seed).digest()).toString('base64');
  const pem = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
  return Buffer.from(pem).toString('base64');
}

/** The DescribeCluster `cluster` member for a stored cluster, with realistic field shapes (1.3 of aws-api.md). */
export function describeBody(
  account: string,
  region: string,
  c: FakeCluster,
): Record<string, unknown> {
  const id = hex(`${account}/${region}/${c.name}`, 32);
  const status = c.status ?? 'ACTIVE';
  const reachable = status !== 'CREATING';
  return {
    name: c.name,
    arn: `arn:aws:eks:${region}:${account}:cluster/${c.name}`,
    // restJson timestamps are epoch seconds as a JSON number; an ISO string makes the SDK throw.
    createdAt: c.createdAt ?? 1_700_000_000 + (parseInt(id.slice(0, 6), 16) % 10_000_000) + 0.123,
    version: c.version ?? '1.30',
    ...(reachable ? { endpoint: `https://${id}.gr7.${region}.eks.amazonaws.com` } : {}),
    roleArn: `arn:aws:iam::${account}:role/eks-cluster-role`,
    resourcesVpcConfig: {
      subnetIds: [`subnet-${hex(id + 'a', 17).toLowerCase()}`],
      securityGroupIds: [],
      clusterSecurityGroupId: `sg-${hex(id + 'sg', 17).toLowerCase()}`,
      vpcId: `vpc-${hex(id + 'vpc', 17).toLowerCase()}`,
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0'],
    },
    kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16', ipFamily: 'ipv4' },
    identity: { oidc: { issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}` } },
    status,
    ...(reachable ? { certificateAuthority: { data: fakeCaData(id) } } : {}),
    platformVersion: c.platformVersion ?? 'eks.7',
    tags: { ...(c.tags ?? {}) },
    health: { issues: [] },
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    upgradePolicy: { supportType: 'STANDARD' },
  };
}

/** A small realistic add-on catalogue covering Kubernetes 1.28-1.31. */
export const DEFAULT_ADDONS: readonly FakeAddon[] = [
  {
    addonName: 'vpc-cni',
    type: 'networking',
    versions: [
      {
        addonVersion: 'v1.19.0-eksbuild.1',
        compat: { '1.31': true, '1.30': false, '1.29': false },
      },
      { addonVersion: 'v1.18.3-eksbuild.2', compat: { '1.30': true, '1.29': true, '1.28': true } },
      {
        addonVersion: 'v1.18.1-eksbuild.1',
        compat: { '1.30': false, '1.29': false, '1.28': false },
      },
    ],
  },
  {
    addonName: 'coredns',
    type: 'networking',
    versions: [
      { addonVersion: 'v1.11.3-eksbuild.1', compat: { '1.31': true, '1.30': true } },
      { addonVersion: 'v1.11.1-eksbuild.9', compat: { '1.30': false, '1.29': true } },
      { addonVersion: 'v1.10.1-eksbuild.13', compat: { '1.28': true } },
    ],
  },
  {
    addonName: 'kube-proxy',
    type: 'networking',
    versions: [
      { addonVersion: 'v1.31.0-eksbuild.5', compat: { '1.31': true } },
      { addonVersion: 'v1.30.3-eksbuild.2', compat: { '1.30': true } },
      { addonVersion: 'v1.29.7-eksbuild.2', compat: { '1.29': true } },
      { addonVersion: 'v1.28.12-eksbuild.2', compat: { '1.28': true } },
    ],
  },
  {
    addonName: 'aws-ebs-csi-driver',
    type: 'storage',
    versions: [
      {
        addonVersion: 'v1.35.0-eksbuild.1',
        compat: { '1.31': true, '1.30': true, '1.29': true, '1.28': true },
      },
    ],
  },
];
