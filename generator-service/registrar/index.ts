import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { ConfigError, describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { SnapshotFeed } from '../../core/snapshot';
import type { RegistrarConfig } from './config';
import { parseRegistrarConfig } from './config';
import { kubeLeaseStore, kubeSecretStore } from './kube-stores';
import { startRegistrar } from './registrar';

/**
 * Starts the registrar (REGISTRAR_ENABLED=true; see README.md here). Throws ConfigError listing every problem with
 * the environment and the Kubernetes client configuration at once. stop() ends the loops, waits for a running
 * reconcile and releases the lease.
 */
export async function startRegistrarFromEnv(
  env: NodeJS.ProcessEnv,
  deps: { feed: SnapshotFeed; log: Logger; metrics: Registry },
): Promise<{ stop(): Promise<void> }> {
  const issues: string[] = [];
  let config: RegistrarConfig | undefined;
  try {
    config = parseRegistrarConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues);
  }
  let kc: KubeConfig | undefined;
  try {
    kc = loadKubeConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || config === undefined || kc === undefined) throw new ConfigError(issues);

  const handle = await startRegistrar({
    config,
    secrets: kubeSecretStore(kc, config.namespace),
    leases: kubeLeaseStore(kc, config.namespace),
    feed: deps.feed,
    log: deps.log.child({ component: 'registrar' }),
    metrics: deps.metrics,
  });
  return { stop: () => handle.stop() };
}

/**
 * Standard client configuration: KUBECONFIG (read from `env`), else ~/.kube/config, else the in-cluster service
 * account. Unlike the client's own last resort, finding no configuration is an error, not http://localhost:8080.
 */
export function loadKubeConfig(env: NodeJS.ProcessEnv): KubeConfig {
  const kc = new KubeConfig();
  const files = (env['KUBECONFIG'] ?? '').split(path.delimiter).filter((f) => f !== '');
  const home = path.join(env['HOME'] ?? os.homedir(), '.kube', 'config');
  try {
    if (files.length > 0) {
      kc.loadFromFile(files[0] ?? '');
      for (const file of files.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more);
      }
    } else if (fs.existsSync(home)) {
      kc.loadFromFile(home);
    } else if (env['KUBERNETES_SERVICE_HOST']) {
      kc.loadFromCluster();
    } else {
      throw new Error('not running in a cluster, and neither KUBECONFIG nor ~/.kube/config is set');
    }
  } catch (e) {
    throw new ConfigError([`Kubernetes client configuration: ${describeError(e)}`], { cause: e });
  }
  if (kc.getCurrentCluster() === null) {
    throw new ConfigError([
      'Kubernetes client configuration: the current context names no cluster',
    ]);
  }
  return kc;
}
