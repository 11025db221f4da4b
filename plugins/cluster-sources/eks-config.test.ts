import { EKS_DEFAULTS, parseEksConfig } from './eks-config';

const ROLE = 'arn:aws:iam::222222222222:role/eks-discovery';

function ok(env: Record<string, string>) {
  const r = parseEksConfig(env);
  if ('issues' in r) throw new Error(r.issues.join('\n'));
  return r.config;
}

function issues(env: Record<string, string>): string[] {
  const r = parseEksConfig(env);
  return 'issues' in r ? r.issues : [];
}

describe('parseEksConfig', () => {
  it('needs only EKS_REGIONS and applies the documented defaults', () => {
    const c = ok({ EKS_REGIONS: 'us-east-1' });
    expect(c.regions).toEqual(['us-east-1']);
    expect(c.assumeRoleArns).toEqual([]);
    expect(c.includeOwnAccount).toBe(true);
    expect(c.enrollSelector.requirements).toEqual([]);
    expect(c.refreshIntervalMs).toBe(EKS_DEFAULTS.refreshSeconds * 1000);
    expect(c.refreshTimeoutMs).toBe(EKS_DEFAULTS.refreshSeconds * 1000);
    expect(c.maxStaleMs).toBe(EKS_DEFAULTS.maxStaleSeconds * 1000);
    expect(c.describeConcurrency).toBe(EKS_DEFAULTS.describeConcurrency);
    expect(c.callTimeoutMs).toBe(EKS_DEFAULTS.callTimeoutMs);
    expect(c.maxAttempts).toBe(EKS_DEFAULTS.maxAttempts);
  });

  it('leaves the attempts to the SDK when AWS_MAX_ATTEMPTS is set and EKS_MAX_ATTEMPTS is not', () => {
    expect(ok({ EKS_REGIONS: 'us-east-1', AWS_MAX_ATTEMPTS: '7' }).maxAttempts).toBeUndefined();
    expect(
      ok({ EKS_REGIONS: 'us-east-1', AWS_MAX_ATTEMPTS: '7', EKS_MAX_ATTEMPTS: '2' }).maxAttempts,
    ).toBe(2);
  });

  it('reads every setting', () => {
    const c = ok({
      EKS_REGIONS: ' us-east-1 , eu-west-1,us-gov-west-1,cn-north-1 ',
      EKS_ASSUME_ROLE_ARNS: `${ROLE}, arn:aws-cn:iam::333333333333:role/path/to/r`,
      EKS_ENROLL_SELECTOR: 'argocd=enabled,env in (dev,prod),!legacy',
      EKS_REFRESH_SECONDS: '30',
      EKS_REFRESH_TIMEOUT_SECONDS: '20',
      EKS_MAX_STALE_SECONDS: '600',
      EKS_DESCRIBE_CONCURRENCY: '16',
      EKS_TARGET_CONCURRENCY: '2',
      EKS_CALL_TIMEOUT_MS: '5000',
      EKS_CONNECT_TIMEOUT_MS: '1000',
      EKS_MAX_ATTEMPTS: '5',
      EKS_ADDONS_REFRESH_SECONDS: '3600',
      EKS_ASSUME_ROLE_EXTERNAL_ID: 'ext-123',
      EKS_INCLUDE_OWN_ACCOUNT: 'false',
    });
    expect(c.regions).toEqual(['us-east-1', 'eu-west-1', 'us-gov-west-1', 'cn-north-1']);
    expect(c.assumeRoleArns).toEqual([ROLE, 'arn:aws-cn:iam::333333333333:role/path/to/r']);
    expect(c.enrollSelector.requirements).toEqual([
      { key: 'argocd', operator: 'In', values: ['enabled'] },
      { key: 'env', operator: 'In', values: ['dev', 'prod'] },
      { key: 'legacy', operator: 'DoesNotExist', values: [] },
    ]);
    expect(c).toMatchObject({
      refreshIntervalMs: 30_000,
      refreshTimeoutMs: 20_000,
      maxStaleMs: 600_000,
      describeConcurrency: 16,
      targetConcurrency: 2,
      callTimeoutMs: 5000,
      connectTimeoutMs: 1000,
      maxAttempts: 5,
      addonsRefreshMs: 3_600_000,
      externalId: 'ext-123',
      includeOwnAccount: false,
    });
  });

  it('reports every problem at once, each naming its variable', () => {
    const found = issues({
      EKS_REGIONS: 'us-east-1,US-EAST-1,us-east-1,narnia',
      EKS_ASSUME_ROLE_ARNS: 'arn:aws:iam::12:role/x,arn:aws:iam::222222222222:user/bob',
      EKS_ENROLL_SELECTOR: 'env in (dev',
      EKS_REFRESH_SECONDS: 'soon',
      EKS_REFRESH_TIMEOUT_SECONDS: '0',
      EKS_DESCRIBE_CONCURRENCY: '0',
      EKS_CALL_TIMEOUT_MS: '-1',
      EKS_MAX_ATTEMPTS: '11',
      EKS_INCLUDE_OWN_ACCOUNT: 'maybe',
    });
    expect(found).toEqual([
      'EKS_REGIONS: "US-EAST-1" is not a region name like us-east-1',
      'EKS_REGIONS: "narnia" is not a region name like us-east-1',
      'EKS_REGIONS: "us-east-1" is listed twice',
      'EKS_ASSUME_ROLE_ARNS: "arn:aws:iam::12:role/x" is not an IAM role ARN like arn:aws:iam::123456789012:role/name',
      'EKS_ASSUME_ROLE_ARNS: "arn:aws:iam::222222222222:user/bob" is not an IAM role ARN like arn:aws:iam::123456789012:role/name',
      'EKS_INCLUDE_OWN_ACCOUNT: "maybe" must be true or false',
      expect.stringMatching(/^EKS_ENROLL_SELECTOR: selector "env in \(dev"/),
      'EKS_REFRESH_SECONDS: "soon" must be an integer from 5 to 86400',
      'EKS_REFRESH_TIMEOUT_SECONDS: "0" must be an integer from 1 to 86400',
      'EKS_DESCRIBE_CONCURRENCY: "0" must be an integer from 1 to 100',
      'EKS_CALL_TIMEOUT_MS: "-1" must be an integer from 100 to 300000',
      'EKS_MAX_ATTEMPTS: "11" must be an integer from 1 to 10',
    ]);
  });

  it.each([
    [{}, /EKS_REGIONS: required/],
    [{ EKS_REGIONS: ' , ' }, /EKS_REGIONS: required/],
    [{ EKS_REGIONS: 'us-east-1', EKS_INCLUDE_OWN_ACCOUNT: 'false' }, /needs at least one role/],
    [
      { EKS_REGIONS: 'us-east-1', EKS_ENROLL_SELECTOR: 'aws:cloudformation:stack=x' },
      /EKS_ENROLL_SELECTOR/,
    ],
    [
      { EKS_REGIONS: 'us-east-1', EKS_MAX_STALE_SECONDS: '30' },
      /shorter than twice EKS_REFRESH_SECONDS/,
    ],
    [{ EKS_REGIONS: 'us-east-1', EKS_ROLE_SESSION_NAME: 'has space' }, /EKS_ROLE_SESSION_NAME/],
  ])('rejects %j', (env, message) => {
    expect(issues(env as Record<string, string>)).toEqual([expect.stringMatching(message)]);
  });

  it('bounds a refresh by the refresh interval unless EKS_REFRESH_TIMEOUT_SECONDS says otherwise', () => {
    expect(ok({ EKS_REGIONS: 'us-east-1', EKS_REFRESH_SECONDS: '45' }).refreshTimeoutMs).toBe(
      45_000,
    );
    expect(
      ok({ EKS_REGIONS: 'us-east-1', EKS_REFRESH_SECONDS: '45', EKS_REFRESH_TIMEOUT_SECONDS: '90' })
        .refreshTimeoutMs,
    ).toBe(90_000);
  });

  it('reads EKS_CLUSTER_NAME_TEMPLATE, {clusterName} by default', () => {
    expect(ok({ EKS_REGIONS: 'us-east-1' }).nameTemplate).toBe('{clusterName}');
    expect(
      ok({
        EKS_REGIONS: 'us-east-1',
        EKS_CLUSTER_NAME_TEMPLATE: '{accountId}-{clusterName}-{region}',
      }).nameTemplate,
    ).toBe('{accountId}-{clusterName}-{region}');
  });

  it.each([
    [
      '{cluster}-{region}',
      [
        'EKS_CLUSTER_NAME_TEMPLATE: unknown placeholder {cluster} in "{cluster}-{region}" (known: {clusterName}, {region}, {accountId})',
        'EKS_CLUSTER_NAME_TEMPLATE: "{cluster}-{region}" must contain {clusterName} (clusters of one account and region differ only by it)',
      ],
    ],
    [
      '{region}',
      [
        'EKS_CLUSTER_NAME_TEMPLATE: "{region}" must contain {clusterName} (clusters of one account and region differ only by it)',
      ],
    ],
    [
      '{clusterName}-{region',
      ['EKS_CLUSTER_NAME_TEMPLATE: unmatched brace in "{clusterName}-{region"'],
    ],
    [
      '{clusterName}-{{region}}',
      ['EKS_CLUSTER_NAME_TEMPLATE: unmatched brace in "{clusterName}-{{region}}"'],
    ],
  ])('rejects the name template %j, naming the variable', (template, expected) => {
    expect(issues({ EKS_REGIONS: 'us-east-1', EKS_CLUSTER_NAME_TEMPLATE: template })).toEqual(
      expected,
    );
  });

  it('lets EKS_MAX_STALE_SECONDS=0 switch the staleness limit off', () => {
    expect(ok({ EKS_REGIONS: 'us-east-1', EKS_MAX_STALE_SECONDS: '0' }).maxStaleMs).toBe(0);
  });
});
