import type { LogLevel } from '../core/logger';
import { parseLogLevel } from '../core/logger';
import type { SourceKind } from '../plugins/cluster-sources/source';
import { DEFAULT_BODY_LIMIT_BYTES } from './app';
import { DEFAULT_MAX_BYTES } from './response-cache';

export type TokenConfig =
  | { readonly kind: 'env'; readonly value: string }
  | { readonly kind: 'file'; readonly path: string };

export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  /** Undefined when neither GENERATOR_TOKEN nor GENERATOR_TOKEN_FILE is set (only allowed in --demo). */
  readonly token: TokenConfig | undefined;
  readonly clusterSource: SourceKind;
  /** Undefined: the bundled example fleet. */
  readonly clustersFile: string | undefined;
  readonly fileRefreshIntervalMs: number;
  readonly logLevel: LogLevel;
  readonly bodyLimitBytes: number;
  readonly responseCacheEntries: number;
  readonly responseCacheMaxBytes: number;
  readonly registrarEnabled: boolean;
  readonly shutdownTimeoutMs: number;
  /** A served cluster missing from this many consecutive successful refreshes is dropped. */
  readonly absenceRefreshes: number;
  /** Where the registry keeps what it served (a ConfigMap); undefined: in this process only. */
  readonly stateStore: { readonly namespace: string; readonly configMap: string } | undefined;
}

/** Every environment variable the service reads (besides the EKS source's and the registrar's own), for the README. */
export const SERVICE_ENV = {
  PORT: 'Listen port (0: any free port). Default 4355.',
  HOST: 'Listen address. Default 0.0.0.0.',
  GENERATOR_TOKEN: 'Bearer token Argo CD must send. Set this or GENERATOR_TOKEN_FILE.',
  GENERATOR_TOKEN_FILE:
    'File holding the token (a mounted Secret); re-read when it changes, so rotation needs no restart.',
  CLUSTER_SOURCE: '`file` (default) or `eks` (EKS discovery, see plugins/README.md).',
  CLUSTERS_FILE: 'Fleet file for CLUSTER_SOURCE=file. Default: the bundled example fleet.',
  CLUSTERS_FILE_REFRESH_SECONDS:
    'Full re-read interval of the fleet file (changes are also picked up by watch and a 2 s stat poll). Default 30.',
  LOG_LEVEL: '`debug`, `info` (default), `warn` or `error`.',
  REQUEST_BODY_LIMIT: 'Largest accepted request body: bytes, or with a kb/mb suffix. Default 1mb.',
  RESPONSE_CACHE_ENTRIES: 'Serialized replies kept per snapshot (LRU). Default 256; 0 disables.',
  RESPONSE_CACHE_MAX_BYTES: `Bound on the reply cache in bytes (an integer), counting the plain and gzip bodies of every entry; a reply larger than this is served uncached. Default ${DEFAULT_MAX_BYTES} (96 MiB).`,
  REGISTRAR_ENABLED: '`true` to also register clusters as Argo CD cluster Secrets. Default false.',
  SHUTDOWN_TIMEOUT_SECONDS:
    'On SIGTERM, how long in-flight requests may take before the process exits anyway. Default 10.',
  FLEET_ABSENCE_REFRESHES:
    'A served cluster missing from a successful listing is dropped only after this many consecutive refreshes (an integer, at least 1). Default 2.',
  GENERATOR_STATE_CONFIGMAP:
    'ConfigMap (created by the install) where the registry keeps what it served, shared by the replicas; read and replaced by name only. Unset: kept in the process only.',
  GENERATOR_STATE_NAMESPACE: 'Namespace of GENERATOR_STATE_CONFIGMAP. Default: POD_NAMESPACE.',
  POD_NAMESPACE:
    "The pod's namespace (set by the manifest from the downward API); the default of GENERATOR_STATE_NAMESPACE.",
} as const;

/** Kubernetes object names (RFC 1123 subdomain) and namespaces (RFC 1123 label). */
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function positiveInt(
  env: NodeJS.ProcessEnv,
  key: keyof typeof SERVICE_ENV,
  dflt: number,
  issues: string[],
  opts: { min?: number; max?: number } = {},
): number {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === '') return dflt;
  const min = opts.min ?? 1;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || (opts.max !== undefined && n > opts.max)) {
    issues.push(
      `${key}: "${raw}" must be an integer ${opts.max !== undefined ? `from ${min} to ${opts.max}` : `of at least ${min}`}`,
    );
    return dflt;
  }
  return n;
}

/** Parses `1048576`, `512kb`, `1mb`, `1MiB` into bytes. */
export function parseByteSize(raw: string): number | undefined {
  const m = /^(\d+)\s*(b|kb|kib|k|mb|mib|m)?$/i.exec(raw.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return n * factor;
}

function bool(env: NodeJS.ProcessEnv, key: keyof typeof SERVICE_ENV, issues: string[]): boolean {
  const raw = env[key]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  issues.push(`${key}: "${env[key]}" must be true or false`);
  return false;
}

/** Reads the service configuration from the environment; every problem is reported at once. */
export function loadServiceConfig(
  env: NodeJS.ProcessEnv,
): { config: ServiceConfig } | { issues: string[] } {
  const issues: string[] = [];
  const port = positiveInt(env, 'PORT', 4355, issues, { min: 0, max: 65535 });
  const host = env['HOST']?.trim() || '0.0.0.0';

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

  const sourceRaw = env['CLUSTER_SOURCE']?.trim() || 'file';
  let clusterSource: SourceKind = 'file';
  if (sourceRaw === 'file' || sourceRaw === 'eks') clusterSource = sourceRaw;
  else issues.push(`CLUSTER_SOURCE: "${sourceRaw}" must be file or eks`);
  const clustersFile = env['CLUSTERS_FILE']?.trim() || undefined;
  if (clustersFile !== undefined && clusterSource !== 'file') {
    issues.push(
      'CLUSTERS_FILE: only used with CLUSTER_SOURCE=file; unset it or set CLUSTER_SOURCE=file',
    );
  }
  const fileRefreshSeconds = positiveInt(env, 'CLUSTERS_FILE_REFRESH_SECONDS', 30, issues);

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
  const responseCacheEntries = positiveInt(env, 'RESPONSE_CACHE_ENTRIES', 256, issues, { min: 0 });
  const responseCacheMaxBytes = positiveInt(
    env,
    'RESPONSE_CACHE_MAX_BYTES',
    DEFAULT_MAX_BYTES,
    issues,
  );
  const registrarEnabled = bool(env, 'REGISTRAR_ENABLED', issues);
  const shutdownSeconds = positiveInt(env, 'SHUTDOWN_TIMEOUT_SECONDS', 10, issues);
  const absenceRefreshes = positiveInt(env, 'FLEET_ABSENCE_REFRESHES', 2, issues);
  const stateStore = stateStoreConfig(env, issues);

  if (issues.length > 0) return { issues };
  return {
    config: Object.freeze({
      port,
      host,
      token,
      clusterSource,
      clustersFile,
      fileRefreshIntervalMs: fileRefreshSeconds * 1000,
      logLevel: logLevel ?? 'info',
      bodyLimitBytes,
      responseCacheEntries,
      responseCacheMaxBytes,
      registrarEnabled,
      shutdownTimeoutMs: shutdownSeconds * 1000,
      absenceRefreshes,
      stateStore,
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
