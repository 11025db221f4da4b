import type { StateStore } from './store';

export type { StateStore } from './store';
export { createStateSync, type StateSync } from './state-sync';

export interface StateStoreConfig {
  readonly namespace: string;
  readonly configMap: string;
}

/**
 * The ConfigMap state store. The Kubernetes client is loaded here, on demand, so that a service without a store
 * never loads it. Throws ConfigError when the client configuration cannot be found.
 */
export async function openConfigMapStateStore(
  config: StateStoreConfig,
  env: NodeJS.ProcessEnv,
): Promise<StateStore> {
  const [{ loadKubeConfig }, { configMapStateStore }] = await Promise.all([
    import('../registrar/index.js'),
    import('./configmap-store.js'),
  ]);
  return configMapStateStore(loadKubeConfig(env), config.namespace, config.configMap);
}
