import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { EnvVar } from '../../core/env-vars';
import { ConfigError } from '../../core/errors';

/** Registrar settings, parsed once from the environment (see README.md in this folder). */
export interface RegistrarConfig {
  /** Where Argo CD reads cluster Secrets, and where the Lease lives. */
  readonly namespace: string;
  /** `awsAuthConfig.roleARN`, possibly holding `{{accountId}}`; undefined → no roleARN (pod identity). */
  readonly roleArnTemplate: string | undefined;
  readonly prune: boolean;
  readonly dryRun: boolean;
  /** Drift repair: reconcile at least this often even without a new snapshot. */
  readonly resyncSeconds: number;
  readonly lease: {
    readonly name: string;
    readonly durationSeconds: number;
    /** Unique per process: pod name (or host name) plus a random suffix, so a restarted pod is a new holder. */
    readonly identity: string;
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

export const DEFAULTS = {
  namespace: 'argocd',
  resyncSeconds: 300,
  leaseName: 'argocd-eks-plugins-registrar',
  leaseDurationSeconds: 15,
} as const;

/** The variables parseRegistrarConfig reads, for the configuration reference and --help. */
export const REGISTRAR_ENV_VARS = [
  {
    name: 'ARGOCD_NAMESPACE',
    default: DEFAULTS.namespace,
    defaultNote: "install: the Pod's namespace",
    description:
      'Where cluster Secrets and the Lease live (Deployment env, from the downward API).',
  },
  {
    name: 'REGISTRAR_ROLE_ARN',
    defaultNote: "— (no `roleARN`: Argo CD's own credentials)",
    description:
      '`awsAuthConfig.roleARN` of each cluster Secret; may hold `{{accountId}}`, e.g. `arn:aws:iam::{{accountId}}:role/argocd-deployer`.',
  },
  {
    name: 'REGISTRAR_PRUNE',
    default: false,
    description:
      'Delete an owned Secret when its cluster left the fleet after a successful listing (never on a fault).',
  },
  {
    name: 'REGISTRAR_DRY_RUN',
    default: false,
    description: 'Log the plan, write nothing.',
  },
  {
    name: 'REGISTRAR_RESYNC_SECONDS',
    default: DEFAULTS.resyncSeconds,
    description: 'Reconcile at least this often (drift repair), 5–86400.',
  },
  {
    name: 'REGISTRAR_LEASE_NAME',
    default: DEFAULTS.leaseName,
    description: 'Leader-election Lease (coordination.k8s.io/v1).',
  },
  {
    name: 'REGISTRAR_LEASE_DURATION_SECONDS',
    default: DEFAULTS.leaseDurationSeconds,
    description: 'Lease duration, 3–3600.',
  },
  {
    name: 'POD_NAME',
    defaultNote: "install: the Pod's name",
    description: 'Leader identity (falls back to `HOSTNAME`).',
  },
] as const satisfies readonly EnvVar[];

export function parseRegistrarConfig(env: NodeJS.ProcessEnv): RegistrarConfig {
  const issues: string[] = [];

  const namespace = value(env, 'ARGOCD_NAMESPACE') ?? DEFAULTS.namespace;
  if (!DNS_LABEL.test(namespace)) {
    issues.push(`ARGOCD_NAMESPACE: "${namespace}" is not a valid namespace name (RFC 1123 label)`);
  }

  const roleArnTemplate = value(env, 'REGISTRAR_ROLE_ARN');
  if (roleArnTemplate !== undefined) {
    const unknown = [...roleArnTemplate.matchAll(PLACEHOLDER)]
      .map((m) => m[1] ?? '')
      .filter((p) => p !== 'accountId');
    if (unknown.length > 0) {
      issues.push(
        `REGISTRAR_ROLE_ARN: unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(', ')} (only {{accountId}} is supported)`,
      );
    } else if (!ROLE_ARN.test(roleArnFor(roleArnTemplate, '123456789012'))) {
      issues.push(
        `REGISTRAR_ROLE_ARN: "${roleArnTemplate}" is not an IAM role ARN (arn:aws:iam::<account id or {{accountId}}>:role/<name>)`,
      );
    }
  }

  const prune = bool(env, 'REGISTRAR_PRUNE', issues);
  const dryRun = bool(env, 'REGISTRAR_DRY_RUN', issues);
  const resyncSeconds = int(
    env,
    'REGISTRAR_RESYNC_SECONDS',
    DEFAULTS.resyncSeconds,
    5,
    86400,
    issues,
  );
  const durationSeconds = int(
    env,
    'REGISTRAR_LEASE_DURATION_SECONDS',
    DEFAULTS.leaseDurationSeconds,
    3,
    3600,
    issues,
  );
  const leaseName = value(env, 'REGISTRAR_LEASE_NAME') ?? DEFAULTS.leaseName;
  if (!DNS_SUBDOMAIN.test(leaseName) || leaseName.length > 253) {
    issues.push(
      `REGISTRAR_LEASE_NAME: "${leaseName}" is not a valid object name (RFC 1123 subdomain)`,
    );
  }
  const holder = value(env, 'POD_NAME') ?? value(env, 'HOSTNAME') ?? os.hostname();

  if (issues.length > 0) throw new ConfigError(issues);
  return {
    namespace,
    roleArnTemplate,
    prune,
    dryRun,
    resyncSeconds,
    lease: {
      name: leaseName,
      durationSeconds,
      identity: `${holder}_${randomBytes(4).toString('hex')}`,
    },
  };
}

/** Fills `{{accountId}}` in the role ARN template. */
export function roleArnFor(template: string, accountId: string): string {
  return template.replace(PLACEHOLDER, () => accountId);
}

function value(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const v = env[key]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function bool(env: NodeJS.ProcessEnv, key: string, issues: string[]): boolean {
  const v = value(env, key);
  if (v === undefined) return false;
  if (v === 'true') return true;
  if (v === 'false') return false;
  issues.push(`${key}: expected "true" or "false", got "${v}"`);
  return false;
}

function int(
  env: NodeJS.ProcessEnv,
  key: string,
  fallback: number,
  min: number,
  max: number,
  issues: string[],
): number {
  const v = value(env, key);
  if (v === undefined) return fallback;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    issues.push(`${key}: expected an integer from ${min} to ${max} (seconds), got "${v}"`);
    return fallback;
  }
  return n;
}
