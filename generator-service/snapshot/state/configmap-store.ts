/** The StateStore on a ConfigMap, through @kubernetes/client-node: only `get` and `update` of one named object. */
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { describeError } from '../../../core/errors';
import { StateConflictError, StateStoreError, type StateStore } from './store';

/** The ConfigMap data key holding the document. */
export const STATE_DATA_KEY = 'fleet-state.json';

/** A hung API server must not stall refreshes forever. */
const CALL_TIMEOUT_MS = 10_000;

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

/** One API call with a timeout; every failure becomes a StateStoreError with the status and reason, no bodies. */
async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StateStoreError(`${operation}: timed out after ${CALL_TIMEOUT_MS} ms`)),
      CALL_TIMEOUT_MS,
    );
    timer.unref();
  });
  try {
    return await Promise.race([fn(), timeout]);
  } catch (e) {
    if (e instanceof StateStoreError) throw e;
    if (e instanceof ApiException) {
      // The exception's own message embeds the response body and headers; keep only the status and reason.
      const reason = reasonOf(e.body);
      const hint =
        e.code === 404 ? '; the install creates it: check GENERATOR_STATE_CONFIGMAP' : '';
      const Failure = e.code === 409 ? StateConflictError : StateStoreError;
      throw new Failure(`${operation}: HTTP ${e.code}${reason ? ` (${reason})` : ''}${hint}`);
    }
    throw new StateStoreError(
      `${operation}: ${describeError(e).split('\n')[0]?.slice(0, 200) ?? 'failed'}`,
      { cause: e },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** The Status reason of an error body, which the client hands over parsed or as text. */
function reasonOf(body: unknown): string {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return '';
    }
  }
  const reason = (parsed as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' ? reason.slice(0, 100) : '';
}
