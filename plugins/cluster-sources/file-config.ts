import type { EnvVar } from '../../core/env-vars';
import { intFromEnv } from '../../core/env-vars';

/** The file source's settings, validated once. */
export interface FileSourceConfig {
  /** Undefined only with --demo, which then serves the bundled example fleet. */
  readonly clustersFile: string | undefined;
  readonly refreshIntervalMs: number;
}

export const FILE_DEFAULTS = { refreshSeconds: 30 } as const;

/** The variables the file source reads, for the configuration reference and --help. */
export const FILE_ENV_VARS = [
  {
    name: 'CLUSTERS_FILE',
    defaultNote:
      '— (required with `CLUSTER_SOURCE=file`; install: `/etc/eks-cluster-generator/fleet.yaml`)',
    description:
      'Fleet file for `CLUSTER_SOURCE=file` (format: `plugins/README.md`); must be unset with another source. Only `--demo` starts without it, serving the bundled example fleet.',
  },
  {
    name: 'CLUSTERS_FILE_REFRESH_SECONDS',
    default: FILE_DEFAULTS.refreshSeconds,
    description:
      'Full re-read interval of the fleet file (changes are also picked up by a watch and a 2 s poll).',
  },
] as const satisfies readonly EnvVar[];

type FileEnvName = (typeof FILE_ENV_VARS)[number]['name'];

/**
 * Reads the file source's settings. When another source is selected, a fleet file set anyway is reported (it would
 * be silently ignored); the refresh interval is checked whichever source is selected.
 */
export function parseFileConfig(
  env: NodeJS.ProcessEnv,
  ctx: { readonly selected: boolean; readonly demo: boolean },
): { config: FileSourceConfig } | { issues: string[] } {
  const issues: string[] = [];
  const clustersFile = env['CLUSTERS_FILE']?.trim() || undefined;
  if (clustersFile !== undefined && !ctx.selected) {
    issues.push(
      'CLUSTERS_FILE: only used with CLUSTER_SOURCE=file; unset it or set CLUSTER_SOURCE=file',
    );
  }
  // Serving a fleet nobody configured would make Argo CD create Applications for clusters that do not exist.
  if (ctx.selected && clustersFile === undefined && !ctx.demo) {
    issues.push(
      'no fleet configured: set CLUSTERS_FILE to a fleet file, or CLUSTER_SOURCE=eks (with EKS_REGIONS) for EKS discovery; --demo serves the bundled example fleet',
    );
  }
  const refreshSeconds = intFromEnv(
    env,
    'CLUSTERS_FILE_REFRESH_SECONDS' satisfies FileEnvName,
    FILE_DEFAULTS.refreshSeconds,
    { min: 1 },
    issues,
  );
  if (issues.length > 0) return { issues };
  return { config: { clustersFile, refreshIntervalMs: refreshSeconds * 1000 } };
}
