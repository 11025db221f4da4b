/**
 * The two narrow ports the registrar needs from Kubernetes. The reconciler and the leader elector depend on these
 * only; kube-stores.ts implements them with @kubernetes/client-node.
 */
import { KubernetesError } from '../../core/errors';
import type { ActualSecret } from './plan';
import type { SecretContent } from './desired';

export interface SecretStore {
  /** Secrets in the namespace matching the selector (kubectl syntax). */
  list(labelSelector: string): Promise<ActualSecret[]>;
  read(name: string): Promise<ActualSecret | undefined>;
  create(secret: SecretContent): Promise<void>;
  /** Replaces the whole Secret; fails with 409 when `resourceVersion` is no longer current. */
  replace(secret: SecretContent, resourceVersion: string): Promise<void>;
  /** Deletes only if still at `resourceVersion` (409 otherwise); a Secret already gone is not an error. */
  delete(name: string, resourceVersion: string): Promise<void>;
}

export interface LeaseRecord {
  readonly holderIdentity: string | undefined;
  readonly leaseDurationSeconds: number | undefined;
  readonly acquireTime: Date | undefined;
  readonly renewTime: Date | undefined;
  readonly leaseTransitions: number | undefined;
  readonly resourceVersion: string;
}

export type LeaseSpec = Omit<LeaseRecord, 'resourceVersion'>;

export interface LeaseStore {
  get(name: string): Promise<LeaseRecord | undefined>;
  /** Fails with 409 when another holder created it first. */
  create(name: string, spec: LeaseSpec): Promise<void>;
  /** Fails with 409 when `resourceVersion` is no longer current: someone else wrote it. */
  replace(name: string, spec: LeaseSpec, resourceVersion: string): Promise<void>;
}

/** A Kubernetes API call that failed; `status` is the HTTP status, 0 when no response came. */
export class KubeCallError extends KubernetesError {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${operation}: ${status === 0 ? 'no response' : `HTTP ${status}`}${reason ? ` (${reason})` : ''}`,
      options,
    );
  }
}

export function statusOf(e: unknown): number | undefined {
  return e instanceof KubeCallError ? e.status : undefined;
}
