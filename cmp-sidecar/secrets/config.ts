import { ConfigError } from '../../core/errors';
import { CONFIG_FILE } from '../render/config-file';
import type { StageConfig } from '../render/stages';
import type { SourceRef } from '../render/types';

/**
 * The `secrets:` section of eks-overlay.yaml, validated. Strings may use the cluster context (`{{cluster.aws.region}}`);
 * they are rendered when a render runs, not here.
 *
 *   secrets:
 *     mode: externalSecret            # default; or inline
 *     store: {kind: ClusterSecretStore, name: "aws-sm-{{cluster.aws.region}}"}
 *     refreshInterval: 1h
 *     clusterSecretStore:             # optional: also emit the store
 *       region: "{{cluster.aws.region}}"
 *       role: arn:aws:iam::111122223333:role/eso-reader
 *       serviceAccountRef: {name: external-secrets, namespace: external-secrets}
 *     inline: {region: ..., requestTimeoutMs: 5000, maxAttempts: 3, deadlineMs: 30000}
 */
export type SecretsMode = 'externalSecret' | 'inline';

export interface StoreRef {
  readonly kind: 'ClusterSecretStore' | 'SecretStore';
  readonly name: string;
}

export interface ClusterSecretStoreConfig {
  readonly region: string | undefined;
  readonly role: string | undefined;
  readonly serviceAccountRef:
    | { readonly name: string; readonly namespace: string; readonly audiences?: readonly string[] }
    | undefined;
}

export interface InlineConfig {
  readonly region: string | undefined;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  readonly deadlineMs: number;
}

export interface SecretsConfig {
  readonly mode: SecretsMode;
  readonly store: StoreRef | undefined;
  readonly refreshInterval: string;
  readonly clusterSecretStore: ClusterSecretStoreConfig | undefined;
  readonly inline: InlineConfig;
}

export const DEFAULT_INLINE: InlineConfig = {
  region: undefined,
  requestTimeoutMs: 5000,
  maxAttempts: 3,
  deadlineMs: 30000,
};

const TOP_KEYS = ['mode', 'store', 'refreshInterval', 'clusterSecretStore', 'inline'];

/** Validates the raw section; `where` is `eks-overlay.yaml:12` (the line of `secrets:`). Lists every problem. */
export function parseSecretsConfig(raw: unknown, where: string): SecretsConfig {
  const issues: string[] = [];
  const at = (key: string, msg: string) => issues.push(`${where}: secrets.${key} ${msg}`);
  const section = raw ?? {};
  if (!isPlainObject(section)) throw new ConfigError([`${where}: secrets must be a map`]);
  for (const k of Object.keys(section))
    if (!TOP_KEYS.includes(k)) at(k, `is not a known key (allowed: ${TOP_KEYS.join(', ')})`);

  let mode: SecretsMode = 'externalSecret';
  const rawMode = section['mode'];
  if (rawMode !== undefined) {
    if (rawMode === 'externalSecret' || rawMode === 'inline') mode = rawMode;
    else at('mode', 'must be "externalSecret" or "inline"');
  }

  let store: StoreRef | undefined;
  const rawStore = section['store'];
  if (rawStore !== undefined) {
    if (!isPlainObject(rawStore)) at('store', 'must be a map {kind, name}');
    else {
      for (const k of Object.keys(rawStore))
        if (k !== 'kind' && k !== 'name') at(`store.${k}`, 'is not a known key (kind, name)');
      const kind = rawStore['kind'] ?? 'ClusterSecretStore';
      const name = rawStore['name'];
      if (kind !== 'ClusterSecretStore' && kind !== 'SecretStore')
        at('store.kind', 'must be ClusterSecretStore or SecretStore');
      if (typeof name !== 'string' || name.trim() === '')
        at('store.name', 'must be a non-empty string');
      else store = { kind: kind as StoreRef['kind'], name };
    }
  }

  let refreshInterval = '1h';
  const rawRefresh = section['refreshInterval'];
  if (rawRefresh !== undefined) {
    if (typeof rawRefresh === 'string' && /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(rawRefresh))
      refreshInterval = rawRefresh;
    else at('refreshInterval', 'must be a Go duration such as "1h" or "15m"');
  }

  let clusterSecretStore: ClusterSecretStoreConfig | undefined;
  const rawCss = section['clusterSecretStore'];
  if (rawCss !== undefined && rawCss !== false) {
    const css = rawCss === true ? {} : rawCss;
    if (!isPlainObject(css)) at('clusterSecretStore', 'must be true or a map');
    else {
      for (const k of Object.keys(css))
        if (!['region', 'role', 'serviceAccountRef'].includes(k))
          at(`clusterSecretStore.${k}`, 'is not a known key (region, role, serviceAccountRef)');
      const region = optionalString(css['region'], 'clusterSecretStore.region', at);
      const role = optionalString(css['role'], 'clusterSecretStore.role', at);
      let serviceAccountRef: ClusterSecretStoreConfig['serviceAccountRef'];
      const sa = css['serviceAccountRef'];
      if (sa !== undefined) {
        if (
          !isPlainObject(sa) ||
          typeof sa['name'] !== 'string' ||
          typeof sa['namespace'] !== 'string'
        )
          at(
            'clusterSecretStore.serviceAccountRef',
            'must be {name, namespace, audiences?} (a ClusterSecretStore needs the namespace)',
          );
        else {
          const audiences = sa['audiences'];
          if (
            audiences !== undefined &&
            !(Array.isArray(audiences) && audiences.every((a) => typeof a === 'string'))
          )
            at('clusterSecretStore.serviceAccountRef.audiences', 'must be a list of strings');
          serviceAccountRef = {
            name: sa['name'],
            namespace: sa['namespace'],
            ...(Array.isArray(audiences) ? { audiences: audiences as string[] } : {}),
          };
        }
      }
      clusterSecretStore = { region, role, serviceAccountRef };
      if (store !== undefined && store.kind !== 'ClusterSecretStore')
        at('clusterSecretStore', 'needs store.kind ClusterSecretStore (it emits that store)');
    }
  }

  let inline: InlineConfig = DEFAULT_INLINE;
  const rawInline = section['inline'];
  if (rawInline !== undefined) {
    if (!isPlainObject(rawInline)) at('inline', 'must be a map');
    else {
      for (const k of Object.keys(rawInline))
        if (!['region', 'requestTimeoutMs', 'maxAttempts', 'deadlineMs'].includes(k))
          at(
            `inline.${k}`,
            'is not a known key (region, requestTimeoutMs, maxAttempts, deadlineMs)',
          );
      inline = {
        region: optionalString(rawInline['region'], 'inline.region', at),
        requestTimeoutMs: boundedInt(rawInline, 'requestTimeoutMs', 100, 60000, at),
        maxAttempts: boundedInt(rawInline, 'maxAttempts', 1, 10, at),
        deadlineMs: boundedInt(rawInline, 'deadlineMs', 1000, 55000, at),
      };
    }
  }

  if (issues.length > 0) throw new ConfigError(issues);
  return { mode, store, refreshInterval, clusterSecretStore, inline };
}

/** The secrets stage's section of eks-overlay.yaml, validated with the rest of the file when it is loaded. */
export const secretsStageConfig: StageConfig<SecretsConfig> = {
  keys: ['secrets'],
  parse: (sections, issues) => {
    const where = whereOf(sections.source('secrets') ?? { file: CONFIG_FILE });
    try {
      return parseSecretsConfig(sections.value('secrets'), where);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      issues.push(...e.issues);
      return parseSecretsConfig(undefined, where);
    }
  },
};

function whereOf(ref: SourceRef): string {
  return ref.line === undefined ? ref.file : `${ref.file}:${ref.line}`;
}

function boundedInt(
  obj: Record<string, unknown>,
  key: 'requestTimeoutMs' | 'maxAttempts' | 'deadlineMs',
  min: number,
  max: number,
  at: (k: string, m: string) => void,
): number {
  const v = obj[key];
  if (v === undefined) return DEFAULT_INLINE[key];
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  at(`inline.${key}`, `must be a whole number from ${min} to ${max}`);
  return DEFAULT_INLINE[key];
}

function optionalString(
  v: unknown,
  key: string,
  at: (k: string, m: string) => void,
): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v.trim() !== '') return v;
  at(key, 'must be a non-empty string');
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
