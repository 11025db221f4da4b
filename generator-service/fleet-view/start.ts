/**
 * Starts the fleet view next to the generator (main.ts imports this module only with FLEET_VIEW=true): its
 * tokens, its sources and its own listener on FLEET_VIEW_PORT.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { TokenProvider } from '../http/auth';
import { applyConnectionTimeouts, guardServer } from '../http/server-guards';
import type { FleetRegistry } from '../snapshot/fleet-snapshots';
import { tokenFromFile } from '../token-file';
import type { FleetViewConfig } from './config';
import { VIEWER_TOKEN_MIN_LENGTH } from './config';
import { createFleetViewListener } from './server';
import { clusterUpgradesRead } from './sources/cluster-upgrades';
import { registrarStatusRead } from './sources/registrar-status';
import { cachedSource } from './sources/source-state';
import { createViewerAuth } from './viewer-auth';

export interface StartedFleetView {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Replaces every known secret in a message (the tokens in force now), whatever produced it. */
export function redactor(secrets: readonly TokenProvider[]): (text: string) => string {
  return (text) => {
    let out = text;
    for (const s of secrets) {
      const t = s.current()?.trim();
      if (t !== undefined && t.length >= 4) out = out.split(t).join('[redacted]');
    }
    // AWS access key ids, should a message ever carry one.
    return out.replace(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, '[redacted]');
  };
}

export async function startFleetView(
  config: FleetViewConfig,
  deps: {
    readonly registry: Pick<FleetRegistry, 'current' | 'readiness' | 'partStates'>;
    readonly generatorTokens: TokenProvider;
    readonly log: Logger;
    /**
     * The Kubernetes client configuration for reading ClusterUpgrades, asked only when a namespace is set (the
     * composition root loads the client lazily, so a view without upgrades never loads it).
     */
    readonly kubeConfig: () => Promise<KubeConfig>;
  },
): Promise<StartedFleetView> {
  const { log } = deps;
  const viewer: TokenProvider =
    config.token.kind === 'env'
      ? { current: () => (config.token as { value: string }).value }
      : tokenFromFile(config.token.path, { log });
  if (config.token.kind === 'file') {
    // The file is read here first; FLEET_VIEW_TOKEN itself was checked with the rest of the configuration.
    const length = viewer.current()?.length ?? 0;
    if (length < VIEWER_TOKEN_MIN_LENGTH) {
      throw new ConfigError([
        `FLEET_VIEW_TOKEN_FILE ${config.token.path}: the viewer token has ${length} characters; it needs at least ${VIEWER_TOKEN_MIN_LENGTH}`,
      ]);
    }
  }
  const registrarTokens = config.registrarTokenFile
    ? tokenFromFile(config.registrarTokenFile, { log })
    : deps.generatorTokens;
  // The Kubernetes client is loaded only when ClusterUpgrades are to be read.
  let kc: KubeConfig | undefined;
  let kubeProblem: string | undefined;
  if (config.upgradesNamespace !== undefined) {
    try {
      kc = await deps.kubeConfig();
    } catch (e) {
      kubeProblem = describeError(e);
      log.warn('fleet view: ClusterUpgrades not read (no Kubernetes client configuration)', {
        error: kubeProblem,
      });
    }
  }
  const upgradesRead = clusterUpgradesRead(kc, config.upgradesNamespace);
  const listener = createFleetViewListener({
    registry: deps.registry,
    auth: createViewerAuth({
      viewer,
      generator: deps.generatorTokens,
      sessionMs: config.sessionMs,
    }),
    registrar: cachedSource(
      registrarStatusRead(config.registrarUrl, registrarTokens),
      config.sourceTtlMs,
    ),
    upgrades: cachedSource(
      kubeProblem === undefined
        ? upgradesRead
        : () => Promise.resolve({ notInstalled: kubeProblem ?? '' }),
      config.sourceTtlMs,
    ),
    redact: redactor([viewer, deps.generatorTokens, registrarTokens]),
    sessionMs: config.sessionMs,
    log,
  });
  const server = createServer(listener);
  guardServer(server);
  applyConnectionTimeouts(server);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(config.port, config.host);
  });
  const port = (server.address() as AddressInfo).port;
  log.info('fleet view listening', {
    host: config.host,
    port,
    registrar: config.registrarUrl ?? null,
    upgradesNamespace: config.upgradesNamespace ?? null,
  });
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
