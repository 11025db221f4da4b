/**
 * `node dist/generator-service.cjs registrar`: the registrar as its own process, with its own ServiceAccount (the
 * only one bound to the Secrets Role). It reads the fleet from the generator over HTTP (generator-feed.ts), so AWS
 * is called once and both see one fleet, and serves only /healthz, /metrics and the authenticated status.
 */
import type { Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError, describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { TokenProvider } from '../http/auth';
import { runComponentProcess } from '../component-process';
import { tokenFromFile } from '../token-file';
import type { RegistrarConfig, SplitRegistrarConfig } from './config';
import { parseRegistrarConfig, parseSplitConfig } from './config';
import { GeneratorFeed, httpFleetReader } from './generator-feed';
import { loadKubeConfig } from './index';
import { kubeLeaseStore, kubeSecretStore } from './kube-stores';
import type { RegistrarHandle } from './registrar';
import { startRegistrar } from './registrar';
import { closeStatusServer, createStatusServer, listenStatusServer } from './status-server';

export interface SplitRegistrar {
  /** The port the status listener is bound to (REGISTRAR_PORT=0 picks a free one). */
  readonly port: number;
  readonly handle: RegistrarHandle;
  readonly feed: GeneratorFeed;
  readonly metrics: Registry;
  stop(): Promise<void>;
}

/**
 * Starts the split registrar from the environment. Throws ConfigError listing every problem at once (registrar
 * settings, split settings, token file, Kubernetes client configuration); nothing is started then.
 */
export async function startSplitRegistrar(
  env: NodeJS.ProcessEnv,
  deps: { readonly log: Logger; readonly defaultMetrics?: boolean },
): Promise<SplitRegistrar> {
  const issues: string[] = [];
  let config: RegistrarConfig | undefined;
  try {
    config = parseRegistrarConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues);
  }
  const split = parseSplitConfig(env);
  issues.push(...split.issues);
  let tokens: TokenProvider | undefined;
  if (split.config !== undefined) {
    try {
      tokens = tokenFromFile(split.config.tokenFile, { log: deps.log });
    } catch (e) {
      const why = e instanceof Error && e.cause !== undefined ? e.cause : e;
      issues.push(
        `REGISTRAR_GENERATOR_TOKEN_FILE ${split.config.tokenFile}: ${describeError(why)}`,
      );
    }
  }
  let kc;
  try {
    kc = loadKubeConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || !config || !split.config || !tokens || !kc) {
    throw new ConfigError(issues);
  }
  return start(config, split.config, tokens, kc, deps);
}

async function start(
  config: RegistrarConfig,
  split: SplitRegistrarConfig,
  tokens: TokenProvider,
  kc: ReturnType<typeof loadKubeConfig>,
  deps: { readonly log: Logger; readonly defaultMetrics?: boolean },
): Promise<SplitRegistrar> {
  const log = deps.log;
  const metrics = new Registry();
  if (deps.defaultMetrics) collectDefaultMetrics({ register: metrics });

  const feed = new GeneratorFeed({
    reader: httpFleetReader({
      baseUrl: split.generatorUrl,
      token: () => tokens.current(),
      timeoutMs: split.generatorTimeoutSeconds * 1000,
    }),
    pollSeconds: split.pollSeconds,
    log: log.child({ component: 'fleet-feed' }),
    metrics,
  });
  log.info('registrar reading the fleet from the generator', {
    generator: split.generatorUrl,
    pollSeconds: split.pollSeconds,
  });
  await feed.start();
  const handle = await startRegistrar({
    config,
    secrets: kubeSecretStore(kc, config.namespace),
    leases: kubeLeaseStore(kc, config.namespace),
    feed,
    fleetReadFailing: () => feed.state().lastError !== undefined,
    log: log.child({ component: 'registrar' }),
    metrics,
  });

  const server: Server = createStatusServer({
    tokens,
    metrics,
    log,
    status: () => {
      const fleet = feed.state();
      const leader = handle.isLeader();
      // A replica that does not lead has no current view of the Secrets: it shows none rather than an old one.
      const state = leader ? handle.state() : undefined;
      return {
        installation: config.installationId,
        namespace: config.namespace,
        leader,
        dryRun: config.dryRun,
        prune: config.prune,
        fleet: {
          lastAcceptedAt:
            fleet.lastSuccessAt === undefined ? null : new Date(fleet.lastSuccessAt).toISOString(),
          lastError: fleet.lastError ?? null,
          clusters: fleet.clusters ?? null,
        },
        lastReconcile: state === undefined ? null : { at: state.at, result: state.result },
        registered: state?.registered ?? [],
        foreign: state?.foreign ?? [],
        pending: state?.pending ?? [],
        kept: state?.kept ?? [],
      };
    },
  });
  let port: number;
  try {
    port = await listenStatusServer(server, split.host, split.port);
  } catch (e) {
    await Promise.all([handle.stop(), feed.stop()]);
    throw e;
  }
  log.info('registrar status listening', { host: split.host, port });

  let stopping: Promise<void> | undefined;
  return {
    port,
    handle,
    feed,
    metrics,
    stop: () => {
      stopping ??= (async () => {
        const closed = closeStatusServer(server);
        await feed.stop();
        await handle.stop();
        await closed;
      })();
      return stopping;
    },
  };
}

/** The process: JSON log lines on stdout, exit 78 on bad configuration, a clean stop on SIGTERM/SIGINT. */
export async function runRegistrarProcess(env: NodeJS.ProcessEnv): Promise<void> {
  await runComponentProcess(env, 'eks-cluster-registrar', startSplitRegistrar);
}
