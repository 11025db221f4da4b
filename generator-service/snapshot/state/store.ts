import { SourceUnavailableError } from '../../../core/errors';

/**
 * Where the fleet registry's memory is kept between restarts and shared by replicas: one text document with a
 * version for optimistic concurrency (a ConfigMap's data key and resourceVersion). Implementations: memory-store.ts
 * (tests, local runs), configmap-store.ts (Kubernetes).
 */
export interface StateStore {
  /** What the store is, for messages: e.g. `ConfigMap argocd/eks-cluster-generator-state`. */
  readonly description: string;
  /** The document (undefined when it was never written) and its version. */
  read(): Promise<StoredDocument>;
  /**
   * Replaces the document if the store is still at `version`; resolves with the new version. Rejects with
   * StateConflictError when someone else wrote in between.
   */
  write(text: string, version: string): Promise<string>;
}

export interface StoredDocument {
  readonly text: string | undefined;
  readonly version: string;
}

/** The store could not be read or written (the cause says why; never holds the document). */
export class StateStoreError extends SourceUnavailableError {}

/** Another writer changed the document since it was read (HTTP 409). */
export class StateConflictError extends StateStoreError {}
