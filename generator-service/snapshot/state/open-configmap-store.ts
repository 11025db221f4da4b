import { loadKubeConfig } from '../../registrar/index';
import { configMapStateStore } from './configmap-store';
import type { StateStore } from './store';

export interface StateStoreConfig {
  readonly namespace: string;
  readonly configMap: string;
}

/**
 * The ConfigMap state store with the standard Kubernetes client configuration (in-cluster service account, or
 * KUBECONFIG). main.ts imports this module only when GENERATOR_STATE_CONFIGMAP is set, so that a service without a
 * store never loads the Kubernetes client. Throws ConfigError when no client configuration is found.
 */
export function openConfigMapStateStore(
  config: StateStoreConfig,
  env: NodeJS.ProcessEnv,
): StateStore {
  return configMapStateStore(loadKubeConfig(env), config.namespace, config.configMap);
}
