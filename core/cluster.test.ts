import type { ClusterRecord } from './cluster';
import { RESERVED_TAGS, clusterFromRecord, clusterToParams } from './cluster';

function aRecord(overrides: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    accountId: '011111111111',
    region: 'eu-west-1',
    clusterName: 'prod_eu/west',
    arn: 'arn:aws:eks:eu-west-1:011111111111:cluster/prod-eu-west',
    version: '1.30',
    platformVersion: 'eks.12',
    status: 'ACTIVE',
    endpoint: 'https://ABCDEF0123456789ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com/',
    oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789',
    vpcId: 'vpc-0123456789abcdef0',
    caData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
    tags: { env: 'prod', team: 'payments & billing', 'aws:cloudformation:stack-name': 'x' },
    ...overrides,
  };
}

function mapped(rec: ClusterRecord) {
  const r = clusterFromRecord(rec);
  if (r.cluster === undefined) throw new Error(r.issues.join('; '));
  return r.cluster;
}

describe('clusterFromRecord', () => {
  test('tags that are valid labels become labels; others become annotations; invalid keys stay in aws.tags', () => {
    const c = mapped(aRecord());
    expect(c.labels).toEqual({ env: 'prod' });
    expect(c.annotations['team']).toBe('payments & billing');
    expect(c.annotations).not.toHaveProperty('aws:cloudformation:stack-name');
    expect(c.aws.tags['aws:cloudformation:stack-name']).toBe('x');
  });

  test('gitops-bridge annotations carry the AWS metadata', () => {
    const c = mapped(aRecord());
    expect(c.annotations).toMatchObject({
      aws_cluster_name: 'prod_eu/west',
      aws_region: 'eu-west-1',
      aws_account_id: '011111111111',
      aws_vpc_id: 'vpc-0123456789abcdef0',
    });
  });

  test('server has no trailing slash; nameNormalized follows SanitizeName', () => {
    const c = mapped(aRecord());
    expect(c.server).toBe(
      'https://ABCDEF0123456789ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com',
    );
    expect(c.nameNormalized).toBe('prod-eu-west');
  });

  test('reserved tags set name, project and the blue/green upgrade fields', () => {
    const c = mapped(
      aRecord({
        tags: {
          [RESERVED_TAGS.name]: 'payments-prod-green',
          [RESERVED_TAGS.project]: 'payments',
          [RESERVED_TAGS.upgradeGroup]: 'payments-prod',
          [RESERVED_TAGS.upgradeColor]: 'green',
          [RESERVED_TAGS.upgradeWeight]: '10',
        },
      }),
    );
    expect(c.name).toBe('payments-prod-green');
    expect(c.project).toBe('payments');
    expect(c.upgrade).toEqual({ group: 'payments-prod', color: 'green', weight: '10' });
  });

  test('a cluster outside any blue/green pair takes all traffic', () => {
    expect(mapped(aRecord()).upgrade).toEqual({ group: '', color: '', weight: '100' });
  });

  test.each([
    [{ [RESERVED_TAGS.upgradeColor]: 'red' }, /must be "blue" or "green"/],
    [{ [RESERVED_TAGS.upgradeWeight]: '101' }, /integer 0-100/],
    [{ [RESERVED_TAGS.upgradeWeight]: '1e2' }, /integer 0-100/],
    [{ [RESERVED_TAGS.name]: ' ' }, /is empty/],
  ])('bad reserved tag %p is reported with the cluster ARN', (tags, message) => {
    const r = clusterFromRecord(aRecord({ tags }));
    expect(r.cluster).toBeUndefined();
    expect(r.issues.join()).toMatch(message);
    expect(r.issues.join()).toContain('arn:aws:eks:eu-west-1:011111111111:cluster/prod-eu-west');
  });
});

describe('clusterToParams', () => {
  test('every scalar leaf is a string and clusterContext is the rest as compact JSON', () => {
    const p = clusterToParams(mapped(aRecord()));
    const leaves: unknown[] = [];
    const walk = (v: unknown): void => {
      if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
      else leaves.push(v);
    };
    walk(p);
    expect(leaves.every((l) => typeof l === 'string')).toBe(true);
    const { clusterContext, ...rest } = p;
    expect(JSON.parse(clusterContext)).toEqual(rest);
    expect(p).not.toHaveProperty('caData');
  });

  test('metadata always holds labels and annotations, possibly empty, so templates can index them', () => {
    const c = mapped(aRecord({ tags: {} }));
    const p = clusterToParams({ ...c, annotations: {} });
    expect(p.metadata).toEqual({ labels: {}, annotations: {} });
  });
});
