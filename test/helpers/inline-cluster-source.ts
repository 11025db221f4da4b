/**
 * A throwaway cluster source, written the way ARCHITECTURE.md says a source is added: this one file, plus one
 * entry in a source registry (test/integration/add-a-cluster-source.test.ts adds it to a copy of the real one).
 * It serves the clusters given as JSON in INLINE_CLUSTERS, from one part `inline:env`.
 */
import type { ClusterRecord } from '../../core/cluster';
import type { EnvVar } from '../../core/env-vars';
import type { ClusterSourceModule } from '../../plugins/cluster-sources/source';

export const INLINE_ENV_VARS = [
  {
    name: 'INLINE_CLUSTERS',
    defaultNote: '— (required with `CLUSTER_SOURCE=inline`)',
    description: 'The clusters, as a JSON array of cluster records.',
  },
] as const satisfies readonly EnvVar[];

function parse(env: NodeJS.ProcessEnv): { records: ClusterRecord[] } | { issues: string[] } {
  const raw = env['INLINE_CLUSTERS'];
  if (raw === undefined || raw.trim() === '') {
    return { issues: ['INLINE_CLUSTERS: required with CLUSTER_SOURCE=inline'] };
  }
  try {
    const records: unknown = JSON.parse(raw);
    if (Array.isArray(records)) return { records: records as ClusterRecord[] };
  } catch {
    // reported below
  }
  return { issues: ['INLINE_CLUSTERS: must be a JSON array of cluster records'] };
}

export const inlineClusterSource: ClusterSourceModule = {
  kind: 'inline',
  title: 'Inline clusters',
  summary: 'clusters given in `INLINE_CLUSTERS`',
  envVars: INLINE_ENV_VARS,
  checkEnv: (env, { selected }) => {
    if (!selected) return [];
    const parsed = parse(env);
    return 'issues' in parsed ? parsed.issues : [];
  },
  fromEnv: (env, deps) => {
    const parsed = parse(env);
    if ('issues' in parsed) return parsed;
    const now = deps.now ?? Date.now;
    return {
      source: {
        kind: 'inline',
        load: () =>
          Promise.resolve({
            records: parsed.records,
            parts: [{ id: 'inline:env', lastSuccessAt: now(), lastError: undefined }],
          }),
      },
      description: `${parsed.records.length} inline clusters`,
    };
  },
};
