import type { AwsCredentialIdentityProvider, RetryStrategyV2 } from '@smithy/types';
import type { Logger } from '../../core/logger';
import { AddonDefaultsCache } from './eks-addons';
import {
  assumedRoleCredentials,
  clientSettings,
  defaultCredentials,
  makeEksClient,
  makeStsClient,
  ownAccountResolver,
} from './eks-clients';
import type { SchedulerClock } from './eks-call-scheduler';
import { AccountCap, AdaptiveRate, CallGate, realClock } from './eks-call-scheduler';
import type { EksConfig } from './eks-config';
import { accountOfRoleArn, EKS_ENV_VARS, parseEksConfig } from './eks-config';
import type { EksTarget } from './eks-source';
import { EksClusterSource } from './eks-source';
import type { ClusterSource, ClusterSourceModule } from './source';

/** Dependencies the composition root hands to the EKS source. */
export interface EksSourceDeps {
  readonly log: Logger;
  readonly now?: () => number;
  /**
   * Tests and the benchmark replace the SDK's backoff delays (e.g. ConfiguredRetryStrategy(3, 0));
   * which errors are retried stays the SDK's standard classification. Production leaves it unset.
   */
  readonly retryStrategy?: RetryStrategyV2 | (() => RetryStrategyV2);
  /** The EKS call scheduler's time (pacing of the adaptive rate and EKS_MAX_RPS_PER_ACCOUNT); tests replace it. */
  readonly clock?: SchedulerClock;
}

/**
 * Builds the EKS discovery source from the environment (EKS_REGIONS, EKS_ASSUME_ROLE_ARNS, EKS_ENROLL_SELECTOR, ...).
 * Returns every configuration problem at once instead of throwing.
 */
export function eksSourceFromEnv(
  env: NodeJS.ProcessEnv,
  deps: EksSourceDeps,
): { source: ClusterSource } | { issues: string[] } {
  const parsed = parseEksConfig(env);
  if ('issues' in parsed) return { issues: parsed.issues };
  return { source: createEksSource(parsed.config, deps) };
}

/** `CLUSTER_SOURCE=eks`: EKS discovery; its settings are checked when it is built. */
export const eksClusterSource: ClusterSourceModule = {
  kind: 'eks',
  title: 'EKS discovery',
  summary: 'EKS discovery',
  envVars: EKS_ENV_VARS,
  fromEnv: (env, deps) => {
    const built = eksSourceFromEnv(env, {
      log: deps.log,
      ...(deps.now === undefined ? {} : { now: deps.now }),
    });
    return 'issues' in built
      ? built
      : { source: built.source, description: 'the fleet EKS discovery finds' };
  },
};

/**
 * Wires the targets: the own account (default credentials chain) and every assumed role, each in every
 * region, one EKS client per target and one credentials provider per identity.
 */
export function createEksSource(config: EksConfig, deps: EksSourceDeps): EksClusterSource {
  const now = deps.now ?? Date.now;
  const settings = clientSettings(config, deps.retryStrategy);
  const own = defaultCredentials();
  const homeRegion = config.regions[0] ?? 'us-east-1';
  const sts = makeStsClient(homeRegion, own, settings);
  const clock = deps.clock ?? realClock;
  // One cap per account, shared by its regions; the own account's id is not known yet, and is its own key.
  const caps = new Map<string, AccountCap>();
  const gateFor = (account: string): CallGate => {
    let cap = caps.get(account);
    if (cap === undefined && config.maxRpsPerAccount !== undefined) {
      cap = new AccountCap(config.maxRpsPerAccount);
      caps.set(account, cap);
    }
    return new CallGate(config.describeConcurrency, new AdaptiveRate(), cap, clock);
  };
  const targets: EksTarget[] = [];
  const client = (region: string, creds: AwsCredentialIdentityProvider, gate: CallGate) =>
    makeEksClient(region, creds, settings, gate, clock);
  if (config.includeOwnAccount) {
    for (const region of config.regions) {
      const gate = gateFor('self');
      targets.push({
        region,
        roleArn: undefined,
        accountId: undefined,
        eks: client(region, own, gate),
        gate,
      });
    }
  }
  for (const roleArn of config.assumeRoleArns) {
    const creds = assumedRoleCredentials(roleArn, {
      source: own,
      stsRegion: homeRegion,
      sessionName: config.roleSessionName,
      externalId: config.externalId,
      settings,
      now,
    });
    const accountId = accountOfRoleArn(roleArn);
    for (const region of config.regions) {
      const gate = gateFor(accountId ?? roleArn);
      targets.push({ region, roleArn, accountId, eks: client(region, creds, gate), gate });
    }
  }
  // Add-on versions are the same in every account; the first target's identity asks for them.
  const first = targets[0];
  if (first === undefined)
    throw new Error('EKS source without targets (config validation let it through)');
  const addons = new AddonDefaultsCache(first.eks, config.addonsRefreshMs, now);
  return new EksClusterSource({
    config,
    targets,
    resolveOwnAccount: ownAccountResolver(sts),
    addons,
    now,
    destroy: () => {
      sts.destroy();
      for (const t of targets) t.eks.destroy();
    },
  });
}
