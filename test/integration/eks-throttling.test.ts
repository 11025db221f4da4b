/**
 * EKS discovery under throttling, through the real AWS SDK over HTTP against the EKS fake: a throttled call gives
 * its slot back while it backs off, AWS's Retry-After is honoured, a hard-throttled target does not hold up the
 * others, every call is accounted for (clusters + pages + retries), the per-target rate comes down under heavy
 * throttling and recovers, and EKS_MAX_RPS_PER_ACCOUNT is a ceiling.
 */
import type { SchedulerClock } from '../../plugins/cluster-sources/eks-call-scheduler';
import type { CallRecord } from '../fakes/aws/aws-fake';
import type { EksHarness } from '../fakes/aws/eks-harness';
import { addAll, clusters, startEksHarness } from '../fakes/aws/eks-harness';

const HOME = '111111111111';
const BASE = { EKS_ENROLL_SELECTOR: 'argocd=enabled' };

let h: EksHarness;
afterEach(async () => {
  await h.close();
});

/** Scheduler time that moves only when the scheduler waits: pacing is checked without waiting or timing. */
function virtualClock(): SchedulerClock & {
  readonly elapsed: () => number;
  advance(ms: number): void;
} {
  let t = 0;
  return {
    now: () => t,
    sleep: (ms) => {
      const until = t + ms;
      return new Promise((resolve) =>
        setImmediate(() => {
          t = Math.max(t, until);
          resolve();
        }),
      );
    },
    elapsed: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

const describes = (calls: readonly CallRecord[], region?: string) =>
  calls.filter((c) => c.op === 'DescribeCluster' && (region === undefined || c.region === region));

describe('EKS discovery under throttling', () => {
  it('lets the next call use the slot while a throttled call backs off, and honours Retry-After', async () => {
    h = await startEksHarness(
      { ...BASE, EKS_REGIONS: 'us-east-1', EKS_DESCRIBE_CONCURRENCY: '1' },
      { homeAccount: HOME, fleet: (f) => addAll(f, HOME, 'us-east-1', clusters('c', 3)) },
    );
    h.fake.addFault({
      match: { op: 'DescribeCluster', subject: 'c-000' },
      fault: { kind: 'throttle', retryAfterSeconds: 1 },
      times: 1,
    });

    const load = await h.load();

    expect(load.records.map((r) => r.clusterName)).toEqual(['c-000', 'c-001', 'c-002']);
    const order = describes(h.fake.calls).map((c) => `${c.subject} ${c.outcome}`);
    // With one slot, c-001 and c-002 go while c-000 waits out AWS's Retry-After: the slot is not idle.
    expect(order).toEqual(['c-000 429', 'c-001 200', 'c-002 200', 'c-000 200']);
    const [throttled, , , retried] = describes(h.fake.calls);
    // The SDK's backoff with AWS's hint: no sooner than the second it asked for (the test strategy's own is 1 ms).
    expect((retried?.at ?? 0) - (throttled?.at ?? 0)).toBeGreaterThanOrEqual(990);
    expect(retried?.attempt).toBe(2);
    expect(retried?.invocationId).toBe(throttled?.invocationId);
  });

  it('does not let a hard-throttled target hold up another: the healthy one finishes during the backoffs', async () => {
    h = await startEksHarness(
      { ...BASE, EKS_REGIONS: 'us-east-1,eu-west-1', EKS_DESCRIBE_CONCURRENCY: '2' },
      {
        homeAccount: HOME,
        fleet: (f) => {
          addAll(f, HOME, 'us-east-1', clusters('east', 4));
          addAll(f, HOME, 'eu-west-1', clusters('west', 12));
        },
      },
    );
    // Every describe in us-east-1 is throttled once, each asking for two seconds.
    for (const name of h.fake.clusterNames(HOME, 'us-east-1')) {
      h.fake.addFault({
        match: { op: 'DescribeCluster', subject: name, region: 'us-east-1' },
        fault: { kind: 'throttle', retryAfterSeconds: 2 },
        times: 1,
      });
    }

    const load = await h.load();

    expect(load.parts.every((p) => p.lastError === undefined)).toBe(true);
    expect(load.records).toHaveLength(16);
    const firstEastRetry = describes(h.fake.calls, 'us-east-1').find((c) => c.attempt === 2);
    const west = describes(h.fake.calls, 'eu-west-1');
    expect(west.every((c) => c.outcome === 200)).toBe(true);
    // All of eu-west-1's describes were sent before us-east-1's first retry: nothing of it waited on the other.
    expect(west.every((c) => c.at <= (firstEastRetry?.at ?? 0))).toBe(true);
  });

  it('makes exactly clusters + pages + retries calls, and lists every cluster, under heavy random throttling', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    h = await startEksHarness(
      { ...BASE, EKS_REGIONS: 'us-east-1,eu-west-1,ap-south-1', EKS_DESCRIBE_CONCURRENCY: '3' },
      {
        homeAccount: HOME,
        throttleRate: 0.3,
        random,
        attempts: 10,
        // The rate comes down under this much throttling; its pacing need not take real time here.
        clock: virtualClock(),
        fleet: (f) => {
          addAll(f, HOME, 'us-east-1', clusters('a', 130)); // two ListClusters pages
          addAll(f, HOME, 'eu-west-1', clusters('b', 20));
          addAll(f, HOME, 'ap-south-1', clusters('c', 7));
        },
      },
    );

    const load = await h.load();

    expect(load.records).toHaveLength(157);
    const eks = h.fake.calls.filter((c) => c.service === 'eks');
    const retries = eks.filter((c) => c.outcome === 429).length;
    expect(retries).toBeGreaterThan(20);
    const pages = 2 + 1 + 1;
    const addonPages = 1; // one Kubernetes version in the fleet
    expect(eks).toHaveLength(157 + pages + addonPages + retries);
    // Each retry is the SDK's: the same invocation, the next attempt.
    for (const c of eks.filter((x) => x.attempt > 1)) {
      expect(
        eks.some((p) => p.invocationId === c.invocationId && p.attempt === c.attempt - 1),
      ).toBe(true);
    }
  });

  it('fails the target, as before, when a call runs out of attempts', async () => {
    h = await startEksHarness(
      { ...BASE, EKS_REGIONS: 'us-east-1,eu-west-1' },
      {
        homeAccount: HOME,
        fleet: (f) => {
          addAll(f, HOME, 'us-east-1', clusters('east', 2));
          addAll(f, HOME, 'eu-west-1', clusters('west', 2));
        },
      },
    );
    await h.load();
    h.fake.addFault({
      match: { op: 'DescribeCluster', subject: 'east-001' },
      fault: { kind: 'throttle' },
    });

    const load = await h.load();

    const east = load.parts.find((p) => p.id.endsWith('/us-east-1'));
    expect(east?.lastError).toMatch(/DescribeCluster east-001: TooManyRequestsException/);
    // Its clusters stay as last listed; the other target is fresh.
    expect(load.records.map((r) => r.clusterName).sort()).toEqual([
      'east-000',
      'east-001',
      'west-000',
      'west-001',
    ]);
    expect(load.parts.find((p) => p.id.endsWith('/eu-west-1'))?.lastError).toBeUndefined();
  });

  it("keeps the SDK's own strategy in production: EKS_MAX_ATTEMPTS attempts, then the target fails", async () => {
    h = await startEksHarness(
      { ...BASE, EKS_REGIONS: 'us-east-1', EKS_MAX_ATTEMPTS: '2' },
      {
        homeAccount: HOME,
        sdkRetries: true,
        fleet: (f) => addAll(f, HOME, 'us-east-1', clusters('c', 2)),
      },
    );
    h.fake.addFault({
      match: { op: 'DescribeCluster', subject: 'c-001' },
      fault: { kind: 'throttle', retryAfterSeconds: 0 },
    });

    await expect(h.load()).rejects.toThrow(/DescribeCluster c-001: TooManyRequestsException/);

    const attempts = describes(h.fake.calls).filter((c) => c.subject === 'c-001');
    expect(attempts.map((c) => c.attempt)).toEqual([1, 2]);
    expect(new Set(attempts.map((c) => c.invocationId)).size).toBe(1);
  });

  it('brings a heavily throttled target down to the rate AWS accepts, leaves the others alone, and recovers', async () => {
    const clock = virtualClock();
    h = await startEksHarness(
      { ...BASE, EKS_REGIONS: 'us-east-1,eu-west-1', EKS_DESCRIBE_CONCURRENCY: '4' },
      {
        homeAccount: HOME,
        clock,
        attempts: 10,
        fleet: (f) => {
          addAll(f, HOME, 'us-east-1', clusters('east', 40));
          addAll(f, HOME, 'eu-west-1', clusters('west', 40));
        },
      },
    );
    const storm = h.fake.addFault({
      match: { op: 'DescribeCluster', region: 'us-east-1' },
      fault: { kind: 'throttle' },
      probability: 0.5,
    });

    await h.load();

    const [east, west] = h.source.callPacing();
    expect(east?.rateCuts).toBeGreaterThanOrEqual(1);
    expect(east?.ratePerSecond).not.toBeNull();
    expect(west).toMatchObject({ rateCuts: 0, ratePerSecond: null, throttledAttempts: 0 });
    const cut = east?.ratePerSecond ?? 0;

    storm();
    clock.advance(5_000);
    const recovering = h.source.callPacing()[0]?.ratePerSecond ?? 0;
    expect(recovering).toBeGreaterThan(cut);
    await h.load();
    expect(h.source.callPacing()[0]?.rateCuts).toBe(east?.rateCuts);
  });

  it('keeps to EKS_MAX_RPS_PER_ACCOUNT across the regions of an account, retries included', async () => {
    const clock = virtualClock();
    h = await startEksHarness(
      {
        ...BASE,
        EKS_REGIONS: 'us-east-1,eu-west-1',
        EKS_DESCRIBE_CONCURRENCY: '4',
        EKS_MAX_RPS_PER_ACCOUNT: '5',
      },
      {
        homeAccount: HOME,
        clock,
        fleet: (f) => {
          addAll(f, HOME, 'us-east-1', clusters('east', 10));
          addAll(f, HOME, 'eu-west-1', clusters('west', 10));
        },
      },
    );
    h.fake.addFault({
      match: { op: 'DescribeCluster', subject: 'east-003' },
      fault: { kind: 'throttle' },
      times: 1,
    });

    await h.load();

    const eks = h.fake.calls.filter((c) => c.service === 'eks');
    // 20 describes + 2 pages + 1 retry + 1 add-on page, paced 200 ms apart on the scheduler's clock.
    expect(eks).toHaveLength(24);
    expect(clock.elapsed()).toBeGreaterThanOrEqual((eks.length - 1) * 200);
  });
});
