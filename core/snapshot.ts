import type { Cluster } from './cluster';

/**
 * One independently refreshed part of a cluster source: the file, or one account × region of EKS discovery.
 * The registry refuses to serve while a part has never loaded, or has failed for longer than allowed.
 */
export interface SourcePart {
  /** Stable, human-readable id, e.g. `file:/etc/fleet.yaml` or `eks:111111111111/eu-west-1`. */
  readonly id: string;
  /** The account and region this part lists, when it lists exactly one (EKS discovery). */
  readonly scope?: { readonly accountId: string; readonly region: string };
  /** Epoch ms of the last successful read, or undefined when it never succeeded. */
  readonly lastSuccessAt: number | undefined;
  /** Why the most recent read failed, if it did (short, secret-free). Undefined after a success. */
  readonly lastError: string | undefined;
  /** What the last successful read cost, when the source counts it (EKS: ListClusters pages, API calls). */
  readonly lastRefresh?: { readonly pages: number; readonly calls: number };
}

/**
 * An immutable view of the fleet. Requests are served from it; the registrar reconciles against it.
 * A cluster missing from a snapshot left through a successful read of its part: failed parts keep
 * their last good clusters.
 */
export interface FleetSnapshot {
  /** Sorted by name; names are unique. */
  readonly clusters: readonly Cluster[];
  readonly parts: readonly SourcePart[];
  /**
   * Default add-on versions per Kubernetes minor version, e.g. `{"1.30": {"vpc-cni": "v1.18.1-eksbuild.1"}}`,
   * for `input.parameters.addons`. Empty when the source does not know them.
   */
  readonly addonDefaults: AddonDefaults;
  /** Epoch ms when this snapshot was built. */
  readonly builtAt: number;
  /** Increases by one with every snapshot the registry publishes. */
  readonly version: number;
}

/** Kubernetes minor version (`1.30`) → add-on name → default compatible add-on version. */
export type AddonDefaults = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Read side of the registry, for consumers such as the registrar. */
export interface SnapshotFeed {
  /** The latest published snapshot, or undefined before the first complete load. */
  current(): FleetSnapshot | undefined;
  /** Called with every newly published snapshot; returns an unsubscribe function. */
  subscribe(listener: (snapshot: FleetSnapshot) => void): () => void;
}
