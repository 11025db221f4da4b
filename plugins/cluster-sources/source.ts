import type { ClusterRecord } from '../../core/cluster';
import type { Logger } from '../../core/logger';
import type { AddonDefaults, SourcePart } from '../../core/snapshot';

/** Which back end a source reads; a closed set so switches over it are checked for exhaustiveness. */
export type SourceKind = 'file' | 'eks';

export type { SourcePart } from '../../core/snapshot';

export interface SourceLoad {
  /** Every cluster the source knows, from each part's last successful read. */
  readonly records: readonly ClusterRecord[];
  readonly parts: readonly SourcePart[];
  /** Default add-on versions per Kubernetes minor version, when the source can tell. */
  readonly addonDefaults?: AddonDefaults;
}

export interface SourceContext {
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/**
 * A place clusters are found. `load` reads the source (all of its parts) and returns what is known.
 * A part that fails keeps its last good records; `load` rejects (SourceUnavailableError) only when it has
 * nothing trustworthy to return. It never resolves with fewer clusters because of a fault.
 */
export interface ClusterSource {
  readonly kind: SourceKind;
  load(ctx: SourceContext): Promise<SourceLoad>;
  /** How often the registry should call `load` (ms); the registry's default applies when absent. */
  readonly refreshIntervalMs?: number;
  /** How long a part may keep failing before requests get 503 instead of data that old (ms); unlimited when absent. */
  readonly maxStaleMs?: number;
  /** Optional change notification (file watch), so a reload need not wait for the next refresh tick. */
  watch?(onChange: () => void): () => void;
  /** Releases what the source holds open (SDK clients and their sockets); called once, at shutdown. */
  close?(): void;
}
