import type { ClusterRecord } from '../../core/cluster';
import type { EnvVar } from '../../core/env-vars';
import type { Logger } from '../../core/logger';
import type { AddonDefaults, SourcePart } from '../../core/snapshot';

/** Which back end a source reads: a key of the registry in index.ts (`CLUSTER_SOURCE`). */
export type SourceKind = string;

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
  /**
   * The source's own deadline for one `load` (ms), when it bounds its refreshes itself and reports what did not
   * finish as failed parts. The registry's outer bound is kept above it, so that deadline is the one that applies.
   */
  readonly refreshTimeoutMs?: number;
  /** Optional change notification (file watch), so a reload need not wait for the next refresh tick. */
  watch?(onChange: () => void): () => void;
  /** Releases what the source holds open (SDK clients and their sockets); called once, at shutdown. */
  close?(): void;
}

/** What the composition root hands to a source it builds. */
export interface SourceDeps {
  readonly log: Logger;
  readonly now?: () => number;
  /** `--demo`: a source may then serve a bundled example instead of refusing to start unconfigured. */
  readonly demo?: boolean;
}

/** A source built from the environment, or every problem with its settings. */
export type SourceFromEnv =
  | {
      readonly source: ClusterSource;
      /** What is served, in words, for the `--demo` banner (e.g. "the fleet file /etc/fleet.yaml"). */
      readonly description: string;
    }
  | { readonly issues: string[] };

/**
 * How a source registers itself (one entry of index.ts's map): its `CLUSTER_SOURCE` value, the variables it reads
 * (listed by `--help` and the configuration reference) and how it is built from them. A source reads its own
 * settings: nothing outside its files knows them.
 */
export interface ClusterSourceModule {
  readonly kind: SourceKind;
  /** A heading for its variables, e.g. "EKS discovery" (plain text). */
  readonly title: string;
  /** What it serves, for `CLUSTER_SOURCE`'s description (markdown, e.g. "the fleet file `CLUSTERS_FILE`"). */
  readonly summary: string;
  readonly envVars: readonly EnvVar[];
  /**
   * Problems that must stop the service at start together with its own (reported all at once), for every
   * registered source; `selected` says whether `CLUSTER_SOURCE` chose it. Absent: its settings are checked when
   * it is built (`fromEnv`).
   */
  checkEnv?(
    env: NodeJS.ProcessEnv,
    ctx: { readonly selected: boolean; readonly demo: boolean },
  ): string[];
  /** Builds the source; returns configuration problems, never throws. */
  fromEnv(env: NodeJS.ProcessEnv, deps: SourceDeps): SourceFromEnv;
}
