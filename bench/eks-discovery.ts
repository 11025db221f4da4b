/**
 * EKS discovery refresh at fleet scale: 2,000 clusters over 8 regions, every AWS call answered by the
 * HTTP fake after 50 ms, 5 % of EKS calls throttled (429 TooManyRequestsException), the production SDK
 * retry strategy (standard mode, default attempts and backoff). Compares wall time with the ideal for the
 * concurrency caps, and the AWS calls made with clusters + pages + add-on lookups + retries.
 * Not a test: run by `npm run bench`.
 */
import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { silentLogger } from '../core/logger';
import { eksSourceFromEnv } from '../plugins/cluster-sources/eks';
import { EKS_DEFAULTS } from '../plugins/cluster-sources/eks-config';
import type { EksClusterSource } from '../plugins/cluster-sources/eks-source';
import { AwsFake } from '../test/fakes/aws/aws-fake';
import { pointSdkAt } from '../test/fakes/aws/eks-harness';

const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-1',
  'ap-northeast-1',
  'sa-east-1',
];
const DEFAULT_CLUSTERS = 2000;
const DEFAULT_LATENCY_MS = 50;
const DEFAULT_THROTTLE_RATE = 0.05;
const VERSIONS = ['1.29', '1.30', '1.31'];
const ACCOUNT = '111111111111';

/** A seeded generator, so each run throttles the same share of calls. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The SDK's standard strategy (one per client, as in production), timing each backoff it waits: the budget of a
 * throttled refresh is 1.5 × ideal plus the longest backoff a retry actually waited.
 */
class TimedStandardStrategy implements RetryStrategyV2 {
  private readonly inner: RetryStrategyV2 = new StandardRetryStrategy(EKS_DEFAULTS.maxAttempts);
  /** Backoff waited so far by the call a token belongs to. */
  private readonly waitedBefore = new WeakMap<RetryToken, number>();
  /** `waited`: each backoff; `perCall`: each call's backoffs summed, at its last retry. */
  constructor(
    private readonly waited: number[],
    private readonly perCall: number[],
  ) {}
  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    return this.inner.acquireInitialRetryToken(scope);
  }
  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const started = performance.now();
    const next = await this.inner.refreshRetryTokenForRetry(token, info);
    const ms = performance.now() - started + next.getRetryDelay();
    const total = (this.waitedBefore.get(token) ?? 0) + ms;
    this.waitedBefore.set(next, total);
    this.waited.push(ms);
    this.perCall.push(total);
    return next;
  }
  recordSuccess(token: RetryToken): void {
    this.inner.recordSuccess(token);
  }
}

const fmtSeconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export interface EksBenchOptions {
  readonly clusters?: number;
  readonly latencyMs?: number;
  readonly throttleRate?: number;
}

export async function runEksDiscoveryBench(
  opts: EksBenchOptions = {},
): Promise<Array<Record<string, string | number>>> {
  const CLUSTERS = opts.clusters ?? DEFAULT_CLUSTERS;
  const LATENCY_MS = opts.latencyMs ?? DEFAULT_LATENCY_MS;
  const THROTTLE_RATE = opts.throttleRate ?? DEFAULT_THROTTLE_RATE;
  const saved = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k.startsWith('AWS_')),
  );
  const fake = await AwsFake.start({
    homeAccount: ACCOUNT,
    latencyMs: LATENCY_MS,
    throttleRate: THROTTLE_RATE,
    random: mulberry32(42),
  });
  let source: EksClusterSource | undefined;
  const rows: Array<Record<string, string | number>> = [];
  try {
    const perRegion = CLUSTERS / REGIONS.length;
    for (const region of REGIONS) {
      for (let i = 0; i < perRegion; i++) {
        fake.addCluster(ACCOUNT, region, {
          name: `${region}-c${String(i).padStart(4, '0')}`,
          version: VERSIONS[i % VERSIONS.length] ?? '1.30',
          tags: { argocd: 'enabled', env: i % 2 === 0 ? 'prod' : 'dev' },
        });
      }
    }
    pointSdkAt(fake);
    const waited: number[] = [];
    const perCall: number[] = [];
    const built = eksSourceFromEnv(
      { ...process.env, EKS_REGIONS: REGIONS.join(','), EKS_ENROLL_SELECTOR: 'argocd=enabled' },
      { log: silentLogger, retryStrategy: () => new TimedStandardStrategy(waited, perCall) },
    );
    if ('issues' in built) throw new Error(built.issues.join('; '));
    source = built.source as EksClusterSource;

    const describeCap = EKS_DEFAULTS.describeConcurrency;
    const targetCap = EKS_DEFAULTS.targetConcurrency;
    const pagesPerTarget = Math.ceil(perRegion / 100);
    const targetWaves = Math.ceil(REGIONS.length / targetCap);
    // Per target: pages one after another, then describes `describeCap` at a time; add-on lookups after.
    const idealMs =
      LATENCY_MS *
      (targetWaves * (pagesPerTarget + Math.ceil(perRegion / describeCap)) +
        Math.ceil(VERSIONS.length / 4));

    const rounds = [
      { label: 'cold (first refresh)', throttle: THROTTLE_RATE },
      { label: 'warm (next refresh)', throttle: THROTTLE_RATE },
      // Same refresh without throttling: separates the cost of retries from the SDK's own cost.
      { label: 'warm, no throttling', throttle: 0 },
    ];
    for (const { label: round, throttle } of rounds) {
      fake.setThrottleRate(throttle);
      fake.resetCalls();
      waited.length = 0;
      perCall.length = 0;
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const load = await source
        .load({ signal: new AbortController().signal, log: silentLogger })
        .then(
          (l) => ({ records: l.records.length, failed: l.parts.filter((p) => p.lastError).length }),
          (e: unknown) => ({
            records: 0,
            failed: -1,
            error: e instanceof Error ? e.message : String(e),
          }),
        );
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const throttled = fake.calls.filter((c) => c.outcome === 429).length;
      const pages =
        fake.count({ op: 'ListClusters' }) -
        fake.calls.filter((c) => c.op === 'ListClusters' && c.outcome === 429).length;
      const addonPages =
        fake.count({ op: 'DescribeAddonVersions' }) -
        fake.calls.filter((c) => c.op === 'DescribeAddonVersions' && c.outcome === 429).length;
      const sts = fake.count({ service: 'sts' });
      const expected = CLUSTERS + pages + addonPages + sts + throttled;
      const pacing = source.callPacing();
      const cuts = pacing.reduce((n, p) => n + p.rateCuts, 0);
      const longestBackoffMs = Math.round(Math.max(0, ...waited));
      // A call throttled twice waits two backoffs before its answer: the refresh cannot end sooner.
      const longestCallBackoffMs = Math.round(Math.max(0, ...perCall));
      const budgetMs = Math.round(1.5 * idealMs + longestCallBackoffMs);
      rows.push({
        benchmark: `EKS discovery refresh, ${CLUSTERS} clusters in ${REGIONS.length} regions, ${LATENCY_MS} ms per call, ${throttle * 100} % throttled, ${round}`,
        'ours vs baseline': `${(wallMs / idealMs).toFixed(2)}×`,
        ours:
          `${Math.round(wallMs)} ms wall, ${load.records} clusters, ` +
          ('error' in load ? `refused: ${load.error}` : `${load.failed} failed targets`),
        baseline: `ideal ${idealMs} ms (describe cap ${describeCap}/target, ${targetCap} targets at once)`,
        // The aim: 1.5 × ideal plus the longest backoff a retry actually waited (the SDK's delay, Retry-After included).
        'aim (1.5 × ideal + longest backoff waited)':
          `${budgetMs} ms = 1.5 × ${idealMs} + ${longestCallBackoffMs} ms (longest backoff of one call; ` +
          `longest single backoff ${longestBackoffMs} ms of ${waited.length}, ` +
          // What a scheduler holding the slot through its backoff would have left idle; this one leaves none.
          `${fmtSeconds(waited.reduce((a, b) => a + b, 0))} of backoff in all, waited without a slot) — ` +
          `${wallMs <= budgetMs ? 'met' : 'missed'}; ${cuts} rate cuts so far`,
        // The fake runs in this process too: CPU here is SDK + fake, and bounds the wall time on a busy machine.
        'CPU (SDK + fake)': `${Math.round(cpuMs)} ms`,
        'AWS calls': `${fake.calls.length} made vs ${expected} = ${CLUSTERS} clusters + ${pages} pages + ${addonPages} add-on pages + ${sts} STS + ${throttled} retries`,
      });
    }
  } finally {
    source?.close();
    await fake.close();
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, saved);
  }
  return rows;
}
