import { EKSClient } from '@aws-sdk/client-eks';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  RetryStrategyV2,
} from '@smithy/types';
import { StandardRetryStrategy } from '@smithy/core/retry';
import type { CallGate, SchedulerClock } from './eks-call-scheduler';
import { SlotReleasingRetryStrategy } from './eks-call-scheduler';
import type { EksConfig } from './eks-config';
import { callFailed, degenerateReply } from './eks-errors';

/**
 * SDK client settings shared by every EKS and STS client. Endpoints are never set here: the SDK reads
 * AWS_ENDPOINT_URL_EKS / AWS_ENDPOINT_URL_STS (and AWS_ENDPOINT_URL) itself.
 */
export interface AwsClientSettings {
  readonly callTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxAttempts: number | undefined;
  readonly maxSockets: number;
  /**
   * Tests shorten the backoff (one strategy shared by every client); the benchmark times the SDK's own (a
   * factory, one strategy per client as in production). The SDK's classification of retryable errors stays.
   */
  readonly retryStrategy: RetryStrategyV2 | (() => RetryStrategyV2) | undefined;
}

export function clientSettings(
  config: EksConfig,
  retryStrategy: AwsClientSettings['retryStrategy'],
): AwsClientSettings {
  return {
    callTimeoutMs: config.callTimeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    maxAttempts: config.maxAttempts,
    // The SDK's agent allows 50 sockets; more describes in flight than that would only queue.
    maxSockets: Math.max(50, config.describeConcurrency),
    retryStrategy,
  };
}

function commonConfig(s: AwsClientSettings, keepAlive = true) {
  const retryStrategy = ownStrategy(s);
  return {
    requestHandler: {
      connectionTimeout: s.connectTimeoutMs,
      // Without throwOnRequestTimeout this SDK only warns and keeps waiting on a hung endpoint.
      requestTimeout: s.callTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: s.callTimeoutMs,
      httpAgent: { keepAlive, maxSockets: s.maxSockets },
      httpsAgent: { keepAlive, maxSockets: s.maxSockets },
    },
    ...(s.maxAttempts === undefined ? {} : { maxAttempts: s.maxAttempts }),
    ...(retryStrategy === undefined ? {} : { retryStrategy }),
  };
}

/**
 * An EKS client whose calls go through `gate` (eks-call-scheduler.ts): the SDK's retry strategy (or the one the
 * settings give) decides and times every retry, and the slot of a call is free while it backs off.
 */
export function makeEksClient(
  region: string,
  credentials: AwsCredentialIdentityProvider,
  s: AwsClientSettings,
  gate: CallGate,
  clock: SchedulerClock,
): EKSClient {
  // The SDK resolves maxAttempts (EKS_MAX_ATTEMPTS, else AWS_MAX_ATTEMPTS, else its default) into the client's
  // config; the standard strategy reads it from there at the first retry.
  const inner = ownStrategy(s) ?? new StandardRetryStrategy(() => client.config.maxAttempts());
  const client: EKSClient = new EKSClient({
    region,
    credentials,
    ...commonConfig(s),
    retryStrategy: new SlotReleasingRetryStrategy(inner, gate, clock),
  });
  return client;
}

function ownStrategy(s: AwsClientSettings): RetryStrategyV2 | undefined {
  return typeof s.retryStrategy === 'function' ? s.retryStrategy() : s.retryStrategy;
}

export function makeStsClient(
  region: string,
  credentials: AwsCredentialIdentityProvider,
  s: AwsClientSettings,
): STSClient {
  return new STSClient({ region, credentials, ...commonConfig(s) });
}

/** The service's own identity: the default chain (env, IRSA, EKS Pod Identity, ...), resolved once and shared. */
export function defaultCredentials(): AwsCredentialIdentityProvider {
  return fromNodeProviderChain();
}

/**
 * One provider per assumed role, shared by that role's clients in every region, so a refresh makes one
 * AssumeRole per role (not per region) until the credentials near expiry.
 */
export function assumedRoleCredentials(
  roleArn: string,
  opts: {
    readonly source: AwsCredentialIdentityProvider;
    readonly stsRegion: string;
    readonly sessionName: string;
    readonly externalId: string | undefined;
    readonly settings: AwsClientSettings;
    readonly now: () => number;
  },
): AwsCredentialIdentityProvider {
  const provider = fromTemporaryCredentials({
    params: {
      RoleArn: roleArn,
      RoleSessionName: opts.sessionName,
      DurationSeconds: 3600,
      ...(opts.externalId === undefined ? {} : { ExternalId: opts.externalId }),
    },
    masterCredentials: opts.source,
    // This inner client cannot be destroyed from outside, and calls about once an hour: no keep-alive.
    clientConfig: { region: opts.stsRegion, ...commonConfig(opts.settings, false) },
  });
  return sharedCredentials(() => provider(), opts.now);
}

// The SDK treats credentials as expired five minutes before their expiration; so do we.
const EXPIRY_MARGIN_MS = 5 * 60_000;

/** Caches what `provider` returns until it nears expiry; concurrent callers share one fetch; failures are not cached. */
export function sharedCredentials(
  provider: () => Promise<AwsCredentialIdentity>,
  now: () => number,
): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let inflight: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (c: AwsCredentialIdentity) =>
    c.expiration === undefined || c.expiration.getTime() - now() > EXPIRY_MARGIN_MS;
  return () => {
    if (cached !== undefined && fresh(cached)) return Promise.resolve(cached);
    inflight ??= provider()
      .then((c) => {
        cached = c;
        return c;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };
}

/** The account of the default credentials, asked of STS once (a failure is asked again next time). */
export function ownAccountResolver(sts: STSClient): (signal: AbortSignal) => Promise<string> {
  let account: string | undefined;
  let inflight: Promise<string> | undefined;
  // Every region's target asks at once on the first refresh; one call answers them all.
  return (signal) => {
    if (account !== undefined) return Promise.resolve(account);
    inflight ??= sts
      .send(new GetCallerIdentityCommand({}), { abortSignal: signal })
      .then(
        (out) => {
          // The SDK turns an empty body or a 204 into an output without Account.
          if (out.Account === undefined || !/^\d{12}$/.test(out.Account)) {
            throw degenerateReply('GetCallerIdentity', 'an account id');
          }
          account = out.Account;
          return account;
        },
        (e: unknown) => {
          throw callFailed('GetCallerIdentity', e);
        },
      )
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };
}
