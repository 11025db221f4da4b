import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { EnvVar } from '../../core/env-vars';
import { boolFromEnv, intFromEnv } from '../../core/env-vars';
import { ConfigError } from '../../core/errors';

/** Registrar settings, parsed once from the environment (see README.md in this folder). */
export interface RegistrarConfig {
  /** Where Argo CD reads cluster Secrets, and where the Lease lives. */
  readonly namespace: string;
  /**
   * Which registrar owns a Secret (label `argocd-eks-plugins/installation`), so two registrars writing to one
   * namespace (two Argo CD instances, a blue/green pair) never prune or overwrite each other's Secrets.
   */
  readonly installationId: string;
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
  installationId: 'default',
  resyncSeconds: 300,
  leaseName: 'argocd-eks-plugins-registrar',
  leaseDurationSeconds: 15,
} as const;

export const SPLIT_DEFAULTS = {
  pollSeconds: 30,
  generatorTimeoutSeconds: 30,
  port: 4356,
  host: '0.0.0.0',
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
    name: 'REGISTRAR_INSTALLATION_ID',
    default: DEFAULTS.installationId,
    description:
      'Which registrar owns a Secret (label `argocd-eks-plugins/installation`): give each of two registrars writing to one namespace its own id. Lowercase letters, digits, `-`.',
  },
  {
    name: 'REGISTRAR_LEASE_NAME',
    default: DEFAULTS.leaseName,
    defaultNote: '`-<id>` appended for another installation id',
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
  {
    name: 'REGISTRAR_GENERATOR_URL',
    defaultNote: '— (required; component: `http://eks-cluster-generator:4355`)',
    description:
      "`registrar` subcommand: the generator's base URL; the fleet is read from `<url>/api/v1/registrar/fleet`.",
  },
  {
    name: 'REGISTRAR_GENERATOR_TOKEN_FILE',
    defaultNote: "— (required; component: the generator's token Secret)",
    description:
      "`registrar` subcommand: file holding the generator's bearer token (re-read on change); the status endpoint requires the same token.",
  },
  {
    name: 'REGISTRAR_POLL_SECONDS',
    default: SPLIT_DEFAULTS.pollSeconds,
    description: '`registrar` subcommand: read the fleet this often, 1–3600.',
  },
  {
    name: 'REGISTRAR_GENERATOR_TIMEOUT_SECONDS',
    default: SPLIT_DEFAULTS.generatorTimeoutSeconds,
    description: '`registrar` subcommand: time limit of one fleet read, 1–600.',
  },
  {
    name: 'REGISTRAR_PORT',
    default: SPLIT_DEFAULTS.port,
    description: '`registrar` subcommand: port of `/healthz`, `/metrics` and `/api/v1/status`.',
  },
  {
    name: 'REGISTRAR_HOST',
    default: SPLIT_DEFAULTS.host,
    description: '`registrar` subcommand: listen address.',
  },
] as const satisfies readonly EnvVar[];

type RegistrarEnvName = (typeof REGISTRAR_ENV_VARS)[number]['name'];

export function parseRegistrarConfig(env: NodeJS.ProcessEnv): RegistrarConfig {
  const issues: string[] = [];

  const namespace = value(env, 'ARGOCD_NAMESPACE') ?? DEFAULTS.namespace;
  if (!DNS_LABEL.test(namespace)) {
    issues.push(`ARGOCD_NAMESPACE: "${namespace}" is not a valid namespace name (RFC 1123 label)`);
  }

  const installationId = value(env, 'REGISTRAR_INSTALLATION_ID') ?? DEFAULTS.installationId;
  // An RFC 1123 label is a valid label value and can also name this installation's Lease.
  if (!DNS_LABEL.test(installationId)) {
    issues.push(
      `REGISTRAR_INSTALLATION_ID: "${installationId}" must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit (it is a label value and part of the Lease name)`,
    );
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
  // Each installation elects its own leader: a shared Lease would leave one of two installations idle.
  const leaseName =
    value(env, 'REGISTRAR_LEASE_NAME') ??
    (installationId === DEFAULTS.installationId
      ? DEFAULTS.leaseName
      : `${DEFAULTS.leaseName}-${installationId}`);
  if (!DNS_SUBDOMAIN.test(leaseName) || leaseName.length > 253) {
    issues.push(
      `REGISTRAR_LEASE_NAME: "${leaseName}" is not a valid object name (RFC 1123 subdomain)`,
    );
  }
  const holder = value(env, 'POD_NAME') ?? value(env, 'HOSTNAME') ?? os.hostname();

  if (issues.length > 0) throw new ConfigError(issues);
  return {
    namespace,
    installationId,
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

/** `true` or `false`, spelled exactly. */
function bool(env: NodeJS.ProcessEnv, key: RegistrarEnvName, issues: string[]): boolean {
  return boolFromEnv(env, key, false, issues, {
    caseSensitive: true,
    problem: (name, raw) => `${name}: expected "true" or "false", got "${raw}"`,
  });
}

/** A number of seconds within [min, max]. */
function int(
  env: NodeJS.ProcessEnv,
  key: RegistrarEnvName,
  fallback: number,
  min: number,
  max: number,
  issues: string[],
): number {
  return intFromEnv(
    env,
    key,
    fallback,
    {
      min,
      max,
      problem: (name, raw) =>
        `${name}: expected an integer from ${min} to ${max} (seconds), got "${raw}"`,
    },
    issues,
  );
}

/** Settings of the registrar run as its own process (`registrar` subcommand), besides RegistrarConfig. */
export interface SplitRegistrarConfig {
  /** The generator's base URL; the fleet is read from `<url>/api/v1/registrar/fleet`. */
  readonly generatorUrl: string;
  /** The generator's bearer token; the status endpoint accepts the same token. */
  readonly tokenFile: string;
  readonly pollSeconds: number;
  readonly generatorTimeoutSeconds: number;
  /** The status, /metrics and /healthz listener. */
  readonly port: number;
  readonly host: string;
}

/** Parses the split-mode settings; returns the issues rather than throwing, so the caller can report all at once. */
export function parseSplitConfig(
  env: NodeJS.ProcessEnv,
): { config: SplitRegistrarConfig; issues: [] } | { config?: undefined; issues: string[] } {
  const issues: string[] = [];
  const generatorUrl = value(env, 'REGISTRAR_GENERATOR_URL');
  if (generatorUrl === undefined) {
    issues.push(
      'REGISTRAR_GENERATOR_URL: not set (the generator service, e.g. http://eks-cluster-generator.argocd.svc:4355)',
    );
  } else if (!isHttpUrl(generatorUrl)) {
    issues.push(`REGISTRAR_GENERATOR_URL: "${generatorUrl}" is not an http(s) URL`);
  }
  const tokenFile = value(env, 'REGISTRAR_GENERATOR_TOKEN_FILE');
  if (tokenFile === undefined) {
    issues.push(
      "REGISTRAR_GENERATOR_TOKEN_FILE: not set (a file holding the generator's bearer token)",
    );
  }
  const pollSeconds = int(
    env,
    'REGISTRAR_POLL_SECONDS',
    SPLIT_DEFAULTS.pollSeconds,
    1,
    3600,
    issues,
  );
  const generatorTimeoutSeconds = int(
    env,
    'REGISTRAR_GENERATOR_TIMEOUT_SECONDS',
    SPLIT_DEFAULTS.generatorTimeoutSeconds,
    1,
    600,
    issues,
  );
  const portText = value(env, 'REGISTRAR_PORT');
  const port = portText === undefined ? SPLIT_DEFAULTS.port : Number(portText);
  if (portText !== undefined && (!/^\d+$/.test(portText) || port > 65535)) {
    issues.push(`REGISTRAR_PORT: expected a port from 0 to 65535, got "${portText}"`);
  }
  const host = value(env, 'REGISTRAR_HOST') ?? SPLIT_DEFAULTS.host;
  if (issues.length > 0 || generatorUrl === undefined || tokenFile === undefined) {
    return { issues };
  }
  return {
    issues: [],
    config: { generatorUrl, tokenFile, pollSeconds, generatorTimeoutSeconds, port, host },
  };
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.search === '' && u.hash === '';
  } catch {
    return false;
  }
}
