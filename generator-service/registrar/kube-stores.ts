/** SecretStore and LeaseStore on @kubernetes/client-node: the only registrar module that talks to the API. */
import {
  CoordinationV1Api,
  CoreV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
  type V1Secret,
} from '@kubernetes/client-node';
import { kubeCall } from '../kube/call';
import type { SecretContent } from './desired';
import type { ActualSecret } from './plan';
import type { LeaseRecord, LeaseSpec, LeaseStore, SecretStore } from './stores';
import { KubeCallError } from './stores';

export function kubeSecretStore(kc: KubeConfig, namespace: string): SecretStore {
  const api = kc.makeApiClient(CoreV1Api);
  return {
    list: async (labelSelector) => {
      const res = await call('list secrets', () =>
        api.listNamespacedSecret({ namespace, labelSelector }),
      );
      // A 2xx without an items array is a fault, never "no Secrets": pruning from it would delete every cluster.
      const items: unknown = (res as { items?: unknown }).items;
      if (!Array.isArray(items)) {
        throw new KubeCallError('list secrets', 200, 'the answer has no items array');
      }
      return (items as V1Secret[]).map(fromSecret);
    },
    read: async (name) => {
      try {
        return fromSecret(
          await call(`get secret ${name}`, () => api.readNamespacedSecret({ name, namespace })),
        );
      } catch (e) {
        if (e instanceof KubeCallError && e.status === 404) return undefined;
        throw e;
      }
    },
    create: async (secret) => {
      await call(`create secret ${secret.name}`, () =>
        api.createNamespacedSecret({ namespace, body: toSecret(secret, namespace, undefined) }),
      );
    },
    replace: async (secret, resourceVersion) => {
      await call(`update secret ${secret.name}`, () =>
        api.replaceNamespacedSecret({
          name: secret.name,
          namespace,
          body: toSecret(secret, namespace, resourceVersion),
        }),
      );
    },
    delete: async (name, resourceVersion) => {
      try {
        await call(`delete secret ${name}`, () =>
          api.deleteNamespacedSecret({
            name,
            namespace,
            body: { preconditions: { resourceVersion } },
          }),
        );
      } catch (e) {
        if (e instanceof KubeCallError && e.status === 404) return;
        throw e;
      }
    },
  };
}

export function kubeLeaseStore(kc: KubeConfig, namespace: string): LeaseStore {
  const api = kc.makeApiClient(CoordinationV1Api);
  return {
    get: async (name) => {
      try {
        return fromLease(
          await call(`get lease ${name}`, () => api.readNamespacedLease({ name, namespace })),
        );
      } catch (e) {
        if (e instanceof KubeCallError && e.status === 404) return undefined;
        throw e;
      }
    },
    create: async (name, spec) => {
      await call(`create lease ${name}`, () =>
        api.createNamespacedLease({ namespace, body: toLease(name, namespace, spec, undefined) }),
      );
    },
    replace: async (name, spec, resourceVersion) => {
      await call(`update lease ${name}`, () =>
        api.replaceNamespacedLease({
          name,
          namespace,
          body: toLease(name, namespace, spec, resourceVersion),
        }),
      );
    },
  };
}

/** Runs one API call and turns every failure into a KubeCallError (status, reason; no bodies). */
function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  return kubeCall(fn, (failure) =>
    failure.kind === 'status'
      ? new KubeCallError(operation, failure.status, failure.reason)
      : failure.kind === 'timeout'
        ? new KubeCallError(operation, 0, failure.message)
        : new KubeCallError(operation, 0, failure.message, { cause: failure.cause }),
  );
}

function fromSecret(s: V1Secret): ActualSecret {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {}))
    data[k] = Buffer.from(v, 'base64').toString('utf8');
  return {
    name: s.metadata?.name ?? '',
    resourceVersion: s.metadata?.resourceVersion ?? '',
    labels: { ...s.metadata?.labels },
    annotations: { ...s.metadata?.annotations },
    data,
  };
}

function toSecret(
  s: SecretContent,
  namespace: string,
  resourceVersion: string | undefined,
): V1Secret {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data)) data[k] = Buffer.from(v, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: s.name,
      namespace,
      labels: { ...s.labels },
      annotations: { ...s.annotations },
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    type: 'Opaque',
    data,
  };
}

function fromLease(l: V1Lease): LeaseRecord {
  const spec = l.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity,
    leaseDurationSeconds: spec.leaseDurationSeconds,
    acquireTime: toDate(spec.acquireTime),
    renewTime: toDate(spec.renewTime),
    leaseTransitions: spec.leaseTransitions,
    resourceVersion: l.metadata?.resourceVersion ?? '',
  };
}

function toLease(
  name: string,
  namespace: string,
  spec: LeaseSpec,
  resourceVersion: string | undefined,
): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    spec: {
      ...(spec.holderIdentity === undefined ? {} : { holderIdentity: spec.holderIdentity }),
      ...(spec.leaseDurationSeconds === undefined
        ? {}
        : { leaseDurationSeconds: spec.leaseDurationSeconds }),
      // MicroTime must carry six fractional digits; a plain Date serializes with three.
      ...(spec.acquireTime === undefined ? {} : { acquireTime: new V1MicroTime(spec.acquireTime) }),
      ...(spec.renewTime === undefined ? {} : { renewTime: new V1MicroTime(spec.renewTime) }),
      ...(spec.leaseTransitions === undefined ? {} : { leaseTransitions: spec.leaseTransitions }),
    },
  };
}

/** The client returns MicroTime fields as strings (it has no deserializer for them). */
function toDate(v: unknown): Date | undefined {
  if (v === undefined || v === null) return undefined;
  const d = v instanceof Date ? v : typeof v === 'string' ? new Date(v) : new Date(NaN);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
