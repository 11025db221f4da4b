import type { EnvVar, IntRange } from '../core/env-vars';
import { boolFromEnv, intFromEnv } from '../core/env-vars';
import type { LogLevel } from '../core/logger';
import { parseLogLevel } from '../core/logger';
import {
  CLUSTER_SOURCES,
  defaultSourceKind,
  type SourceKind,
  type SourceRegistry,
} from '../plugins/cluster-sources';
import { DEFAULT_BODY_LIMIT_BYTES } from './app';
import { DEFAULT_MAX_BYTES } from './http/response-cache';
import { loadFleetViewConfig, type FleetViewConfig } from './fleet-view/config';

export type TokenConfig =
  | { readonly kind: 'env'; readonly value: string }
  | { readonly kind: 'file'; readonly path: string };

export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  /** Undefined when neither GENERATOR_TOKEN nor GENERATOR_TOKEN_FILE is set (only allowed in --demo). */
  readonly token: TokenConfig | undefined;
  /** A key of the cluster source registry; the source reads its own settings when it is built. */
  readonly clusterSource: SourceKind;
  readonly logLevel: LogLevel;
  readonly bodyLimitBytes: number;
  readonly responseCacheEntries: number;
  readonly responseCacheMaxBytes: number;
  readonly registrarEnabled: boolean;
  readonly shutdownTimeoutMs: number;
  /** A served cluster missing from this many consecutive successful listings of its part is dropped. */
  readonly absenceRefreshes: number;
  /** Where the registry keeps what it served (a ConfigMap); undefined: in this process only. */
  readonly stateStore: { readonly namespace: string; readonly configMap: string } | undefined;
  /** The fleet view (FLEET_VIEW=true), on its own port; undefined when off. */
  readonly fleetView: FleetViewConfig | undefined;
}

export const SERVICE_DEFAULTS = {
  port: 4355,
  host: '0.0.0.0',
  /** --demo listens on loopback only unless HOST is set: a demo token is printed on the terminal. */
  demoHost: '127.0.0.1',
  clusterSource: defaultSourceKind(),
  logLevel: 'info',
  bodyLimit: `${DEFAULT_BODY_LIMIT_BYTES / 2 ** 20}mb`,
  responseCacheEntries: 256,
  responseCacheMaxBytes: DEFAULT_MAX_BYTES,
  shutdownTimeoutSeconds: 10,
  absenceRefreshes: 2,
} as const;

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** CLUSTER_SOURCE's description, listing the registered sources. */
function clusterSourceDescription(sources: SourceRegistry): string {
  const choices = Object.values(sources).map((m) => `\`${m.kind}\` (${m.summary})`);
  return `${orList(choices)}; each one's settings are listed under its name. One of them must be configured.`;
}

/** Every environment variable the service reads (besides the cluster sources' and the registrar's own). */
export const SERVICE_ENV_VARS = [
  {
    name: 'PORT',
    default: SERVICE_DEFAULTS.port,
    description:
      "Listen port (keep equal to the container port and the plugin ConfigMap's `baseUrl`); `0`: any free port.",
  },
  {
    name: 'HOST',
    default: SERVICE_DEFAULTS.host,
    defaultNote: `\`${SERVICE_DEFAULTS.demoHost}\` with \`--demo\``,
    description: 'Listen address.',
  },
  {
    name: 'GENERATOR_TOKEN_FILE',
    defaultNote: 'install: `/var/run/eks-cluster-generator/token` (Deployment env)',
    description:
      'File holding the bearer token (the mounted Secret), re-read when it changes, so rotation needs no restart. Set this or `GENERATOR_TOKEN`.',
  },
  {
    name: 'GENERATOR_TOKEN',
    description:
      'The token itself (local use; prefer the file). Setting both is an error; with neither, only `--demo` starts (with a generated token).',
  },
  {
    name: 'CLUSTER_SOURCE',
    default: SERVICE_DEFAULTS.clusterSource,
    description: clusterSourceDescription(CLUSTER_SOURCES),
  },
  {
    name: 'LOG_LEVEL',
    default: SERVICE_DEFAULTS.logLevel,
    description: '`debug`, `info`, `warn`, `error`. JSON lines on stdout; never the token.',
  },
  {
    name: 'REQUEST_BODY_LIMIT',
    default: SERVICE_DEFAULTS.bodyLimit,
    description: 'Largest accepted request body (bytes or `kb`/`mb`), at least 1kb.',
  },
  {
    name: 'RESPONSE_CACHE_ENTRIES',
    default: SERVICE_DEFAULTS.responseCacheEntries,
    description: 'Serialized replies kept per fleet snapshot (LRU); `0` disables.',
  },
  {
    name: 'RESPONSE_CACHE_MAX_BYTES',
    default: SERVICE_DEFAULTS.responseCacheMaxBytes,
    defaultNote: `${SERVICE_DEFAULTS.responseCacheMaxBytes / 2 ** 20} MiB`,
    description:
      'Bound on the reply cache in bytes (an integer, at least 1), counting the plain and gzip bodies of every entry; a larger reply is served uncached.',
  },
  {
    name: 'SHUTDOWN_TIMEOUT_SECONDS',
    default: SERVICE_DEFAULTS.shutdownTimeoutSeconds,
    description: 'On SIGTERM, how long in-flight requests may run before exit.',
  },
  {
    name: 'REGISTRAR_ENABLED',
    default: false,
    description: '`true`: also write Argo CD cluster Secrets for the fleet (below).',
  },
  {
    name: 'FLEET_ABSENCE_REFRESHES',
    default: SERVICE_DEFAULTS.absenceRefreshes,
    description:
      'A served cluster missing from a successful listing (any source) is dropped only after this many consecutive successful listings of its part (its account and region for EKS, the file for a fleet file; a refresh in which that part failed does not count) (an integer, at least 1; `1` drops it at its first absence, without protection against one odd listing).',
  },
  {
    name: 'GENERATOR_STATE_CONFIGMAP',
    defaultNote:
      '— (kept in the process only; install: `eks-cluster-generator-state`, Deployment env)',
    description:
      'ConfigMap (created by the install) where the replicas keep what must outlive a Pod (clusters served, absence counts, last good parameters of retained or quarantined clusters); `get`/`update` by name only.',
  },
  {
    name: 'GENERATOR_STATE_NAMESPACE',
    defaultNote: '`POD_NAMESPACE`',
    description: 'Namespace of `GENERATOR_STATE_CONFIGMAP`.',
  },
  {
    name: 'POD_NAMESPACE',
    defaultNote: "install: the Pod's namespace (downward API)",
    description: 'The default of `GENERATOR_STATE_NAMESPACE`.',
  },
] as const satisfies readonly EnvVar[];

type ServiceEnvName = (typeof SERVICE_ENV_VARS)[number]['name'];

/** SERVICE_ENV_VARS as they read with another source registry (tests that register a source of their own). */
export function serviceEnvVars(sources: SourceRegistry = CLUSTER_SOURCES): readonly EnvVar[] {
  return SERVICE_ENV_VARS.map((v) =>
    v.name === 'CLUSTER_SOURCE'
      ? {
          ...v,
          default: defaultSourceKind(sources),
          description: clusterSourceDescription(sources),
        }
      : v,
  );
}

/** Kubernetes object names (RFC 1123 subdomain) and namespaces (RFC 1123 label). */
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Parses `1048576`, `512kb`, `1mb`, `1MiB` into bytes. */
export function parseByteSize(raw: string): number | undefined {
  const m = /^(\d+)\s*(b|kb|kib|k|mb|mib|m)?$/i.exec(raw.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return n * factor;
}

/**
 * Reads the service configuration from the environment; every problem is reported at once, the cluster sources'
 * start-up checks included. `demo` (the --demo flag) lets a source start unconfigured (the file source serves the
 * bundled example fleet) and listens on loopback unless HOST is set.
 */
export function loadServiceConfig(
  env: NodeJS.ProcessEnv,
  opts: { readonly demo?: boolean; readonly sources?: SourceRegistry } = {},
): { config: ServiceConfig } | { issues: string[] } {
  const demo = opts.demo ?? false;
  const sources = opts.sources ?? CLUSTER_SOURCES;
  const issues: string[] = [];
  // The descriptors' names only, so a variable read here is one `--help` and the docs describe.
  const int = (key: ServiceEnvName, dflt: number, range: IntRange = { min: 1 }) =>
    intFromEnv(env, key, dflt, range, issues);
  const port = int('PORT', SERVICE_DEFAULTS.port, { min: 0, max: 65535 });
  const host = env['HOST']?.trim() || (demo ? SERVICE_DEFAULTS.demoHost : SERVICE_DEFAULTS.host);

  const tokenValue = env['GENERATOR_TOKEN'];
  const tokenFile = env['GENERATOR_TOKEN_FILE']?.trim();
  let token: TokenConfig | undefined;
  if (tokenValue !== undefined && tokenValue !== '' && tokenFile) {
    issues.push('GENERATOR_TOKEN and GENERATOR_TOKEN_FILE are both set; set only one');
  } else if (tokenFile) {
    token = { kind: 'file', path: tokenFile };
  } else if (tokenValue !== undefined && tokenValue !== '') {
    if (tokenValue.trim() === '') issues.push('GENERATOR_TOKEN: is only whitespace');
    else token = { kind: 'env', value: tokenValue.trim() };
  }

  const kinds = Object.keys(sources);
  const defaultKind = defaultSourceKind(sources);
  const sourceRaw = env['CLUSTER_SOURCE']?.trim() || defaultKind;
  let clusterSource: SourceKind = defaultKind;
  if (kinds.includes(sourceRaw)) clusterSource = sourceRaw;
  else issues.push(`CLUSTER_SOURCE: "${sourceRaw}" must be ${orList(kinds)}`);
  for (const module of Object.values(sources)) {
    issues.push(
      ...(module.checkEnv?.(env, { selected: module.kind === clusterSource, demo }) ?? []),
    );
  }

  const logLevel = parseLogLevel(env['LOG_LEVEL']?.trim());
  if (logLevel === undefined)
    issues.push(`LOG_LEVEL: "${env['LOG_LEVEL']}" must be debug, info, warn or error`);

  let bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES;
  const limitRaw = env['REQUEST_BODY_LIMIT']?.trim();
  if (limitRaw) {
    const n = parseByteSize(limitRaw);
    if (n === undefined || n < 1024) {
      issues.push(
        `REQUEST_BODY_LIMIT: "${limitRaw}" must be a size of at least 1kb, e.g. 1048576, 512kb or 1mb`,
      );
    } else {
      bodyLimitBytes = n;
    }
  }
  const responseCacheEntries = int(
    'RESPONSE_CACHE_ENTRIES',
    SERVICE_DEFAULTS.responseCacheEntries,
    { min: 0 },
  );
  const responseCacheMaxBytes = int(
    'RESPONSE_CACHE_MAX_BYTES',
    SERVICE_DEFAULTS.responseCacheMaxBytes,
  );
  const registrarEnabled = boolFromEnv(
    env,
    'REGISTRAR_ENABLED' satisfies ServiceEnvName,
    false,
    issues,
    { digits: true },
  );
  const shutdownSeconds = int('SHUTDOWN_TIMEOUT_SECONDS', SERVICE_DEFAULTS.shutdownTimeoutSeconds);
  const absenceRefreshes = int('FLEET_ABSENCE_REFRESHES', SERVICE_DEFAULTS.absenceRefreshes);
  const stateStore = stateStoreConfig(env, issues);
  const fleetView = loadFleetViewConfig(env, { port, host }, issues);

  if (issues.length > 0) return { issues };
  return {
    config: Object.freeze({
      port,
      host,
      token,
      clusterSource,
      logLevel: logLevel ?? 'info',
      bodyLimitBytes,
      responseCacheEntries,
      responseCacheMaxBytes,
      registrarEnabled,
      shutdownTimeoutMs: shutdownSeconds * 1000,
      absenceRefreshes,
      stateStore,
      fleetView,
    }),
  };
}

function stateStoreConfig(env: NodeJS.ProcessEnv, issues: string[]): ServiceConfig['stateStore'] {
  const configMap = env['GENERATOR_STATE_CONFIGMAP']?.trim() || undefined;
  const explicitNamespace = env['GENERATOR_STATE_NAMESPACE']?.trim() || undefined;
  const namespace = explicitNamespace ?? (env['POD_NAMESPACE']?.trim() || undefined);
  if (configMap === undefined) {
    if (explicitNamespace !== undefined) {
      issues.push('GENERATOR_STATE_NAMESPACE: set, but GENERATOR_STATE_CONFIGMAP is not');
    }
    return undefined;
  }
  let ok = true;
  if (!DNS_SUBDOMAIN.test(configMap)) {
    issues.push(
      `GENERATOR_STATE_CONFIGMAP: "${configMap}" is not a valid ConfigMap name (RFC 1123 subdomain)`,
    );
    ok = false;
  }
  if (namespace === undefined) {
    issues.push(
      'GENERATOR_STATE_NAMESPACE: required with GENERATOR_STATE_CONFIGMAP (or POD_NAMESPACE, which the manifest sets)',
    );
    ok = false;
  } else if (!DNS_LABEL.test(namespace)) {
    const key = explicitNamespace !== undefined ? 'GENERATOR_STATE_NAMESPACE' : 'POD_NAMESPACE';
    issues.push(`${key}: "${namespace}" is not a valid namespace name (RFC 1123 label)`);
    ok = false;
  }
  return ok && namespace !== undefined ? { namespace, configMap } : undefined;
}
