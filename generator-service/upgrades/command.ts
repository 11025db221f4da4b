/**
 * `node dist/generator-service.cjs upgrade-controller`: the blue/green upgrade controller as its own process, with
 * its own ServiceAccount (ClusterUpgrades, Applications, ApplicationSets, Events, its Lease) and its own AWS
 * identity (TagResource and the add-on reads). It serves only /healthz, /metrics and the authenticated status.
 */
import type { Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError, describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { TokenProvider } from '../http/auth';
import { loadKubeConfig } from '../registrar/index';
import { kubeLeaseStore } from '../registrar/kube-stores';
import {
  closeStatusServer,
  createStatusServer,
  listenStatusServer,
} from '../registrar/status-server';
import { runComponentProcess } from '../component-process';
import { tokenFromFile } from '../token-file';
import { sdkEksUpgradeApi } from './aws';
import type { UpgradeControllerConfig } from './config';
import { parseUpgradeControllerConfig } from './config';
import type { UpgradeController } from './controller';
import { startUpgradeController } from './controller';
import { httpGeneratorClient } from './generator-client';
import { kubeArgoStore, kubeEventSink, kubeUpgradeStore } from './kube-stores';
import { httpPrometheusClient } from './prometheus';

export interface RunningUpgradeController {
  readonly port: number;
  readonly controller: UpgradeController;
  readonly metrics: Registry;
  stop(): Promise<void>;
}

/** Starts from the environment; ConfigError lists every problem at once and nothing is started then. */
export async function startUpgradeControllerFromEnv(
  env: NodeJS.ProcessEnv,
  deps: { readonly log: Logger; readonly defaultMetrics?: boolean; readonly loops?: boolean },
): Promise<RunningUpgradeController> {
  const issues: string[] = [];
  let config: UpgradeControllerConfig | undefined;
  try {
    config = parseUpgradeControllerConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues);
  }
  let tokens: TokenProvider | undefined;
  if (config !== undefined) {
    try {
      tokens = tokenFromFile(config.tokenFile, { log: deps.log });
    } catch (e) {
      const why = e instanceof Error && e.cause !== undefined ? e.cause : e;
      issues.push(`UPGRADE_GENERATOR_TOKEN_FILE ${config.tokenFile}: ${describeError(why)}`);
    }
  }
  let kc;
  try {
    kc = loadKubeConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || !config || !tokens || !kc) throw new ConfigError(issues);

  const log = deps.log;
  const metrics = new Registry();
  if (deps.defaultMetrics) collectDefaultMetrics({ register: metrics });
  const timeoutMs = config.callTimeoutSeconds * 1000;
  const eks = sdkEksUpgradeApi({
    roleArnTemplate: config.roleArnTemplate,
    callTimeoutMs: timeoutMs,
  });
  const token = tokens;
  const controller = await startUpgradeController({
    deps: {
      upgrades: kubeUpgradeStore(kc, config.namespace),
      argo: kubeArgoStore(kc, config.namespace),
      events: kubeEventSink(kc, config.namespace, 'argocd-eks-upgrade-controller'),
      generator: httpGeneratorClient({
        baseUrl: config.generatorUrl,
        token: () => token.current() ?? '',
        timeoutMs,
      }),
      eks,
      prometheus: httpPrometheusClient({ timeoutMs }),
      prometheusUrl: config.prometheusUrl,
      generatorConfigMap: config.generatorConfigMap,
    },
    leases: kubeLeaseStore(kc, config.namespace),
    lease: config.lease,
    resyncSeconds: config.resyncSeconds,
    log: log.child({ component: 'upgrade-controller' }),
    metrics,
    ...(deps.loops === undefined ? {} : { loops: deps.loops }),
  });

  const cfg = config;
  const server: Server = createStatusServer({
    tokens,
    metrics,
    log,
    status: () => ({
      namespace: cfg.namespace,
      leader: controller.isLeader(),
      // A replica that does not lead has no current view: it shows none rather than an old one.
      upgrades: controller.isLeader() ? controller.summary() : [],
    }),
  });
  let port: number;
  try {
    port = await listenStatusServer(server, config.host, config.port);
  } catch (e) {
    await controller.stop();
    eks.close();
    throw e;
  }
  log.info('upgrade controller status listening', { host: config.host, port });

  let stopping: Promise<void> | undefined;
  return {
    port,
    controller,
    metrics,
    stop: () => {
      stopping ??= (async () => {
        const closed = closeStatusServer(server);
        await controller.stop();
        eks.close();
        await closed;
      })();
      return stopping;
    },
  };
}

/** The process: JSON log lines on stdout, exit 78 on bad configuration, a clean stop on SIGTERM/SIGINT. */
export async function runUpgradeControllerProcess(env: NodeJS.ProcessEnv): Promise<void> {
  await runComponentProcess(env, 'eks-upgrade-controller', startUpgradeControllerFromEnv);
}
