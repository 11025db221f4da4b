import type { Logger } from '../../core/logger';
import { eksSourceFromEnv } from './eks';
import { fileSource } from './file';
import type { ClusterSource, SourceKind } from './source';

export interface SourceSelection {
  readonly kind: SourceKind;
  /** CLUSTER_SOURCE=file: the fleet file (required: no fleet is ever served that nobody configured). */
  readonly clustersFile?: string | undefined;
  readonly fileRefreshIntervalMs?: number;
}

export interface SourceDeps {
  readonly log: Logger;
  /** The environment, for sources that read their own settings (EKS_*). */
  readonly env: NodeJS.ProcessEnv;
  readonly now?: () => number;
}

/** The single registry of cluster sources: one case per SourceKind. Returns configuration problems, never throws. */
export function createClusterSource(
  selection: SourceSelection,
  deps: SourceDeps,
): { source: ClusterSource } | { issues: string[] } {
  switch (selection.kind) {
    case 'file':
      if (selection.clustersFile === undefined) {
        return { issues: ['CLUSTERS_FILE: required with CLUSTER_SOURCE=file'] };
      }
      return {
        source: fileSource({
          path: selection.clustersFile,
          log: deps.log,
          ...(selection.fileRefreshIntervalMs === undefined
            ? {}
            : { refreshIntervalMs: selection.fileRefreshIntervalMs }),
          ...(deps.now === undefined ? {} : { now: deps.now }),
        }),
      };
    case 'eks':
      return eksSourceFromEnv(deps.env, {
        log: deps.log,
        ...(deps.now === undefined ? {} : { now: deps.now }),
      });
  }
}

export { exampleFleetPath, readExampleFleet } from './examples';
export { fileSource, parseFleetYaml } from './file';
export type { Fleet } from './file';
