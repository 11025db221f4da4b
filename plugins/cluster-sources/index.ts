import type { Logger } from '../../core/logger';
import { eksSourceFromEnv } from './eks';
import { exampleFleetPath } from './examples';
import { fileSource } from './file';
import type { ClusterSource, SourceKind } from './source';

export interface SourceSelection {
  readonly kind: SourceKind;
  /** CLUSTER_SOURCE=file: the fleet file; undefined means the bundled example fleet. */
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
      return {
        source: fileSource({
          path: selection.clustersFile ?? exampleFleetPath(),
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
