/**
 * The fault matrix of EKS discovery, through the real SDK against the HTTP fake. For every fault:
 *   1. before any success, load() rejects and names exactly the targets at fault;
 *   2. when the fault clears, every cluster is found;
 *   3. when it comes back, no cluster that was in the output disappears (not even one really deleted
 *      meanwhile from a failing target), failing parts carry the error and keep their lastSuccessAt,
 *      and the AWS calls of that refresh stay within (pages + clusters + add-on lookups) × attempts;
 *   4. when it clears again, the source recovers and sees the deletion.
 */
import { SourceForbiddenError, SourceUnavailableError } from '../../core/errors';
import type { SourceLoad } from '../../plugins/cluster-sources/source';
import type { EksHarness } from '../fakes/aws/eks-harness';
import { addAll, clusters, startEksHarness } from '../fakes/aws/eks-harness';
import type { Fault, FaultMatch, FakeOp, FaultRule } from '../fakes/aws/faults';
import { faultRules } from '../fakes/aws/faults';

const HOME = '111111111111';
const SPOKE = '222222222222';
const ROLE = `arn:aws:iam::${SPOKE}:role/eks-discovery`;
const ENV = {
  EKS_REGIONS: 'us-east-1,eu-west-1',
  EKS_ASSUME_ROLE_ARNS: ROLE,
  EKS_DESCRIBE_CONCURRENCY: '2',
  EKS_ENROLL_SELECTOR: 'argocd=enabled',
};
const MAX_ATTEMPTS = 3; // the SDK default, kept by the harness

const T = {
  homeUse1: `eks:${HOME}/us-east-1`,
  homeEuw1: `eks:${HOME}/eu-west-1`,
  spokeUse1: `eks:${ROLE}/us-east-1`,
  spokeEuw1: `eks:${ROLE}/eu-west-1`,
} as const;
type TargetId = (typeof T)[keyof typeof T];
const ALL: TargetId[] = [T.homeUse1, T.homeEuw1, T.spokeUse1, T.spokeEuw1];

const FLEET: Record<TargetId, { account: string; region: string; prefix: string; count: number }> =
  {
    [T.homeUse1]: { account: HOME, region: 'us-east-1', prefix: 'h-use1', count: 4 },
    [T.homeEuw1]: { account: HOME, region: 'eu-west-1', prefix: 'h-euw1', count: 3 },
    [T.spokeUse1]: { account: SPOKE, region: 'us-east-1', prefix: 's-use1', count: 3 },
    [T.spokeEuw1]: { account: SPOKE, region: 'eu-west-1', prefix: 's-euw1', count: 3 },
  };
const CLUSTERS = 13;
const PAGES = 4;
const ADDON_LOOKUPS = 1; // every cluster runs 1.30

interface FaultCase {
  readonly name: string;
  /** Switches the fault on; returns the switch to turn it off. */
  readonly on: (h: EksHarness) => Promise<() => Promise<void>> | (() => Promise<void>);
  readonly affects: readonly TargetId[];
  /** How the 503 names the targets when that differs (the own account is `self` until STS answers). */
  readonly namedAs?: readonly string[];
  /** Access problems are reported as SourceForbiddenError when they are all that is wrong. */
  readonly forbidden?: boolean;
  /** Extra settings, e.g. a short call timeout for hangs. */
  readonly env?: Record<string, string>;
  /** Faults of credential calls do not show once credentials are cached (they are valid for an hour). */
  readonly onlyBeforeFirstSuccess?: boolean;
  /** What the error of each affected target must say (the call at fault and why). */
  readonly says?: string;
}

/** A successful-looking but degenerate reply to `op` in `where`, for every matching request. */
function degenerate(op: FakeOp, fault: Fault, where: Omit<FaultMatch, 'op'> = {}) {
  return faultRules(() => ({ match: { op, ...where }, fault }));
}

const eksOps = ['ListClusters', 'DescribeCluster'] as const;

const CASES: FaultCase[] = [
  {
    name: '500 ServerException on every EKS call in one region',
    on: faultRules(() => ({
      match: { region: 'eu-west-1', op: [...eksOps] },
      fault: { kind: 'error', status: 500, type: 'ServerException', message: 'internal' },
    })),
    affects: [T.homeEuw1, T.spokeEuw1],
  },
  {
    name: 'one region down (503 ServiceUnavailableException)',
    on: faultRules(() => ({
      match: { region: 'us-east-1', op: [...eksOps] },
      fault: { kind: 'error', status: 503, type: 'ServiceUnavailableException', message: 'down' },
    })),
    affects: [T.homeUse1, T.spokeUse1],
  },
  {
    name: '501 (a server error the SDK does not retry) from one account',
    on: faultRules(() => ({
      match: { account: SPOKE, op: 'ListClusters' },
      fault: { kind: 'error', status: 501, type: 'ServerException', message: 'not implemented' },
    })),
    affects: [T.spokeUse1, T.spokeEuw1],
  },
  {
    name: 'throttling storm: 429 TooManyRequestsException on every EKS call',
    on: faultRules(() => ({ match: { op: [...eksOps] }, fault: { kind: 'throttle' } })),
    affects: ALL,
  },
  {
    name: '429 ThrottlingException on DescribeCluster in one account',
    on: faultRules(() => ({
      match: { account: SPOKE, op: 'DescribeCluster' },
      fault: { kind: 'throttle', type: 'ThrottlingException' },
    })),
    affects: [T.spokeUse1, T.spokeEuw1],
  },
  {
    name: 'hung endpoint (DescribeCluster never answers in one region)',
    on: faultRules(() => ({
      match: { region: 'eu-west-1', op: 'DescribeCluster' },
      fault: { kind: 'hang' },
    })),
    affects: [T.homeEuw1, T.spokeEuw1],
    env: { EKS_CALL_TIMEOUT_MS: '500' },
  },
  {
    name: 'connection reset on ListClusters',
    on: faultRules(() => ({
      match: { region: 'us-east-1', account: HOME, op: 'ListClusters' },
      fault: { kind: 'destroy' },
    })),
    affects: [T.homeUse1],
  },
  {
    name: 'malformed JSON from ListClusters',
    on: faultRules(() => ({
      match: { account: HOME, op: 'ListClusters' },
      fault: { kind: 'malformed' },
    })),
    affects: [T.homeUse1, T.homeEuw1],
  },
  {
    name: 'ListClusters repeating its nextToken',
    on: faultRules(() => ({
      match: { account: SPOKE, region: 'eu-west-1', op: 'ListClusters' },
      fault: { kind: 'sameToken' },
    })),
    affects: [T.spokeEuw1],
  },
  {
    name: 'refused connections (nothing listening)',
    on: async (h) => {
      await h.fake.refuse();
      return () => h.fake.accept();
    },
    affects: ALL,
    namedAs: ['eks:self/us-east-1', 'eks:self/eu-west-1', T.spokeUse1, T.spokeEuw1],
  },
  {
    name: 'AccessDeniedException on ListClusters in one account',
    on: faultRules(() => ({
      match: { account: SPOKE, op: 'ListClusters' },
      fault: {
        kind: 'error',
        status: 403,
        type: 'AccessDeniedException',
        message: `User: arn:aws:sts::${SPOKE}:assumed-role/eks-discovery/s is not authorized to perform: eks:ListClusters`,
      },
    })),
    affects: [T.spokeUse1, T.spokeEuw1],
    forbidden: true,
  },
  {
    name: 'invalid credentials (403 UnrecognizedClientException) for the own account',
    on: faultRules(() => ({
      match: { account: HOME, op: [...eksOps] },
      fault: {
        kind: 'error',
        status: 403,
        type: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      },
    })),
    affects: [T.homeUse1, T.homeEuw1],
    forbidden: true,
  },
  {
    name: 'AssumeRole denied',
    on: (h) => {
      h.fake.denyRole(ROLE);
      return () => {
        h.fake.allowRole(ROLE);
        return Promise.resolve();
      };
    },
    affects: [T.spokeUse1, T.spokeEuw1],
    forbidden: true,
    onlyBeforeFirstSuccess: true,
  },
  {
    name: 'STS GetCallerIdentity failing (own account unknown)',
    on: faultRules(() => ({
      match: { op: 'GetCallerIdentity' },
      fault: { kind: 'error', status: 503, type: 'ServiceUnavailable', message: 'sts down' },
    })),
    affects: [T.homeUse1, T.homeEuw1],
    namedAs: ['eks:self/us-east-1', 'eks:self/eu-west-1'],
    onlyBeforeFirstSuccess: true,
  },
  // Successful-looking wrong answers: 2xx, but without what the call exists for. Never "no clusters".
  {
    name: 'ListClusters 200 with an empty body',
    on: degenerate('ListClusters', { kind: 'reply', status: 200, body: '' }, { account: HOME }),
    affects: [T.homeUse1, T.homeEuw1],
    says: 'ListClusters: answered without a "clusters" list on page 1 (got none)',
  },
  {
    name: 'ListClusters 200 {}',
    on: degenerate(
      'ListClusters',
      { kind: 'reply', status: 200, body: '{}' },
      { account: SPOKE, region: 'eu-west-1' },
    ),
    affects: [T.spokeEuw1],
    says: 'ListClusters: answered without a "clusters" list',
  },
  {
    name: 'ListClusters 200 null',
    on: degenerate('ListClusters', { kind: 'reply', status: 200, body: 'null' }, { account: HOME }),
    affects: [T.homeUse1, T.homeEuw1],
    says: 'ListClusters: TypeError: unreadable response (HTTP 200)',
  },
  {
    name: 'ListClusters 204 without a body',
    on: degenerate(
      'ListClusters',
      { kind: 'reply', status: 204, body: '' },
      { region: 'us-east-1' },
    ),
    affects: [T.homeUse1, T.spokeUse1],
    says: 'ListClusters: answered without a "clusters" list',
  },
  {
    name: 'ListClusters page without its clusters member (nextToken only)',
    on: degenerate('ListClusters', { kind: 'omit', member: 'clusters' }, { account: SPOKE }),
    affects: [T.spokeUse1, T.spokeEuw1],
    says: 'ListClusters: answered without a "clusters" list',
  },
  {
    name: 'ListClusters with clusters a string, not a list',
    on: degenerate(
      'ListClusters',
      { kind: 'replace', member: 'clusters', value: 'h-euw1-000' },
      { account: HOME, region: 'eu-west-1' },
    ),
    affects: [T.homeEuw1],
    says: 'ListClusters: answered without a "clusters" list on page 1 (got string)',
  },
  {
    name: 'ListClusters listing something other than names',
    on: degenerate(
      'ListClusters',
      { kind: 'replace', member: 'clusters', value: ['s-use1-000', null] },
      { account: SPOKE, region: 'us-east-1' },
    ),
    affects: [T.spokeUse1],
    says: 'ListClusters: page 1 lists null, not a cluster name',
  },
  {
    name: 'DescribeCluster answering for another cluster',
    on: degenerate(
      'DescribeCluster',
      { kind: 'replace', member: 'cluster.name', value: 'h-use1-000' },
      { subject: 'h-use1-002' },
    ),
    affects: [T.homeUse1],
    says: 'DescribeCluster h-use1-002: answered for another cluster ("h-use1-000")',
  },
  {
    name: 'DescribeCluster 200 {} (no cluster member)',
    on: degenerate(
      'DescribeCluster',
      { kind: 'reply', status: 200, body: '{}' },
      { subject: 's-use1-001' },
    ),
    affects: [T.spokeUse1],
    says: 'DescribeCluster s-use1-001: answered without a cluster',
  },
  {
    name: 'DescribeCluster 204 without a body',
    on: degenerate(
      'DescribeCluster',
      { kind: 'reply', status: 204, body: '' },
      { subject: 'h-use1-001' },
    ),
    affects: [T.homeUse1],
    says: 'DescribeCluster h-use1-001: answered without a cluster',
  },
  ...(['name', 'arn', 'status'] as const).map((member): FaultCase => ({
    name: `DescribeCluster answering a cluster without its ${member}`,
    on: degenerate(
      'DescribeCluster',
      { kind: 'omit', member: `cluster.${member}` },
      { subject: 'h-euw1-001' },
    ),
    affects: [T.homeEuw1],
    says: `DescribeCluster h-euw1-001: answered without the cluster ${member === 'arn' ? 'ARN' : member}`,
  })),
  {
    name: 'DescribeCluster answering an ACTIVE cluster without an endpoint',
    on: degenerate(
      'DescribeCluster',
      { kind: 'omit', member: 'cluster.endpoint' },
      { subject: 's-euw1-001' },
    ),
    affects: [T.spokeEuw1],
    says: 'DescribeCluster s-euw1-001: answered without an endpoint for a cluster in status ACTIVE',
  },
  {
    name: 'STS GetCallerIdentity answering without the account',
    on: degenerate('GetCallerIdentity', { kind: 'omit', member: 'Account' }),
    affects: [T.homeUse1, T.homeEuw1],
    namedAs: ['eks:self/us-east-1', 'eks:self/eu-west-1'],
    onlyBeforeFirstSuccess: true,
    says: 'GetCallerIdentity: answered without an account id',
  },
  {
    name: 'STS GetCallerIdentity 200 with an empty body',
    on: degenerate('GetCallerIdentity', { kind: 'reply', status: 200, body: '' }),
    affects: [T.homeUse1, T.homeEuw1],
    namedAs: ['eks:self/us-east-1', 'eks:self/eu-west-1'],
    onlyBeforeFirstSuccess: true,
    says: 'GetCallerIdentity: answered without an account id',
  },
  {
    name: 'STS AssumeRole answering without credentials',
    on: degenerate('AssumeRole', { kind: 'omit', member: 'Credentials' }),
    affects: [T.spokeUse1, T.spokeEuw1],
    onlyBeforeFirstSuccess: true,
    says: 'STS.assumeRole',
  },
  {
    name: 'STS AssumeRole 200 with an empty body',
    on: degenerate('AssumeRole', { kind: 'reply', status: 200, body: '' }),
    affects: [T.spokeUse1, T.spokeEuw1],
    onlyBeforeFirstSuccess: true,
    says: 'STS.assumeRole',
  },
];

let h: EksHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function seedAll(harness: EksHarness): void {
  for (const id of ALL) {
    const f = FLEET[id];
    addAll(harness.fake, f.account, f.region, clusters(f.prefix, f.count));
  }
}

function arns(load: SourceLoad): string[] {
  return load.records.map((r) => r.arn).sort();
}

describe.each(CASES)('fault: $name', (c) => {
  it('rejects before the first success naming the failing targets, recovers, and never drops a cluster', async () => {
    h = await startEksHarness({ ...ENV, ...c.env }, { homeAccount: HOME });
    seedAll(h);

    // 1. Fault from the start: no answer rather than a partial one.
    let off = await c.on(h);
    const err = await h.load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(c.forbidden ? SourceForbiddenError : SourceUnavailableError);
    const message = (err as Error).message;
    expect(message).toMatch(new RegExp(`has not listed ${c.affects.length} target\\(s\\) yet`));
    for (const id of c.namedAs ?? c.affects) expect(message).toContain(`${id} (`);
    for (const id of ALL.filter((t) => !c.affects.includes(t))) expect(message).not.toContain(id);
    if (c.forbidden) expect(message).toContain('access denied');
    if (c.says !== undefined) expect(message).toContain(c.says);

    // 2. Fault cleared: the whole fleet.
    await off();
    const healthy = await h.load();
    expect(healthy.records).toHaveLength(CLUSTERS);
    expect(healthy.parts.map((p) => p.id)).toEqual(ALL);
    expect(healthy.parts.every((p) => p.lastError === undefined)).toBe(true);

    // 3. Fault again, and one cluster of an affected target really deleted meanwhile.
    const victim = c.onlyBeforeFirstSuccess ? undefined : FLEET[c.affects[0] as TargetId];
    if (victim) h.fake.removeCluster(victim.account, victim.region, `${victim.prefix}-000`);
    off = await c.on(h);
    h.fake.resetCalls();
    const faulty = await h.load();

    expect(arns(faulty)).toEqual(arns(healthy));
    for (const p of faulty.parts) {
      const before = healthy.parts.find((x) => x.id === p.id);
      if (!c.onlyBeforeFirstSuccess && c.affects.includes(p.id as TargetId)) {
        expect(p.lastError).toEqual(expect.any(String));
        if (c.says !== undefined) expect(p.lastError).toContain(c.says);
        expect(p.lastSuccessAt).toBe(before?.lastSuccessAt);
      } else {
        expect(p.lastError).toBeUndefined();
      }
    }
    expect(h.fake.calls.length).toBeLessThanOrEqual(
      (PAGES + CLUSTERS + ADDON_LOOKUPS) * MAX_ATTEMPTS,
    );
    expect(faulty.addonDefaults).toEqual(healthy.addonDefaults);

    // 4. Cleared again: recovered, and now the deletion is seen.
    await off();
    const recovered = await h.load();
    expect(recovered.parts.every((p) => p.lastError === undefined)).toBe(true);
    expect(recovered.records).toHaveLength(victim ? CLUSTERS - 1 : CLUSTERS);
    for (const p of recovered.parts) {
      const before = faulty.parts.find((x) => x.id === p.id);
      expect(p.lastSuccessAt).toBeGreaterThanOrEqual(before?.lastSuccessAt ?? 0);
    }
  });
});

describe('transient faults the SDK retries away', () => {
  it.each<[string, FaultRule]>([
    [
      'two 500s',
      {
        match: { op: 'DescribeCluster', subject: 'h-use1-001' },
        fault: { kind: 'error', status: 500, type: 'ServerException' },
        times: 2,
      },
    ],
    [
      'two 429 TooManyRequestsException',
      {
        match: { op: 'ListClusters', account: SPOKE, region: 'us-east-1' },
        fault: { kind: 'throttle' },
        times: 2,
      },
    ],
    [
      'a reset connection',
      {
        match: { op: 'DescribeCluster', subject: 's-euw1-002' },
        fault: { kind: 'destroy' },
        times: 1,
      },
    ],
    [
      'one hung request',
      {
        match: { op: 'DescribeCluster', subject: 'h-euw1-000' },
        fault: { kind: 'hang' },
        times: 1,
      },
    ],
    [
      'a 502 without an error type',
      {
        match: { op: 'DescribeCluster', subject: 'h-euw1-001' },
        fault: { kind: 'error', status: 502, type: '' },
        times: 1,
      },
    ],
  ])(
    '%s: the first refresh still lists everything, with the retries counted',
    async (_name, rule) => {
      h = await startEksHarness(
        rule.fault.kind === 'hang' ? { ...ENV, EKS_CALL_TIMEOUT_MS: '1000' } : ENV,
        { homeAccount: HOME },
      );
      seedAll(h);
      const times = rule.times ?? 0;
      h.fake.addFault(rule);
      const load = await h.load();
      expect(load.records).toHaveLength(CLUSTERS);
      expect(load.parts.every((p) => p.lastError === undefined)).toBe(true);
      // Every logical call made once; the faulted one retried by the SDK under one invocation id.
      expect(h.fake.invocations({ service: 'eks' })).toBe(PAGES + CLUSTERS + ADDON_LOOKUPS);
      const faulted = h.fake.calls.filter((x) => x.outcome !== 200);
      expect(faulted).toHaveLength(times);
      const retried = h.fake.calls.filter((x) => x.invocationId === faulted[0]?.invocationId);
      expect(retried.map((x) => x.attempt)).toEqual(
        Array.from({ length: times + 1 }, (_, i) => i + 1),
      );
      expect(retried.at(-1)?.outcome).toBe(200);
    },
  );
});
