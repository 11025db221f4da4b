/**
 * Composition root of the eks-cluster-generator: config → token → source → registry → app → listen, plus the
 * optional registrar, and graceful shutdown. Everything else lives in modules that tests drive directly.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { describeError } from '../core/errors';
import { createJsonLogger, type Logger } from '../core/logger';
import { createClusterSource } from '../plugins/cluster-sources';
import {
  isFleetParseWorker,
  runFleetParseWorker,
} from '../plugins/cluster-sources/fleet-parse-worker';
import { createApp, GET_PARAMS_PATH } from './app';
import { loadServiceConfig, type ServiceConfig } from './config';
import type { TokenProvider } from './http/auth';
import { applyConnectionTimeouts, guardServer } from './http/server-guards';
import { createServiceMetrics } from './metrics';
import { createFleetRegistry } from './snapshot/fleet-snapshots';
import { createResponseCache } from './http/response-cache';
import { createStateSync } from './snapshot/state';
import { tokenFromFile } from './token-file';
import { GENERATOR_VERSION, generatorUsage } from './usage';

const EX_USAGE = 64;
const EX_CONFIG = 78;

function fail(message: string, code = EX_CONFIG): never {
  process.stderr.write(`eks-cluster-generator: ${message}\n`);
  process.exit(code);
}

/** The token provider, and the token itself only when it was generated for --demo (to print it). */
function resolveTokens(
  config: ServiceConfig,
  demo: boolean,
  log: Logger,
): { tokens: TokenProvider; generated?: string } {
  const t = config.token;
  if (t?.kind === 'env') return { tokens: { current: () => t.value } };
  if (t?.kind === 'file') {
    try {
      return { tokens: tokenFromFile(t.path, { log }) };
    } catch (e) {
      return fail(describeError(e));
    }
  }
  if (!demo) {
    return fail(
      'no bearer token configured: set GENERATOR_TOKEN or GENERATOR_TOKEN_FILE (or run with --demo to use a generated one)',
    );
  }
  const token = randomBytes(24).toString('base64url');
  return { tokens: { current: () => token }, generated: token };
}

function printDemoBanner(
  config: ServiceConfig,
  fleet: string,
  port: number,
  token: string | undefined,
): void {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const bearer = token ?? '$GENERATOR_TOKEN';
  const body = JSON.stringify({
    applicationSetName: 'demo',
    input: { parameters: { selector: { matchLabels: { env: 'prod' } } } },
  });
  process.stderr.write(
    [
      `eks-cluster-generator demo mode: serving ${fleet} on ${config.host}:${port}.`,
      token === undefined
        ? 'Using the configured token.'
        : `Generated bearer token for this run: ${token}`,
      'Try:',
      `  curl -sS -H 'Authorization: Bearer ${bearer}' -d '${body}' http://${host}:${port}${GET_PARAMS_PATH}`,
      '',
    ].join('\n'),
  );
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(generatorUsage());
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${GENERATOR_VERSION}\n`);
    return;
  }
  const unknown = argv.filter((a) => a !== '--demo');
  if (unknown.length > 0) {
    fail(`unknown argument ${JSON.stringify(unknown[0])} (see --help)`, EX_USAGE);
  }
  const demo = argv.includes('--demo');
  const loaded = loadServiceConfig(env, { demo });
  if ('issues' in loaded) fail(`invalid configuration:\n  - ${loaded.issues.join('\n  - ')}`);
  const { config } = loaded;
  const log = createJsonLogger(process.stdout, config.logLevel, {
    service: 'eks-cluster-generator',
  });

  const { tokens, generated } = resolveTokens(config, demo, log);
  const metrics = createServiceMetrics({ defaultMetrics: true });
  const selected = createClusterSource(config.clusterSource, {
    log: log.child({ component: 'source' }),
    env,
    demo,
  });
  if ('issues' in selected) fail(`invalid configuration:\n  - ${selected.issues.join('\n  - ')}`);
  // Loaded only when configured, so the default service never loads the Kubernetes client.
  const storeAt = config.stateStore;
  const stateStore = storeAt
    ? await import('./snapshot/state/open-configmap-store.js')
        .then((m) => m.openConfigMapStateStore(storeAt, env))
        .catch((e: unknown) => fail(`fleet state store: ${describeError(e)}`))
    : undefined;
  const registry = createFleetRegistry({
    source: selected.source,
    log: log.child({ component: 'registry' }),
    metrics,
    absenceRefreshes: config.absenceRefreshes,
    ...(stateStore ? { state: createStateSync(stateStore) } : {}),
  });
  const app = createApp({
    registry,
    tokens,
    log: log.child({ component: 'http' }),
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
    responseCache: createResponseCache(config.responseCacheEntries, {
      maxBytes: config.responseCacheMaxBytes,
    }),
  });

  const server: Server = createServer(app).listen(config.port, config.host);
  guardServer(server);
  applyConnectionTimeouts(server);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch((e: unknown) =>
    fail(`cannot listen on ${config.host}:${config.port}: ${describeError(e)}`, 1),
  );
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  if (demo) printDemoBanner(config, selected.description, port, generated);
  log.info('listening', {
    host: config.host,
    port,
    source: config.clusterSource,
    demo,
  });
  void registry.start();

  let registrar: { stop(): Promise<void> } | undefined;
  if (config.registrarEnabled) {
    // Loaded only when enabled, so the default service never loads the Kubernetes client.
    const { startRegistrarFromEnv } = await import('./registrar/index.js');
    try {
      registrar = await startRegistrarFromEnv(env, {
        feed: registry,
        log,
        metrics: metrics.registry,
      });
    } catch (e) {
      fail(`registrar: ${describeError(e)}`);
    }
  }

  let fleetView: { close(): Promise<void> } | undefined;
  const viewConfig = config.fleetView;
  if (viewConfig !== undefined) {
    // Loaded only when enabled; its own listener, never on getparams' port.
    const { startFleetView } = await import('./fleet-view/start.js');
    fleetView = await startFleetView(viewConfig, {
      registry,
      generatorTokens: tokens,
      log: log.child({ component: 'fleet-view' }),
      kubeConfig: () => import('./registrar/index.js').then((m) => m.loadKubeConfig(env)),
    }).catch((e: unknown) =>
      fail(
        `fleet view: cannot listen on ${viewConfig.host}:${viewConfig.port}: ${describeError(e)}`,
        1,
      ),
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => {
      log.warn('in-flight requests did not finish in time; exiting', {
        timeoutMs: config.shutdownTimeoutMs,
      });
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    void Promise.all([closed, fleetView?.close()])
      .then(() => Promise.all([registry.stop(), registrar?.stop()]))
      .then(() => selected.source.close?.())
      .then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (e: unknown) => {
          log.error('shutdown failed', { error: describeError(e) });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

// The file source parses large fleet files in a child process running this same bundle: there, only the parser runs.
if (isFleetParseWorker()) {
  runFleetParseWorker();
} else if (process.argv[2] === 'registrar') {
  // The registrar as its own process (generator-service/registrar/README.md); loads the Kubernetes client only here.
  import('./registrar/command.js')
    .then((m) => m.runRegistrarProcess(process.env))
    .catch((e: unknown) => fail(`registrar: fatal: ${describeError(e)}`, 1));
} else if (process.argv[2] === 'upgrade-controller') {
  // The blue/green upgrade controller as its own process (generator-service/upgrades/README.md).
  import('./upgrades/command.js')
    .then((m) => m.runUpgradeControllerProcess(process.env))
    .catch((e: unknown) => fail(`upgrade-controller: fatal: ${describeError(e)}`, 1));
} else {
  main(process.argv.slice(2), process.env).catch((e: unknown) => {
    fail(`fatal: ${describeError(e)}`, 1);
  });
}
