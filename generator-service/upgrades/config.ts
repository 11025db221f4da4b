import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { EnvVar } from '../../core/env-vars';
import { intFromEnv } from '../../core/env-vars';
import { ConfigError } from '../../core/errors';

/** Upgrade controller settings (`upgrade-controller` subcommand), parsed once from the environment. */
export interface UpgradeControllerConfig {
  /** Where the ClusterUpgrades, Applications, ApplicationSets and the Lease live: Argo CD's namespace. */
  readonly namespace: string;
  readonly generatorUrl: string;
  readonly tokenFile: string;
  /** The plugin ConfigMap of this generator, as ApplicationSets name it in `configMapRef`. */
  readonly generatorConfigMap: string;
  readonly prometheusUrl: string | undefined;
  readonly roleArnTemplate: string | undefined;
  readonly resyncSeconds: number;
  readonly callTimeoutSeconds: number;
  readonly port: number;
  readonly host: string;
  readonly lease: {
    readonly name: string;
    readonly durationSeconds: number;
    readonly identity: string;
  };
}

export const UPGRADE_DEFAULTS = {
  namespace: 'argocd',
  generatorConfigMap: 'eks-cluster-generator',
  resyncSeconds: 15,
  callTimeoutSeconds: 30,
  port: 4357,
  host: '0.0.0.0',
  leaseName: 'argocd-eks-plugins-upgrade-controller',
  leaseDurationSeconds: 15,
} as const;

/** The variables parseUpgradeControllerConfig reads, for the configuration reference. */
export const UPGRADE_ENV_VARS = [
  {
    name: 'UPGRADE_GENERATOR_URL',
    defaultNote: '— (required; component: `http://eks-cluster-generator:4355`)',
    description:
      "`upgrade-controller` subcommand: the generator's base URL; the pair and the served weights are read with getparams.",
  },
  {
    name: 'UPGRADE_GENERATOR_TOKEN_FILE',
    defaultNote: "— (required; component: the generator's token Secret)",
    description:
      "`upgrade-controller`: file holding the generator's bearer token (re-read on change); the status endpoint requires it too.",
  },
  {
    name: 'UPGRADE_GENERATOR_CONFIGMAP',
    default: UPGRADE_DEFAULTS.generatorConfigMap,
    description:
      '`upgrade-controller`: the plugin ConfigMap of this generator; only ApplicationSets whose plugin generator names it are refreshed.',
  },
  {
    name: 'UPGRADE_PROMETHEUS_URL',
    defaultNote: '— (Prometheus gates must then give `url`)',
    description: '`upgrade-controller`: Prometheus (HTTP API) the gates query.',
  },
  {
    name: 'UPGRADE_ROLE_ARN',
    defaultNote: "— (the Pod's own identity in every account)",
    description:
      '`upgrade-controller`: role assumed to tag and read add-ons of a cluster; may hold `{{accountId}}`.',
  },
  {
    name: 'UPGRADE_RESYNC_SECONDS',
    default: UPGRADE_DEFAULTS.resyncSeconds,
    description: '`upgrade-controller`: reconcile every upgrade this often, 1–3600.',
  },
  {
    name: 'UPGRADE_CALL_TIMEOUT_SECONDS',
    default: UPGRADE_DEFAULTS.callTimeoutSeconds,
    description:
      '`upgrade-controller`: time limit of one generator, Prometheus or EKS call, 1–600.',
  },
  {
    name: 'UPGRADE_LEASE_NAME',
    default: UPGRADE_DEFAULTS.leaseName,
    description: '`upgrade-controller`: leader-election Lease (coordination.k8s.io/v1).',
  },
  {
    name: 'UPGRADE_LEASE_DURATION_SECONDS',
    default: UPGRADE_DEFAULTS.leaseDurationSeconds,
    description: '`upgrade-controller`: Lease duration, 3–3600.',
  },
  {
    name: 'UPGRADE_PORT',
    default: UPGRADE_DEFAULTS.port,
    description: '`upgrade-controller`: port of `/healthz`, `/metrics` and `/api/v1/status`.',
  },
  {
    name: 'UPGRADE_HOST',
    default: UPGRADE_DEFAULTS.host,
    description: '`upgrade-controller`: listen address.',
  },
] as const satisfies readonly EnvVar[];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Every problem at once, as ConfigError. */
export function parseUpgradeControllerConfig(env: NodeJS.ProcessEnv): UpgradeControllerConfig {
  const issues: string[] = [];
  const value = (k: string) => {
    const v = env[k]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const namespace = value('ARGOCD_NAMESPACE') ?? UPGRADE_DEFAULTS.namespace;
  if (!DNS_LABEL.test(namespace)) {
    issues.push(`ARGOCD_NAMESPACE: "${namespace}" is not a valid namespace name (RFC 1123 label)`);
  }
  const generatorUrl = value('UPGRADE_GENERATOR_URL');
  if (generatorUrl === undefined) {
    issues.push(
      'UPGRADE_GENERATOR_URL: not set (the generator service, e.g. http://eks-cluster-generator.argocd.svc:4355)',
    );
  } else if (!isHttpUrl(generatorUrl)) {
    issues.push(`UPGRADE_GENERATOR_URL: "${generatorUrl}" is not an http(s) URL`);
  }
  const tokenFile = value('UPGRADE_GENERATOR_TOKEN_FILE');
  if (tokenFile === undefined) {
    issues.push(
      "UPGRADE_GENERATOR_TOKEN_FILE: not set (a file holding the generator's bearer token)",
    );
  }
  const generatorConfigMap =
    value('UPGRADE_GENERATOR_CONFIGMAP') ?? UPGRADE_DEFAULTS.generatorConfigMap;
  if (!DNS_SUBDOMAIN.test(generatorConfigMap)) {
    issues.push(`UPGRADE_GENERATOR_CONFIGMAP: "${generatorConfigMap}" is not a valid object name`);
  }
  const prometheusUrl = value('UPGRADE_PROMETHEUS_URL');
  if (prometheusUrl !== undefined && !isHttpUrl(prometheusUrl)) {
    issues.push(`UPGRADE_PROMETHEUS_URL: "${prometheusUrl}" is not an http(s) URL`);
  }
  const roleArnTemplate = value('UPGRADE_ROLE_ARN');
  if (
    roleArnTemplate !== undefined &&
    !ROLE_ARN.test(roleArnTemplate.replace(/\{\{\s*accountId\s*\}\}/g, '123456789012'))
  ) {
    issues.push(
      `UPGRADE_ROLE_ARN: "${roleArnTemplate}" is not an IAM role ARN (arn:aws:iam::<account id or {{accountId}}>:role/<name>)`,
    );
  }
  const seconds = (name: string, fallback: number, min: number, max: number) =>
    intFromEnv(
      env,
      name,
      fallback,
      {
        min,
        max,
        problem: (n, raw) =>
          `${n}: expected an integer from ${min} to ${max} (seconds), got "${raw}"`,
      },
      issues,
    );
  const resyncSeconds = seconds('UPGRADE_RESYNC_SECONDS', UPGRADE_DEFAULTS.resyncSeconds, 1, 3600);
  const callTimeoutSeconds = seconds(
    'UPGRADE_CALL_TIMEOUT_SECONDS',
    UPGRADE_DEFAULTS.callTimeoutSeconds,
    1,
    600,
  );
  const durationSeconds = seconds(
    'UPGRADE_LEASE_DURATION_SECONDS',
    UPGRADE_DEFAULTS.leaseDurationSeconds,
    3,
    3600,
  );
  const port = intFromEnv(
    env,
    'UPGRADE_PORT',
    UPGRADE_DEFAULTS.port,
    {
      min: 0,
      max: 65535,
      problem: (n, raw) => `${n}: expected a port from 0 to 65535, got "${raw}"`,
    },
    issues,
  );
  const host = value('UPGRADE_HOST') ?? UPGRADE_DEFAULTS.host;
  const leaseName = value('UPGRADE_LEASE_NAME') ?? UPGRADE_DEFAULTS.leaseName;
  if (!DNS_SUBDOMAIN.test(leaseName) || leaseName.length > 253) {
    issues.push(
      `UPGRADE_LEASE_NAME: "${leaseName}" is not a valid object name (RFC 1123 subdomain)`,
    );
  }
  const holder = value('POD_NAME') ?? value('HOSTNAME') ?? os.hostname();
  if (issues.length > 0 || generatorUrl === undefined || tokenFile === undefined) {
    throw new ConfigError(issues);
  }
  return {
    namespace,
    generatorUrl,
    tokenFile,
    generatorConfigMap,
    prometheusUrl,
    roleArnTemplate,
    resyncSeconds,
    callTimeoutSeconds,
    port,
    host,
    lease: {
      name: leaseName,
      durationSeconds,
      identity: `${holder}_${randomBytes(4).toString('hex')}`,
    },
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
