import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterRecord } from '../../core/cluster';
import { silentLogger } from '../../core/logger';
import type { AddonDefaults } from '../../core/snapshot';
import { createApp } from '../../generator-service/app';
import { createServiceMetrics } from '../../generator-service/metrics';
import {
  createFleetRegistry,
  type FleetRegistry,
} from '../../generator-service/snapshot/fleet-snapshots';
import { readExampleFleet } from '../../plugins/cluster-sources/examples';
import type { ClusterSource } from '../../plugins/cluster-sources/source';

export interface StartedGenerator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (what an Argo CD ConfigMap `baseUrl` would hold). */
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/** A source that always returns the same records, from one part `static:test`. */
export function staticSource(
  records: readonly ClusterRecord[],
  addonDefaults: AddonDefaults = {},
): ClusterSource {
  const loadedAt = Date.now();
  return {
    kind: 'file',
    load: () =>
      Promise.resolve({
        records,
        parts: [{ id: 'static:test', lastSuccessAt: loadedAt, lastError: undefined }],
        addonDefaults,
      }),
  };
}

/**
 * Starts the real generator app on 127.0.0.1 (ephemeral port) serving `records` from an in-memory source.
 * Rejects when the records cannot form a registry (duplicate names, bad tags), with the registry's reason.
 */
export async function startGenerator(opts: {
  records: ClusterRecord[];
  token?: string;
  addonDefaults?: AddonDefaults;
}): Promise<StartedGenerator> {
  const token = opts.token ?? 'test-generator-token';
  const metrics = createServiceMetrics();
  const registry = createFleetRegistry({
    source: staticSource(opts.records, opts.addonDefaults ?? {}),
    log: silentLogger,
    metrics,
  });
  await registry.refresh();
  const ready = registry.readiness();
  if (!ready.ready) throw new Error(`startGenerator: registry not ready: ${ready.reason}`);
  const app = createApp({
    registry,
    tokens: { current: () => token.trim() },
    log: silentLogger,
    metrics,
  });
  const served = await serveGenerator(app, registry);
  return { url: served.url, token, close: served.close };
}

export interface ServedGenerator {
  readonly server: Server;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the registry's refreshes, drops open connections and closes the server. */
  readonly close: () => Promise<void>;
}

/** Serves a generator app on 127.0.0.1 (ephemeral port), resolving once it listens. */
export async function serveGenerator(
  app: RequestListener,
  registry: FleetRegistry,
): Promise<ServedGenerator> {
  const server = createServer(app).listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      await registry.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((err) => (err ? reject(err) : resolve())),
      );
    },
  };
}

/** The bundled example fleet (plugins/cluster-sources/examples/fleet.yaml) as records. */
export function loadExampleFleet(): ClusterRecord[] {
  return [...readExampleFleet().records];
}

/** The bundled example fleet's add-on defaults. */
export function loadExampleAddonDefaults(): AddonDefaults {
  return readExampleFleet().addonDefaults;
}

/** A valid record for tests; override what the case is about. */
export function aClusterRecord(
  over: Partial<ClusterRecord> & { clusterName: string },
): ClusterRecord {
  const accountId = over.accountId ?? '012345678901';
  const region = over.region ?? 'eu-west-1';
  return {
    accountId,
    region,
    arn: `arn:aws:eks:${region}:${accountId}:cluster/${over.clusterName}`,
    version: '1.30',
    platformVersion: 'eks.20',
    status: 'ACTIVE',
    endpoint: `https://${'0123456789ABCDEF0123456789ABCDEF'}.gr7.${region}.eks.amazonaws.com`,
    oidcIssuer: `https://oidc.eks.${region}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`,
    vpcId: 'vpc-0123456789abcdef0',
    tags: {},
    caData: '',
    ...over,
  };
}
