import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { createJsonLogger } from '../../../core/logger';
import { eksSourceFromEnv } from '../../../plugins/cluster-sources/eks';
import type { SchedulerClock } from '../../../plugins/cluster-sources/eks-call-scheduler';
import type { EksClusterSource } from '../../../plugins/cluster-sources/eks-source';
import type { SourceLoad } from '../../../plugins/cluster-sources/source';
import type { AwsFakeOptions } from './aws-fake';
import { AwsFake } from './aws-fake';
import type { FakeCluster } from './fleet';

/** The static credentials the fake sees as the home account's (the default chain reads them from env). */
export const HOME_KEY = { id: 'AKIDHOMEEXAMPLE', secret: 'home-secret-never-logged' };

/**
 * Points the real SDK at the fake the standard way: AWS_ENDPOINT_URL_EKS / AWS_ENDPOINT_URL_STS and
 * static credentials in the environment, which the default credentials chain picks up. Jest gives each
 * test file its own copy of process.env, so this does not leak into other files.
 */
export function pointSdkAt(fake: AwsFake): void {
  for (const k of Object.keys(process.env)) {
    if (k.startsWith('AWS_')) delete process.env[k];
  }
  process.env['AWS_ENDPOINT_URL_EKS'] = fake.url;
  process.env['AWS_ENDPOINT_URL_STS'] = fake.url;
  process.env['AWS_ACCESS_KEY_ID'] = HOME_KEY.id;
  process.env['AWS_SECRET_ACCESS_KEY'] = HOME_KEY.secret;
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
  // No shared config files on the test machine may change the outcome.
  process.env['AWS_CONFIG_FILE'] = '/nonexistent/aws-config';
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = '/nonexistent/aws-credentials';
}

export interface EksHarness {
  readonly fake: AwsFake;
  readonly source: EksClusterSource;
  /** Every JSON log line the source wrote. */
  readonly logs: string[];
  load(): Promise<SourceLoad>;
  close(): Promise<void>;
}

/**
 * A fake AWS plus an EKS source built by eksSourceFromEnv from `env`. Retries keep the SDK's standard
 * classification but back off 1 ms, so fault tests are quick. Hang tests pass a shorter EKS_CALL_TIMEOUT_MS;
 * the default leaves room for a busy machine.
 */
export async function startEksHarness(
  env: Record<string, string>,
  opts: AwsFakeOptions & {
    fleet?: (fake: AwsFake) => void;
    /** The EKS call scheduler's clock (pacing); the real one when absent. */
    clock?: SchedulerClock;
    /** Attempts per call of the test strategy (default 3). */
    attempts?: number;
    /** Production retries: the SDK's standard strategy with its own backoff, EKS_MAX_ATTEMPTS as configured. */
    sdkRetries?: boolean;
  } = {},
): Promise<EksHarness> {
  const fake = await AwsFake.start(opts);
  opts.fleet?.(fake);
  pointSdkAt(fake);
  const logs: string[] = [];
  const log = createJsonLogger({ write: (l: string) => logs.push(l) }, 'debug');
  const built = eksSourceFromEnv(
    { EKS_CALL_TIMEOUT_MS: '3000', EKS_CONNECT_TIMEOUT_MS: '2000', ...process.env, ...env },
    {
      log,
      ...(opts.sdkRetries === true
        ? {}
        : { retryStrategy: new ConfiguredRetryStrategy(opts.attempts ?? 3, 1) }),
      ...(opts.clock === undefined ? {} : { clock: opts.clock }),
    },
  );
  if ('issues' in built) {
    await fake.close();
    throw new Error(`eks config: ${built.issues.join('; ')}`);
  }
  const source = built.source as EksClusterSource;
  return {
    fake,
    source,
    logs,
    load: () => source.load({ signal: new AbortController().signal, log }),
    close: async () => {
      source.close();
      await fake.close();
    },
  };
}

/** `count` clusters named `<prefix>-000`, ... tagged `argocd=enabled` plus `tags`. */
export function clusters(
  prefix: string,
  count: number,
  tags: Record<string, string> = {},
  extra: Partial<FakeCluster> = {},
): FakeCluster[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${String(i).padStart(3, '0')}`,
    tags: { argocd: 'enabled', ...tags },
    ...extra,
  }));
}

export function addAll(
  fake: AwsFake,
  account: string,
  region: string,
  list: readonly FakeCluster[],
): void {
  for (const c of list) fake.addCluster(account, region, c);
}
