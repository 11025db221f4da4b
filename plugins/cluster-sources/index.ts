import { eksClusterSource } from './eks';
import { fileClusterSource } from './file';
import type { ClusterSourceModule, SourceDeps, SourceFromEnv, SourceKind } from './source';

/** The cluster sources, by `CLUSTER_SOURCE` value; the first one is the default. */
export type SourceRegistry = Readonly<Record<SourceKind, ClusterSourceModule>>;

/**
 * Every cluster source. Its keys are what `CLUSTER_SOURCE` accepts, and drive `--help` and the configuration
 * reference: adding a source is one file exporting a ClusterSourceModule plus one entry here.
 */
export const CLUSTER_SOURCES: SourceRegistry = {
  file: fileClusterSource,
  eks: eksClusterSource,
};

/** The source used when `CLUSTER_SOURCE` is unset: the registry's first entry. */
export function defaultSourceKind(sources: SourceRegistry = CLUSTER_SOURCES): SourceKind {
  const first = Object.keys(sources)[0];
  if (first === undefined) throw new Error('no cluster source is registered');
  return first;
}

/** Builds the selected source from the environment. Returns configuration problems, never throws. */
export function createClusterSource(
  kind: SourceKind,
  deps: SourceDeps & { readonly env: NodeJS.ProcessEnv },
  sources: SourceRegistry = CLUSTER_SOURCES,
): SourceFromEnv {
  const module = Object.hasOwn(sources, kind) ? sources[kind] : undefined;
  if (module === undefined)
    return { issues: [`CLUSTER_SOURCE: "${kind}" is not a cluster source`] };
  return module.fromEnv(deps.env, deps);
}

export { exampleFleetPath, readExampleFleet } from './examples';
export { fileSource, parseFleetYaml } from './file';
export type { Fleet } from './file';
export type { ClusterSourceModule, SourceDeps, SourceFromEnv, SourceKind } from './source';
