import { CONFIG_FILE } from '../render/config-file';
import type { StageConfig, StageSections } from '../render/stages';
import { isMap } from './parse-match';
import type { UnsupportedPolicy } from './types';

/**
 * The `policies:` section of eks-overlay.yaml: admission policies an app adds to the sidecar-wide ones
 * ($EKS_OVERLAY_POLICY_DIRS, which an app cannot remove).
 *
 * ```yaml
 * policies:
 *   paths: [policies/common, "policies/{{cluster.metadata.labels.env}}"]   # files or dirs inside the repository
 *   unsupported: error    # or warn: a Gatekeeper template with Rego only is skipped with a warning
 * ```
 *
 * Paths are templated with the cluster context like layers: one written without a template must exist, a
 * templated one that does not exist for this cluster is skipped.
 */
export interface PolicySettings {
  readonly paths: readonly string[];
  readonly unsupported: UnsupportedPolicy;
}

const KEYS = new Set(['paths', 'unsupported']);

export const DEFAULT_POLICY_SETTINGS: PolicySettings = { paths: [], unsupported: 'error' };

function whereIn(sections: StageSections, key: string): string {
  const ref = sections.source(key);
  return ref?.line === undefined ? CONFIG_FILE : `${ref.file}:${ref.line}`;
}

export const policyStageConfig: StageConfig<PolicySettings> = {
  keys: ['policies'],
  parse: (sections, issues) => {
    const raw = sections.value('policies');
    const at = whereIn(sections, 'policies');
    if (raw === undefined || raw === null) return DEFAULT_POLICY_SETTINGS;
    if (!isMap(raw)) {
      issues.push(`${at}: policies: must be a map (paths, unsupported)`);
      return DEFAULT_POLICY_SETTINGS;
    }
    for (const k of Object.keys(raw))
      if (!KEYS.has(k))
        issues.push(`${at}: policies: unknown key "${k}" (allowed: ${[...KEYS].join(', ')})`);
    const paths = raw['paths'] ?? [];
    const unsupported = raw['unsupported'] ?? 'error';
    const pathsOk = Array.isArray(paths) && paths.every((p) => typeof p === 'string' && p !== '');
    if (!pathsOk) issues.push(`${at}: policies.paths: must be a list of relative paths`);
    if (unsupported !== 'error' && unsupported !== 'warn')
      issues.push(
        `${at}: policies.unsupported: must be "error" or "warn", got ${JSON.stringify(unsupported)}`,
      );
    return {
      paths: pathsOk ? (paths as string[]) : [],
      unsupported: unsupported === 'warn' ? 'warn' : 'error',
    };
  },
};
