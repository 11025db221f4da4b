import { ConfigError } from '../core/errors';
import { setOwn } from './render/set-own';
import type { AppParameter, ArgoEnv } from './render/types';

export type EnvVars = Readonly<Record<string, string | undefined>>;

const USER_ENV_PREFIX = 'ARGOCD_ENV_';
/** Names that would reach for prototypes as keys of `env` or `params`. */
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * JSON.parse's message without the excerpt of the input V8 quotes (`..."password":hunter2"... is not valid
 * JSON`): the input may hold values that must not reach Argo CD's UI.
 */
export function jsonProblem(e: unknown): string {
  if (e instanceof RangeError) return 'nested too deeply';
  const message = e instanceof Error ? e.message : String(e);
  const position = /at position (\d+)/.exec(message)?.[1];
  const kind = /^Unexpected end of JSON input/.test(message)
    ? 'unexpected end of input'
    : /^Unterminated string/.test(message)
      ? 'unterminated string'
      : 'syntax error';
  return position === undefined ? kind : `${kind} at position ${position}`;
}

/**
 * Reads Argo CD's build environment (argocd-contract.md §B5, §B6). ARGOCD_APP_PARAMETERS is authoritative over
 * PARAM_* (which can collide), so only it is read. A malformed value is a ConfigError naming the element at fault.
 */
export function readArgoEnv(env: EnvVars): ArgoEnv {
  const get = (name: string): string => env[name] ?? '';
  const userEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith(USER_ENV_PREFIX) && v !== undefined)
      setOwn(userEnv, k.slice(USER_ENV_PREFIX.length), v);
  }
  return {
    appName: get('ARGOCD_APP_NAME'),
    appNamespace: get('ARGOCD_APP_NAMESPACE'),
    projectName: get('ARGOCD_APP_PROJECT_NAME'),
    revision: get('ARGOCD_APP_REVISION'),
    revisionShort: get('ARGOCD_APP_REVISION_SHORT'),
    sourceRepoUrl: get('ARGOCD_APP_SOURCE_REPO_URL'),
    sourcePath: get('ARGOCD_APP_SOURCE_PATH'),
    targetRevision: get('ARGOCD_APP_SOURCE_TARGET_REVISION'),
    kubeVersion: get('KUBE_VERSION'),
    kubeApiVersions: get('KUBE_API_VERSIONS') === '' ? [] : get('KUBE_API_VERSIONS').split(','),
    userEnv,
    parameters: parseAppParameters(env['ARGOCD_APP_PARAMETERS']),
    ...(env['EKS_OVERLAY_PREVIEW_SECRETS'] === 'reference' ? { secretsByReference: true } : {}),
  };
}

/** Parses ARGOCD_APP_PARAMETERS: unset, empty and the string `null` (plugin block without parameters) mean none. */
export function parseAppParameters(raw: string | undefined): AppParameter[] {
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'null') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new ConfigError([`ARGOCD_APP_PARAMETERS is not valid JSON: ${jsonProblem(e)}`]);
  }
  if (!Array.isArray(parsed)) {
    throw new ConfigError([
      'ARGOCD_APP_PARAMETERS must be a JSON array of {name, string|array|map}',
    ]);
  }
  const issues: string[] = [];
  const out: AppParameter[] = [];
  parsed.forEach((p: unknown, i) => {
    const where = `ARGOCD_APP_PARAMETERS[${i}]`;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) {
      issues.push(`${where} must be an object`);
      return;
    }
    const o = p as Record<string, unknown>;
    if (typeof o['name'] !== 'string' || o['name'] === '') {
      issues.push(`${where}.name must be a non-empty string`);
      return;
    }
    if (FORBIDDEN_NAMES.has(o['name'])) {
      issues.push(`${where}.name ${JSON.stringify(o['name'])} is not allowed`);
      return;
    }
    const param: { -readonly [K in keyof AppParameter]: AppParameter[K] } = { name: o['name'] };
    const named = `${where} (${quoteName(o['name'])})`;
    if (o['string'] !== undefined) {
      if (typeof o['string'] === 'string') param.string = o['string'];
      else issues.push(`${named}.string must be a string`);
    }
    if (o['array'] !== undefined && o['array'] !== null) {
      if (Array.isArray(o['array']) && o['array'].every((v) => typeof v === 'string'))
        param.array = o['array'];
      else issues.push(`${named}.array must be a list of strings`);
    }
    if (o['map'] !== undefined && o['map'] !== null) {
      const m = o['map'];
      if (
        typeof m === 'object' &&
        !Array.isArray(m) &&
        Object.values(m).every((v) => typeof v === 'string')
      ) {
        param.map = m as Record<string, string>;
      } else issues.push(`${named}.map must map strings to strings`);
    }
    out.push(param);
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return out;
}

function quoteName(name: string): string {
  return name.length <= 100 ? name : `${name.slice(0, 100)}... (${name.length} characters)`;
}
