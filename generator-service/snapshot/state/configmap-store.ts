/** The StateStore on a ConfigMap, through @kubernetes/client-node: only `get` and `update` of one named object. */
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { kubeCall } from '../../kube/call';
import { StateConflictError, StateStoreError, type StateStore } from './store';

/** The ConfigMap data key holding the document. */
export const STATE_DATA_KEY = 'fleet-state.json';

/**
 * The install creates the ConfigMap; the generator only reads and replaces it (RBAC: get, update on that name).
 * A replace sends the object as last read with the document changed, so other keys, labels and annotations stay.
 */
export function configMapStateStore(kc: KubeConfig, namespace: string, name: string): StateStore {
  const api = kc.makeApiClient(CoreV1Api);
  const description = `ConfigMap ${namespace}/${name}`;
  let lastRead: V1ConfigMap | undefined;
  return {
    description,
    async read() {
      const cm = await call('get', () => api.readNamespacedConfigMap({ name, namespace }));
      lastRead = cm;
      return { text: cm.data?.[STATE_DATA_KEY], version: cm.metadata?.resourceVersion ?? '' };
    },
    async write(text, version) {
      const body: V1ConfigMap = {
        ...lastRead,
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { ...lastRead?.metadata, name, namespace, resourceVersion: version },
        data: { ...lastRead?.data, [STATE_DATA_KEY]: text },
      };
      const cm = await call('update', () =>
        api.replaceNamespacedConfigMap({ name, namespace, body }),
      );
      lastRead = cm;
      return cm.metadata?.resourceVersion ?? '';
    },
  };
}

/** One API call; every failure becomes a StateStoreError with the status and reason, no bodies. */
function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  return kubeCall(fn, (failure) => {
    switch (failure.kind) {
      case 'timeout':
        return new StateStoreError(`${operation}: ${failure.message}`);
      case 'status': {
        const { status, reason } = failure;
        const hint =
          status === 404 ? '; the install creates it: check GENERATOR_STATE_CONFIGMAP' : '';
        const Failure = status === 409 ? StateConflictError : StateStoreError;
        return new Failure(`${operation}: HTTP ${status}${reason ? ` (${reason})` : ''}${hint}`);
      }
      case 'transport':
        return new StateStoreError(`${operation}: ${failure.message}`, { cause: failure.cause });
    }
  });
}
