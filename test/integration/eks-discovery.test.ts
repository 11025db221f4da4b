/**
 * EKS discovery through the real AWS SDK over HTTP against the EKS/STS fake: which accounts, regions and
 * clusters are found, how they map to records, what a refresh costs in AWS calls, and how the add-on
 * defaults follow the fleet.
 */
import { SourceUnavailableError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import type { SourceLoad } from '../../plugins/cluster-sources/source';
import type { AwsFake } from '../fakes/aws/aws-fake';
import type { EksHarness } from '../fakes/aws/eks-harness';
import { addAll, clusters, HOME_KEY, startEksHarness } from '../fakes/aws/eks-harness';
import type { Fault } from '../fakes/aws/faults';
import { describeBody } from '../fakes/aws/fleet';

const HOME = '111111111111';
const SPOKE = '222222222222';
const ROLE = `arn:aws:iam::${SPOKE}:role/eks-discovery`;
const ENV = {
  EKS_REGIONS: 'us-east-1,eu-west-1',
  EKS_ASSUME_ROLE_ARNS: ROLE,
  EKS_ENROLL_SELECTOR: 'argocd=enabled',
  EKS_DESCRIBE_CONCURRENCY: '4',
};

/**
 * Home account: 3 enrolled 1.29 clusters, one not enrolled, one still CREATING in us-east-1; nothing in eu-west-1.
 * Spoke account (assumed role): 105 enrolled clusters in eu-west-1 (two ListClusters pages), and 2 in
 * us-east-1 whose extra tags cannot be labels.
 */
function seed(fake: AwsFake): void {
  addAll(fake, HOME, 'us-east-1', clusters('home', 3, {}, { version: '1.29' }));
  fake.addCluster(HOME, 'us-east-1', { name: 'sandbox', tags: { argocd: 'disabled' } });
  fake.addCluster(HOME, 'us-east-1', {
    name: 'new',
    status: 'CREATING',
    tags: { argocd: 'enabled' },
  });
  addAll(fake, SPOKE, 'eu-west-1', clusters('spoke-euw1', 105, { env: 'prod' }));
  addAll(
    fake,
    SPOKE,
    'us-east-1',
    clusters('spoke-use1', 2, { 'aws:cloudformation:stack-name': 'x', owner: 'Jane Doe' }),
  );
}

const ENROLLED = 3 + 105 + 2;
const PAGES = 1 + 1 + 1 + 2; // home us-east-1, home eu-west-1 (empty), spoke us-east-1, spoke eu-west-1
const DESCRIBES = 5 + 105 + 2; // every listed name, enrolled or not
const ADDON_CALLS = 2; // Kubernetes 1.29 and 1.30, one page each

let h: EksHarness;
afterEach(async () => {
  await h.close();
});

describe('EKS discovery against the HTTP fake', () => {
  it('finds enrolled clusters in the own account and every assumed-role account, in every region', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    const load = await h.load();

    expect(load.records).toHaveLength(ENROLLED);
    const names = load.records.map((r) => r.clusterName);
    expect(names).toEqual(expect.arrayContaining(['home-000', 'spoke-euw1-104', 'spoke-use1-001']));
    expect(names).not.toContain('sandbox'); // argocd=disabled
    expect(names).not.toContain('new'); // CREATING: no endpoint yet

    expect(load.parts).toEqual([
      part(`eks:${HOME}/us-east-1`, HOME, 'us-east-1'),
      part(`eks:${HOME}/eu-west-1`, HOME, 'eu-west-1'),
      part(`eks:${ROLE}/us-east-1`, SPOKE, 'us-east-1'),
      part(`eks:${ROLE}/eu-west-1`, SPOKE, 'eu-west-1'),
    ]);
  });

  it('maps DescribeCluster to records: endpoint, CA data unchanged, VPC, OIDC issuer, account from the ARN', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    const load = await h.load();
    const rec = load.records.find((r) => r.clusterName === 'spoke-euw1-007');
    const wire = describeBody(SPOKE, 'eu-west-1', {
      name: 'spoke-euw1-007',
      tags: { argocd: 'enabled', env: 'prod' },
    }) as {
      endpoint: string;
      certificateAuthority: { data: string };
      resourcesVpcConfig: { vpcId: string };
      identity: { oidc: { issuer: string } };
    };
    expect(rec).toEqual({
      accountId: SPOKE,
      region: 'eu-west-1',
      clusterName: 'spoke-euw1-007',
      arn: `arn:aws:eks:eu-west-1:${SPOKE}:cluster/spoke-euw1-007`,
      version: '1.30',
      platformVersion: 'eks.7',
      status: 'ACTIVE',
      endpoint: wire.endpoint,
      oidcIssuer: wire.identity.oidc.issuer,
      vpcId: wire.resourcesVpcConfig.vpcId,
      tags: { argocd: 'enabled', env: 'prod' },
      caData: wire.certificateAuthority.data,
      fleetName: 'spoke-euw1-007', // EKS_CLUSTER_NAME_TEMPLATE defaults to {clusterName}
    });
    // Tags that cannot be labels stay on the record (the cluster model turns them into annotations or aws.tags).
    expect(load.records.find((r) => r.clusterName === 'spoke-use1-000')?.tags).toEqual({
      argocd: 'enabled',
      'aws:cloudformation:stack-name': 'x',
      owner: 'Jane Doe',
    });
  });

  it('uses the standard SDK configuration: endpoints from AWS_ENDPOINT_URL_*, the default chain, one AssumeRole per role', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    await h.load();
    const { fake } = h;

    // The own account is learned once from STS, and the role is assumed once for both regions.
    expect(fake.invocations({ op: 'GetCallerIdentity' })).toBe(1);
    expect(fake.invocations({ op: 'AssumeRole' })).toBe(1);
    const assume = fake.calls.find((c) => c.op === 'AssumeRole');
    expect(assume).toMatchObject({ accessKeyId: HOME_KEY.id, subject: ROLE });

    // Own-account calls are signed with the default chain's (env) key; spoke calls with the assumed session.
    const home = fake.calls.filter((c) => c.service === 'eks' && c.account === HOME);
    const spoke = fake.calls.filter((c) => c.service === 'eks' && c.account === SPOKE);
    expect(home.every((c) => c.accessKeyId === HOME_KEY.id && !c.securityToken)).toBe(true);
    expect(spoke.length).toBeGreaterThan(0);
    expect(spoke.every((c) => c.accessKeyId.startsWith(`ASIA${SPOKE}`) && c.securityToken)).toBe(
      true,
    );
    // Each region's client signs for its own region.
    expect(new Set(fake.calls.filter((c) => c.service === 'eks').map((c) => c.region))).toEqual(
      new Set(['us-east-1', 'eu-west-1']),
    );
  });

  it('pages through ListClusters with maxResults=100 and describes every listed name once', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    await h.load();
    const lists = h.fake.calls.filter(
      (c) => c.op === 'ListClusters' && c.account === SPOKE && c.region === 'eu-west-1',
    );
    expect(new Set(lists.map((c) => c.invocationId)).size).toBe(2);
    expect(
      lists.every((c) => new URL(c.url, 'http://x').searchParams.get('maxResults') === '100'),
    ).toBe(true);
    expect(new URL(lists.at(-1)?.url ?? '', 'http://x').searchParams.get('nextToken')).toBeTruthy();
    const described = h.fake.calls
      .filter((c) => c.op === 'DescribeCluster' && c.attempt === 1)
      .map((c) => c.subject);
    expect(described).toHaveLength(DESCRIBES);
    expect(new Set(described).size).toBe(DESCRIBES);
  });

  it('makes a bounded number of AWS calls per refresh: pages + clusters + add-on lookups, and no credential calls again', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    await h.load();
    h.fake.resetCalls();
    await h.load();
    expect(h.fake.invocations({ op: 'ListClusters' })).toBe(PAGES);
    expect(h.fake.invocations({ op: 'DescribeCluster' })).toBe(DESCRIBES);
    expect(h.fake.invocations({ op: 'DescribeAddonVersions' })).toBe(ADDON_CALLS);
    expect(h.fake.count({ service: 'sts' })).toBe(0);
    expect(h.fake.invocations()).toBe(PAGES + DESCRIBES + ADDON_CALLS);
    // Retries are the SDK's (none expected here, but a busy machine may time an attempt out).
    expect(h.fake.calls.length).toBeLessThanOrEqual(3 * (PAGES + DESCRIBES + ADDON_CALLS));
  });

  it('shares one running refresh between concurrent load() calls', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    await h.load();
    h.fake.resetCalls();
    const [a, b, c] = await Promise.all([h.load(), h.load(), h.load()]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(h.fake.invocations()).toBe(PAGES + DESCRIBES + ADDON_CALLS);
  });

  it('drops a cluster only when a successful listing no longer has it, or it is no longer enrolled', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    await h.load();

    // Deleted between ListClusters and DescribeCluster: absent, and the listing still counts as a success.
    h.fake.addFault({
      match: { op: 'DescribeCluster', subject: 'home-001' },
      fault: {
        kind: 'error',
        status: 404,
        type: 'ResourceNotFoundException',
        message: 'No cluster found for name: home-001.',
      },
    });
    h.fake.removeCluster(SPOKE, 'us-east-1', 'spoke-use1-000');
    h.fake.addCluster(HOME, 'us-east-1', { name: 'home-000', tags: { argocd: 'disabled' } });
    h.fake.addCluster(SPOKE, 'us-east-1', { name: 'added', tags: { argocd: 'enabled' } });

    const load = await h.load();
    const names = load.records.map((r) => r.clusterName);
    expect(names).not.toContain('home-001');
    expect(names).not.toContain('spoke-use1-000');
    expect(names).not.toContain('home-000');
    expect(names).toContain('added');
    expect(load.records).toHaveLength(ENROLLED - 3 + 1);
    expect(load.parts.every((p) => p.lastError === undefined)).toBe(true);
    expect(
      logLines(h).findLast(
        (l) => l.msg === 'eks target listed' && l.target === `eks:${HOME}/us-east-1`,
      ),
    ).toMatchObject({
      vanished: 1,
      notEnrolled: 2,
      withoutEndpoint: 1,
    });
  });

  it('fails a whole target on any other DescribeCluster error and keeps its last good clusters', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    const first = await h.load();
    const firstPart = first.parts.find((p) => p.id === `eks:${ROLE}/eu-west-1`);

    h.fake.addFault({
      match: { op: 'DescribeCluster', subject: 'spoke-euw1-050' },
      fault: {
        kind: 'error',
        status: 400,
        type: 'InvalidParameterException',
        message: 'bad param',
      },
    });
    h.fake.removeCluster(SPOKE, 'eu-west-1', 'spoke-euw1-000'); // not noticed: the target's listing fails
    h.fake.addCluster(HOME, 'us-east-1', { name: 'other-target', tags: { argocd: 'enabled' } });

    const load = await h.load();
    const names = load.records.map((r) => r.clusterName);
    expect(names).toContain('spoke-euw1-000');
    expect(names).toContain('other-target'); // healthy targets still move on
    expect(load.records).toHaveLength(ENROLLED + 1);
    const failed = load.parts.find((p) => p.id === `eks:${ROLE}/eu-west-1`);
    expect(failed?.lastError).toMatch(/InvalidParameterException: bad param/);
    expect(failed?.lastSuccessAt).toBe(firstPart?.lastSuccessAt);
    // The describes still queued when the failure came were not sent.
    expect(
      h.fake.count({ op: 'DescribeCluster', account: SPOKE, region: 'eu-west-1' }),
    ).toBeLessThan(2 * 105);
  });

  it('keeps every cluster when the registry abandons a refresh (abort signal)', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    const first = await h.load();
    h.fake.addFault({
      match: { op: 'DescribeCluster', region: 'eu-west-1' },
      fault: { kind: 'hang' },
    });
    const abort = new AbortController();
    const pending = h.source.load({ signal: abort.signal, log: silentLogger });
    while (h.fake.calls.every((c) => c.outcome !== 'hang'))
      await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    const load = await pending;
    expect(arnsOf(load)).toEqual(arnsOf(first));
    expect(load.parts.find((p) => p.id === `eks:${ROLE}/eu-west-1`)?.lastError).toBe(
      'refresh abandoned: its caller aborted it',
    );
  });

  it('rejects until every target has listed once, naming the targets', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    const remove = h.fake.addFault({
      match: { region: 'eu-west-1', op: 'ListClusters' },
      fault: { kind: 'error', status: 503, type: 'ServiceUnavailableException', message: 'down' },
    });
    const err = await h.load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect((err as Error).message).toBe(
      `EKS discovery has not listed 2 target(s) yet: eks:${HOME}/eu-west-1 (ListClusters: ServiceUnavailableException: down); ` +
        `eks:${ROLE}/eu-west-1 (ListClusters: ServiceUnavailableException: down)`,
    );
    remove();
    await expect(h.load()).resolves.toMatchObject({ records: expect.any(Array) });
  });

  it('counts a cluster reached through two targets once', async () => {
    const selfRole = `arn:aws:iam::${HOME}:role/discovery-in-home`;
    h = await startEksHarness(
      { ...ENV, EKS_ASSUME_ROLE_ARNS: `${ROLE},${selfRole}` },
      { homeAccount: HOME, fleet: seed },
    );
    const load = await h.load();
    expect(load.records).toHaveLength(ENROLLED);
    expect(load.parts).toHaveLength(6);
  });

  it('lists only assumed roles with EKS_INCLUDE_OWN_ACCOUNT=false', async () => {
    h = await startEksHarness(
      { ...ENV, EKS_INCLUDE_OWN_ACCOUNT: 'false' },
      { homeAccount: HOME, fleet: seed },
    );
    const load = await h.load();
    expect(load.parts.map((p) => p.id)).toEqual([`eks:${ROLE}/us-east-1`, `eks:${ROLE}/eu-west-1`]);
    expect(load.records).toHaveLength(107);
    expect(h.fake.invocations({ op: 'GetCallerIdentity' })).toBe(0);
  });
});

describe('the refresh deadline (EKS_REFRESH_TIMEOUT_SECONDS)', () => {
  const HUNG = `eks:${ROLE}/eu-west-1`;
  const hangSpokeEuw1 = (fake: AwsFake) =>
    fake.addFault({
      match: { op: 'ListClusters', account: SPOKE, region: 'eu-west-1' },
      fault: { kind: 'hang' },
    });
  // The per-call timeout is far away: only the refresh deadline can end the hung call.
  const SLOW_CALLS = { ...ENV, EKS_REFRESH_TIMEOUT_SECONDS: '1', EKS_CALL_TIMEOUT_MS: '120000' };

  it('fails a target still running at the deadline, keeps its clusters, and lets the next refresh start', async () => {
    h = await startEksHarness(SLOW_CALLS, { homeAccount: HOME, fleet: seed });
    const first = await h.load();
    hangSpokeEuw1(h.fake);

    const second = await h.load();
    expect(arnsOf(second)).toEqual(arnsOf(first));
    const hung = second.parts.find((p) => p.id === HUNG);
    expect(hung?.lastError).toBe('refresh did not finish within 1s');
    expect(hung?.lastSuccessAt).toBe(first.parts.find((p) => p.id === HUNG)?.lastSuccessAt);
    for (const p of second.parts.filter((x) => x.id !== HUNG)) {
      expect(p.lastError).toBeUndefined();
      expect(p.lastSuccessAt).toBeGreaterThanOrEqual(
        first.parts.find((x) => x.id === p.id)?.lastSuccessAt ?? Infinity,
      );
    }
    // The hung call was aborted, not left open.
    while (h.fake.hangingRequests() > 0) await new Promise((r) => setTimeout(r, 10));

    // The next refresh is a new one (not the hung one shared): every target is asked again.
    h.fake.resetCalls();
    const third = await h.load();
    expect(h.fake.invocations({ op: 'ListClusters', account: HOME })).toBe(2);
    expect(h.fake.invocations({ op: 'ListClusters', account: SPOKE, region: 'us-east-1' })).toBe(1);
    expect(h.fake.invocations({ op: 'ListClusters', account: SPOKE, region: 'eu-west-1' })).toBe(1);
    expect(arnsOf(third)).toEqual(arnsOf(first));
    expect(third.parts.find((p) => p.id === HUNG)?.lastError).toBe(
      'refresh did not finish within 1s',
    );
    expect(third.parts.filter((p) => p.lastError !== undefined)).toHaveLength(1);

    h.fake.clearFaults();
    const healed = await h.load();
    expect(healed.parts.every((p) => p.lastError === undefined)).toBe(true);
    expect(arnsOf(healed)).toEqual(arnsOf(first));
  });

  it('rejects a first refresh that a target does not finish in time, naming it and the deadline', async () => {
    h = await startEksHarness(SLOW_CALLS, { homeAccount: HOME, fleet: seed });
    hangSpokeEuw1(h.fake);
    const err = await h.load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect((err as Error).message).toBe(
      `EKS discovery has not listed 1 target(s) yet: ${HUNG} (refresh did not finish within 1s)`,
    );
  });

  it('ends a refresh stuck where no abort signal reaches (a credentials provider waiting on STS)', async () => {
    h = await startEksHarness(SLOW_CALLS, { homeAccount: HOME, fleet: seed });
    h.fake.addFault({ match: { op: 'AssumeRole' }, fault: { kind: 'hang' } });
    const err = await h.load().catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `EKS discovery has not listed 2 target(s) yet: eks:${ROLE}/us-east-1 (refresh did not finish within 1s); ` +
        `${HUNG} (refresh did not finish within 1s)`,
    );
  });

  it('defaults to the refresh interval', async () => {
    h = await startEksHarness({ ...ENV, EKS_REFRESH_SECONDS: '45' }, { homeAccount: HOME });
    expect(h.source.refreshIntervalMs).toBe(45_000);
    expect(h.source.refreshTimeoutMs).toBe(45_000);
  });
});

describe('add-on defaults', () => {
  it('gives the default version per add-on for each Kubernetes version in the fleet', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    const load = await h.load();
    expect(load.addonDefaults).toEqual({
      '1.29': {
        'vpc-cni': 'v1.18.3-eksbuild.2',
        coredns: 'v1.11.1-eksbuild.9',
        'kube-proxy': 'v1.29.7-eksbuild.2',
        'aws-ebs-csi-driver': 'v1.35.0-eksbuild.1',
      },
      '1.30': {
        'vpc-cni': 'v1.18.3-eksbuild.2',
        coredns: 'v1.11.3-eksbuild.1',
        'kube-proxy': 'v1.30.3-eksbuild.2',
        'aws-ebs-csi-driver': 'v1.35.0-eksbuild.1',
      },
    });
    const asked = h.fake.calls
      .filter((c) => c.op === 'DescribeAddonVersions')
      .map((c) => new URL(c.url, 'http://x').searchParams.get('kubernetesVersion'))
      .sort();
    expect(asked).toEqual(['1.29', '1.30']);
  });

  it('pages through DescribeAddonVersions', async () => {
    h = await startEksHarness(ENV, {
      homeAccount: HOME,
      fleet: (fake) => {
        seed(fake);
        fake.setAddons(
          Array.from({ length: 150 }, (_, i) => ({
            addonName: `addon-${i}`,
            versions: [{ addonVersion: `v${i}.0.0`, compat: { '1.30': true, '1.29': false } }],
          })),
        );
      },
    });
    const load = await h.load();
    expect(Object.keys(load.addonDefaults?.['1.30'] ?? {})).toHaveLength(150);
    // No add-on names a default for 1.29: not a version with no add-ons, a lookup that failed (absent → 503).
    expect(load.addonDefaults?.['1.29']).toBeUndefined();
    expect(h.fake.invocations({ op: 'DescribeAddonVersions' })).toBe(4);
  });

  it('keeps the clusters and the previous defaults when the lookup fails; a new version never answered is absent', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    const before = await h.load();
    h.fake.addFault({
      match: { op: 'DescribeAddonVersions' },
      fault: { kind: 'error', status: 500, type: 'ServerException', message: 'boom' },
    });
    h.fake.addCluster(SPOKE, 'us-east-1', {
      name: 'v131',
      version: '1.31',
      tags: { argocd: 'enabled' },
    });
    const after = await h.load();
    expect(after.records).toHaveLength(ENROLLED + 1);
    // The known versions stay published; 1.31 is absent, so the generator refuses add-on requests for it (503).
    expect(after.addonDefaults).toEqual(before.addonDefaults);
    expect(after.addonDefaults?.['1.31']).toBeUndefined();
    expect(after.parts.every((p) => p.lastError === undefined)).toBe(true);
    const warnings = logLines(h).filter((l) => l.msg === 'eks add-on defaults refresh failed');
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kubernetesVersion: '1.30', keptPrevious: true }),
        expect.objectContaining({ kubernetesVersion: '1.31', keptPrevious: false }),
      ]),
    );
  });

  it.each<[string, Fault]>([
    ['a page without its addons list', { kind: 'omit', member: 'addons' }],
    ['200 {}', { kind: 'reply', status: 200, body: '{}' }],
    ['200 with an empty body', { kind: 'reply', status: 200, body: '' }],
    ['204', { kind: 'reply', status: 204, body: '' }],
  ])(
    'keeps the last good defaults when DescribeAddonVersions answers %s, and publishes none before a good answer',
    async (_what, fault) => {
      h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
      const good = await h.load();
      const remove = h.fake.addFault({ match: { op: 'DescribeAddonVersions' }, fault });
      const degenerate = await h.load();
      expect(degenerate.addonDefaults).toEqual(good.addonDefaults);
      expect(logLines(h)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            msg: 'eks add-on defaults refresh failed',
            kubernetesVersion: '1.30',
            keptPrevious: true,
            error: expect.stringMatching(
              /^DescribeAddonVersions 1\.30: answered without an "addons" list on page 1/,
            ),
          }),
        ]),
      );

      // A new version whose only answers so far are degenerate is not published at all.
      h.fake.addCluster(HOME, 'us-east-1', {
        name: 'v131',
        version: '1.31',
        tags: { argocd: 'enabled' },
      });
      expect((await h.load()).addonDefaults?.['1.31']).toBeUndefined();
      remove();
      expect((await h.load()).addonDefaults?.['1.31']).toEqual(
        expect.objectContaining({ 'vpc-cni': 'v1.19.0-eksbuild.1' }),
      );
    },
  );

  it('treats an answer naming no default at all as a failure, and keeps an add-on that drops out of an answer', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    const good = await h.load();

    h.fake.setAddons([]); // {"addons": []}: nothing for any version
    const empty = await h.load();
    expect(empty.addonDefaults).toEqual(good.addonDefaults);
    expect(logLines(h)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          msg: 'eks add-on defaults refresh failed',
          error: 'DescribeAddonVersions 1.30: named no default version for any add-on',
          keptPrevious: true,
        }),
      ]),
    );

    // vpc-cni no longer answered, kube-proxy moved on: the new value is taken, the missing one kept.
    h.fake.setAddons([
      {
        addonName: 'kube-proxy',
        versions: [{ addonVersion: 'v1.30.9-eksbuild.1', compat: { '1.30': true, '1.29': true } }],
      },
    ]);
    const partial = await h.load();
    expect(partial.addonDefaults?.['1.30']).toEqual({
      ...good.addonDefaults?.['1.30'],
      'kube-proxy': 'v1.30.9-eksbuild.1',
    });
    expect(logLines(h)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          msg: 'eks add-on defaults: add-ons missing from the answer keep their last default',
          kubernetesVersion: '1.30',
          addons: ['aws-ebs-csi-driver', 'coredns', 'vpc-cni'],
        }),
      ]),
    );
  });
});

describe('logs', () => {
  it('are JSON lines per target with counts, durations and staleness, and never hold credentials', async () => {
    h = await startEksHarness(ENV, { homeAccount: HOME, fleet: seed });
    await h.load();
    h.fake.addFault({ match: { region: 'us-east-1' }, fault: { kind: 'throttle' } });
    await h.load();

    const lines = logLines(h);
    expect(
      lines.find((l) => l.msg === 'eks target listed' && l.target === `eks:${ROLE}/eu-west-1`),
    ).toMatchObject({
      accountId: SPOKE,
      region: 'eu-west-1',
      listed: 105,
      enrolled: 105,
      pages: 2,
      durationMs: expect.any(Number),
    });
    expect(lines.find((l) => l.msg === 'eks target refresh failed')).toMatchObject({
      region: 'us-east-1',
      error: expect.stringMatching(/TooManyRequestsException/),
      stale: true,
      keptClusters: expect.any(Number),
      staleForMs: expect.any(Number),
    });
    const all = h.logs.join('');
    for (const secret of [
      HOME_KEY.secret,
      ...h.fake.issuedSecrets().filter((s) => !s.startsWith('ASIA')),
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});

function part(id: string, accountId: string, region: string) {
  return {
    id,
    scope: { accountId, region },
    lastSuccessAt: expect.any(Number),
    lastError: undefined,
    lastRefresh: { pages: expect.any(Number), calls: expect.any(Number) },
  };
}

function arnsOf(load: SourceLoad): string[] {
  return load.records.map((r) => r.arn).sort();
}

function logLines(harness: EksHarness): Record<string, unknown>[] {
  return harness.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
}
