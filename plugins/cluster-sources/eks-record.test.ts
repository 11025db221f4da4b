import type { Cluster as EksCluster } from '@aws-sdk/client-eks';
import { parseSelector } from '../../core/selector';
import { isEnrolled, kubernetesMinor, recordFromEksCluster, tagsAsLabels } from './eks-record';

const CA = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=';

const described: EksCluster = {
  name: 'prod-east',
  arn: 'arn:aws:eks:us-east-1:444455556666:cluster/prod-east',
  createdAt: new Date(1_700_000_000_123),
  version: '1.29',
  endpoint: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com',
  resourcesVpcConfig: { vpcId: 'vpc-0123456789abcdef0' },
  identity: { oidc: { issuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF' } },
  status: 'ACTIVE',
  certificateAuthority: { data: CA },
  platformVersion: 'eks.7',
  tags: { team: 'platform', env: 'prod' },
};

describe('recordFromEksCluster', () => {
  it('maps DescribeCluster to the source record, CA data unchanged and the account from the ARN', () => {
    expect(
      recordFromEksCluster(described, { accountId: '111111111111', region: 'eu-west-1' }),
    ).toEqual({
      accountId: '444455556666',
      region: 'us-east-1',
      clusterName: 'prod-east',
      arn: 'arn:aws:eks:us-east-1:444455556666:cluster/prod-east',
      version: '1.29',
      platformVersion: 'eks.7',
      status: 'ACTIVE',
      endpoint: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com',
      oidcIssuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF',
      vpcId: 'vpc-0123456789abcdef0',
      tags: { team: 'platform', env: 'prod' },
      caData: CA,
    });
  });

  it('takes account and region from the ARN, the target only when the ARN does not name them', () => {
    const foreign = { ...described, arn: 'arn:aws:eks:us-east-1:444455556666:cluster/prod-east' };
    expect(
      recordFromEksCluster(foreign, { accountId: '111111111111', region: 'eu-west-1' }),
    ).toMatchObject({ accountId: '444455556666', region: 'us-east-1' });
    const odd = { ...described, arn: 'not-an-arn' };
    expect(
      recordFromEksCluster(odd, { accountId: '111111111111', region: 'eu-west-1' }),
    ).toMatchObject({ accountId: '111111111111', region: 'eu-west-1', arn: 'not-an-arn' });
  });

  it.each(['CREATING', 'FAILED', 'DELETING'] as const)(
    'skips a cluster without an API endpoint in status %s (none yet, or going away)',
    (status) => {
      const { endpoint: _e, ...endpointLess } = { ...described, status };
      expect(
        recordFromEksCluster(endpointLess, { accountId: undefined, region: 'us-east-1' }),
      ).toBeUndefined();
    },
  );

  it.each(['ACTIVE', 'UPDATING', 'PENDING'] as const)(
    'fails (never skips) a cluster without an API endpoint in status %s',
    (status) => {
      const { endpoint: _e, ...endpointLess } = { ...described, status };
      expect(() =>
        recordFromEksCluster(endpointLess, { accountId: undefined, region: 'us-east-1' }),
      ).toThrow(
        `DescribeCluster prod-east: answered without an endpoint for a cluster in status ${status}`,
      );
    },
  );

  it.each([
    ['name', 'DescribeCluster (no name): answered without the cluster name'],
    ['arn', 'DescribeCluster prod-east: answered without the cluster ARN'],
    ['status', 'DescribeCluster prod-east: answered without the cluster status'],
  ] as const)('fails a cluster answered without its %s', (member, message) => {
    const { [member]: _m, ...incomplete } = described;
    expect(() => recordFromEksCluster(incomplete, { accountId: '1', region: 'r' })).toThrow(
      message,
    );
  });

  it('tolerates a cluster with no optional members', () => {
    expect(
      recordFromEksCluster(
        {
          name: 'bare',
          arn: 'arn:aws:eks:r-1:111111111111:cluster/bare',
          status: 'ACTIVE',
          endpoint: 'https://x',
        },
        { accountId: '1', region: 'r' },
      ),
    ).toMatchObject({ tags: {}, caData: '', vpcId: '', oidcIssuer: '', version: '' });
  });
});

describe('enrollment over tags as labels', () => {
  const tags = {
    argocd: 'enabled',
    env: 'prod',
    'aws:cloudformation:stack-name': 'stack',
    owner: 'Jane Doe <jane@example.com>',
  };

  it('keeps only tags that are valid labels', () => {
    expect(tagsAsLabels(tags)).toEqual({ argocd: 'enabled', env: 'prod' });
  });

  it.each([
    ['', true],
    ['argocd=enabled', true],
    ['argocd=enabled,env in (dev,prod)', true],
    ['env notin (prod)', false],
    ['argocd=disabled', false],
    ['missing', false],
    ['!missing', true],
    // a tag whose value cannot be a label value cannot match, and counts as absent
    ['owner', false],
    ['!owner', true],
  ])('selector %j → %s', (selector, expected) => {
    expect(isEnrolled(parseSelector(selector), tags)).toBe(expected);
  });
});

describe('kubernetesMinor', () => {
  it.each([
    ['1.30', '1.30'],
    ['1.29.4', '1.29'],
    ['', undefined],
    ['latest', undefined],
  ])('%j → %j', (v, minor) => expect(kubernetesMinor(v)).toBe(minor));
});
