import type { EnvVar } from '../../core/env-vars';
import { boolFromEnv, intFromEnv } from '../../core/env-vars';
import type { LabelSelector } from '../../core/selector';
import { EVERYTHING, parseSelector } from '../../core/selector';

/** Everything the EKS source reads from the environment, validated once. */
export interface EksConfig {
  readonly regions: readonly string[];
  readonly assumeRoleArns: readonly string[];
  /** List the service's own account (default credentials) too; off for a hub account without clusters. */
  readonly includeOwnAccount: boolean;
  /** Passed to every AssumeRole when set (the trust policy's sts:ExternalId condition). */
  readonly externalId: string | undefined;
  readonly roleSessionName: string;
  readonly enrollSelector: LabelSelector;
  /** The selector as written, for logs. */
  readonly enrollSelectorText: string;
  readonly refreshIntervalMs: number;
  /**
   * Deadline of one refresh: targets still unfinished then are failed refreshes (they keep their last good
   * clusters) and their calls are aborted, so one hung target never holds up the next refresh.
   */
  readonly refreshTimeoutMs: number;
  readonly maxStaleMs: number;
  /** DescribeCluster calls in flight per target (account × region). */
  readonly describeConcurrency: number;
  /** Targets refreshed at the same time. */
  readonly targetConcurrency: number;
  /** Deadline of one HTTP attempt; each retry gets its own. */
  readonly callTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Attempts per AWS call; undefined lets the SDK read AWS_MAX_ATTEMPTS. */
  readonly maxAttempts: number | undefined;
  /** Add-on defaults older than this are fetched again; 0 means at every fleet refresh. */
  readonly addonsRefreshMs: number;
  /** EKS calls per second allowed per account (EKS_MAX_RPS_PER_ACCOUNT); undefined: no fixed cap. */
  readonly maxRpsPerAccount: number | undefined;
  /** The fleet-wide name of a cluster (EKS_CLUSTER_NAME_TEMPLATE), e.g. `{clusterName}-{region}`. */
  readonly nameTemplate: string;
}

/** What EKS_CLUSTER_NAME_TEMPLATE may hold; `{clusterName}` is required (it is what tells clusters apart). */
export const NAME_PLACEHOLDERS = ['clusterName', 'region', 'accountId'] as const;
export type NamePlaceholder = (typeof NAME_PLACEHOLDERS)[number];

export const EKS_DEFAULTS = {
  refreshSeconds: 60,
  maxStaleSeconds: 900,
  describeConcurrency: 8,
  targetConcurrency: 8,
  // One refresh makes thousands of calls, so with the SDK's default of 3 attempts a little throttling exhausts
  // some call's retries now and then; with 5, almost never (plugins/README.md, "Measured").
  maxAttempts: 5,
  callTimeoutMs: 5_000,
  connectTimeoutMs: 3_000,
  addonsRefreshSeconds: 0,
  roleSessionName: 'argocd-eks-discovery',
  nameTemplate: '{clusterName}',
} as const;

/** The variables parseEksConfig reads, for the configuration reference and --help. */
export const EKS_ENV_VARS = [
  {
    name: 'EKS_REGIONS',
    defaultNote: '— (required)',
    description: 'Comma-separated regions to list, e.g. `us-east-1,eu-west-1`.',
  },
  {
    name: 'EKS_ASSUME_ROLE_ARNS',
    description: 'Comma-separated roles to assume, one per member account.',
  },
  {
    name: 'EKS_INCLUDE_OWN_ACCOUNT',
    default: true,
    description: "Also list the generator's own account (`false` needs at least one assumed role).",
  },
  {
    name: 'EKS_ASSUME_ROLE_EXTERNAL_ID',
    description: '`sts:ExternalId` passed to every AssumeRole.',
  },
  {
    name: 'EKS_ROLE_SESSION_NAME',
    default: EKS_DEFAULTS.roleSessionName,
    description: 'Session name of the assumed roles (CloudTrail).',
  },
  {
    name: 'EKS_ENROLL_SELECTOR',
    defaultNote: '— (every cluster)',
    description:
      "Label selector over the clusters' tags (kubectl syntax, e.g. `argocd-enrolled=true,env in (dev,prod)`).",
  },
  {
    name: 'EKS_REFRESH_SECONDS',
    default: EKS_DEFAULTS.refreshSeconds,
    description: 'Fleet refresh interval, 5–86400.',
  },
  {
    name: 'EKS_REFRESH_TIMEOUT_SECONDS',
    defaultNote: '`EKS_REFRESH_SECONDS`',
    description:
      'Deadline of one refresh (1–86400): targets not finished by then count as failed refreshes and keep their last good clusters.',
  },
  {
    name: 'EKS_CLUSTER_NAME_TEMPLATE',
    default: EKS_DEFAULTS.nameTemplate,
    description:
      'Fleet-wide cluster `name`: `{clusterName}`, `{region}`, `{accountId}` (must contain `{clusterName}`); the `argocd-eks-plugins/name` tag wins. Changing it renames every Application (plugins/cluster-sources/README-eks.md).',
  },
  {
    name: 'EKS_MAX_STALE_SECONDS',
    default: EKS_DEFAULTS.maxStaleSeconds,
    description:
      'After this long without a successful listing of a target, requests fail (non-2xx) instead of serving stale data. At least twice `EKS_REFRESH_SECONDS`; `0` disables the limit.',
  },
  {
    name: 'EKS_ADDONS_REFRESH_SECONDS',
    default: EKS_DEFAULTS.addonsRefreshSeconds,
    description: 'Refresh of add-on default versions (`0`: at every fleet refresh).',
  },
  {
    name: 'EKS_DESCRIBE_CONCURRENCY',
    default: EKS_DEFAULTS.describeConcurrency,
    description: 'DescribeCluster calls in flight per account × region, 1–100.',
  },
  {
    name: 'EKS_TARGET_CONCURRENCY',
    default: EKS_DEFAULTS.targetConcurrency,
    description: 'Accounts × regions refreshed at once, 1–100.',
  },
  {
    name: 'EKS_CALL_TIMEOUT_MS',
    default: EKS_DEFAULTS.callTimeoutMs,
    description: 'Deadline of one AWS HTTP attempt (each retry gets its own), 100–300000.',
  },
  {
    name: 'EKS_CONNECT_TIMEOUT_MS',
    default: EKS_DEFAULTS.connectTimeoutMs,
    defaultNote: 'at most `EKS_CALL_TIMEOUT_MS`',
    description: 'Connect deadline, 50–60000.',
  },
  {
    name: 'EKS_MAX_ATTEMPTS',
    default: EKS_DEFAULTS.maxAttempts,
    defaultNote: "the SDK's `AWS_MAX_ATTEMPTS` when that is set",
    description: 'Attempts per AWS call (the first included), 1–10.',
  },
  {
    name: 'EKS_MAX_RPS_PER_ACCOUNT',
    defaultNote: 'no cap (the rate still adapts to throttling)',
    description:
      "Ceiling on EKS calls per second per account, all its regions and retries together, 1–10000: leaves room for other tools sharing the account's EKS rate limit.",
  },
] as const satisfies readonly EnvVar[];

type EksEnvName = (typeof EKS_ENV_VARS)[number]['name'];

// Commercial, China, GovCloud and ISO partitions: us-east-1, cn-north-1, us-gov-west-1, us-isob-east-1.
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const ROLE_ARN = /^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** The account id inside a role ARN (validated by parseEksConfig). */
export function accountOfRoleArn(arn: string): string | undefined {
  return ROLE_ARN.exec(arn)?.[2];
}

/** Parses and validates the EKS_* settings, reporting every problem at once, each naming its variable. */
export function parseEksConfig(
  env: Readonly<Record<string, string | undefined>>,
): { config: EksConfig } | { issues: string[] } {
  const issues: string[] = [];

  const regions = commaList(env['EKS_REGIONS']);
  if (regions.length === 0) {
    issues.push('EKS_REGIONS: required, a comma-separated list of regions such as us-east-1');
  }
  for (const r of regions) {
    if (!REGION.test(r)) issues.push(`EKS_REGIONS: "${r}" is not a region name like us-east-1`);
  }
  pushDuplicates(issues, 'EKS_REGIONS', regions);

  const assumeRoleArns = commaList(env['EKS_ASSUME_ROLE_ARNS']);
  for (const a of assumeRoleArns) {
    if (!ROLE_ARN.test(a)) {
      issues.push(
        `EKS_ASSUME_ROLE_ARNS: "${a}" is not an IAM role ARN like arn:aws:iam::123456789012:role/name`,
      );
    }
  }
  pushDuplicates(issues, 'EKS_ASSUME_ROLE_ARNS', assumeRoleArns);

  const includeOwnAccount = boolFromEnv(env, 'EKS_INCLUDE_OWN_ACCOUNT', true, issues);
  if (!includeOwnAccount && assumeRoleArns.length === 0) {
    issues.push('EKS_INCLUDE_OWN_ACCOUNT=false needs at least one role in EKS_ASSUME_ROLE_ARNS');
  }

  const externalIdRaw = env['EKS_ASSUME_ROLE_EXTERNAL_ID'];
  const externalId =
    externalIdRaw === undefined || externalIdRaw === '' ? undefined : externalIdRaw;
  if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
    issues.push('EKS_ASSUME_ROLE_EXTERNAL_ID: must be 2-1224 characters of [\\w+=,.@:/-]');
  }
  const roleSessionName = env['EKS_ROLE_SESSION_NAME'] || EKS_DEFAULTS.roleSessionName;
  if (!SESSION_NAME.test(roleSessionName)) {
    issues.push(
      `EKS_ROLE_SESSION_NAME: "${roleSessionName}" must be 2-64 characters of [\\w+=,.@-]`,
    );
  }

  const enrollSelectorText = (env['EKS_ENROLL_SELECTOR'] ?? '').trim();
  let enrollSelector: LabelSelector = EVERYTHING;
  try {
    enrollSelector = parseSelector(enrollSelectorText);
  } catch (e) {
    issues.push(`EKS_ENROLL_SELECTOR: ${e instanceof Error ? e.message : String(e)}`);
  }

  const int = (name: EksEnvName, def: number | undefined, min: number, max: number) =>
    intFromEnv(env, name, def, { min, max }, issues);
  const refreshSeconds = int('EKS_REFRESH_SECONDS', EKS_DEFAULTS.refreshSeconds, 5, 86_400) ?? 0;
  const refreshTimeoutSeconds = int('EKS_REFRESH_TIMEOUT_SECONDS', refreshSeconds, 1, 86_400) ?? 1;
  const maxStaleSeconds =
    int('EKS_MAX_STALE_SECONDS', EKS_DEFAULTS.maxStaleSeconds, 0, 7 * 86_400) ?? 0;
  // Staleness counts from the end of the last successful listing, so a refresh slowed by throttling backoff
  // already adds to it: the limit must leave room for one slow refresh on top of the interval.
  if (maxStaleSeconds > 0 && maxStaleSeconds < 2 * refreshSeconds) {
    issues.push(
      `EKS_MAX_STALE_SECONDS: ${maxStaleSeconds} is shorter than twice EKS_REFRESH_SECONDS (${refreshSeconds}); one slow refresh would already stop serving`,
    );
  }
  const describeConcurrency =
    int('EKS_DESCRIBE_CONCURRENCY', EKS_DEFAULTS.describeConcurrency, 1, 100) ?? 1;
  const targetConcurrency =
    int('EKS_TARGET_CONCURRENCY', EKS_DEFAULTS.targetConcurrency, 1, 100) ?? 1;
  const callTimeoutMs = int('EKS_CALL_TIMEOUT_MS', EKS_DEFAULTS.callTimeoutMs, 100, 300_000) ?? 1;
  const connectTimeoutMs =
    int(
      'EKS_CONNECT_TIMEOUT_MS',
      Math.min(EKS_DEFAULTS.connectTimeoutMs, callTimeoutMs),
      50,
      60_000,
    ) ?? 1;
  const sdkAttempts = env['AWS_MAX_ATTEMPTS'];
  const maxAttempts = int(
    'EKS_MAX_ATTEMPTS',
    sdkAttempts === undefined || sdkAttempts === '' ? EKS_DEFAULTS.maxAttempts : undefined,
    1,
    10,
  );
  const maxRpsPerAccount = int('EKS_MAX_RPS_PER_ACCOUNT', undefined, 1, 10_000);
  const addonsRefreshSeconds =
    int('EKS_ADDONS_REFRESH_SECONDS', EKS_DEFAULTS.addonsRefreshSeconds, 0, 7 * 86_400) ?? 0;

  const nameTemplate = env['EKS_CLUSTER_NAME_TEMPLATE']?.trim() || EKS_DEFAULTS.nameTemplate;
  issues.push(...nameTemplateIssues(nameTemplate));

  if (issues.length > 0) return { issues };
  return {
    config: {
      regions,
      assumeRoleArns,
      includeOwnAccount,
      externalId,
      roleSessionName,
      enrollSelector,
      enrollSelectorText,
      refreshIntervalMs: refreshSeconds * 1000,
      refreshTimeoutMs: refreshTimeoutSeconds * 1000,
      // 0 disables the limit: the registry then serves stale data for as long as a target keeps failing.
      maxStaleMs: maxStaleSeconds * 1000,
      describeConcurrency,
      targetConcurrency,
      callTimeoutMs,
      connectTimeoutMs,
      maxAttempts,
      addonsRefreshMs: addonsRefreshSeconds * 1000,
      maxRpsPerAccount,
      nameTemplate,
    },
  };
}

function nameTemplateIssues(template: string): string[] {
  const issues: string[] = [];
  const known = NAME_PLACEHOLDERS.map((p) => `{${p}}`).join(', ');
  const used = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
  for (const name of used) {
    if (!(NAME_PLACEHOLDERS as readonly string[]).includes(name)) {
      issues.push(
        `EKS_CLUSTER_NAME_TEMPLATE: unknown placeholder {${name}} in "${template}" (known: ${known})`,
      );
    }
  }
  if (/[{}]/.test(template.replace(/\{[^{}]*\}/g, ''))) {
    issues.push(`EKS_CLUSTER_NAME_TEMPLATE: unmatched brace in "${template}"`);
  }
  if (!used.includes('clusterName')) {
    issues.push(
      `EKS_CLUSTER_NAME_TEMPLATE: "${template}" must contain {clusterName} (clusters of one account and region differ only by it)`,
    );
  }
  return issues;
}

function commaList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function pushDuplicates(issues: string[], name: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) issues.push(`${name}: "${v}" is listed twice`);
    seen.add(v);
  }
}
