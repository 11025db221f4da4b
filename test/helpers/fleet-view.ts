import type { ClusterRecord } from '../../core/cluster';
import { silentLogger } from '../../core/logger';
import type { AddonDefaults } from '../../core/snapshot';
import { loadKubeConfig } from '../../generator-service/registrar/index';
import type { FleetViewConfig } from '../../generator-service/fleet-view/config';
import { startFleetView } from '../../generator-service/fleet-view/start';
import { createServiceMetrics } from '../../generator-service/metrics';
import {
  createFleetRegistry,
  type FleetRegistry,
} from '../../generator-service/snapshot/fleet-snapshots';
import type { ClusterSource } from '../../plugins/cluster-sources/source';
import { staticSource } from './generator';

export const VIEWER_TOKEN = 'viewer-token-for-tests-0123456789';
export const GENERATOR_TOKEN = 'generator-token-for-tests-9876543210';

export interface RunningFleetView {
  /** `http://127.0.0.1:<port>` of the view. */
  readonly url: string;
  readonly registry: FleetRegistry;
  close(): Promise<void>;
}

/**
 * The real fleet view (startFleetView, its own listener on an ephemeral port) over a real registry reading
 * `records` (or `source`), with the test tokens. Sources not given are not installed.
 */
export async function startTestFleetView(opts: {
  readonly records?: readonly ClusterRecord[];
  readonly addonDefaults?: AddonDefaults;
  readonly source?: ClusterSource;
  readonly config?: Partial<FleetViewConfig>;
  readonly env?: NodeJS.ProcessEnv;
}): Promise<RunningFleetView> {
  const registry = createFleetRegistry({
    source: opts.source ?? staticSource(opts.records ?? [], opts.addonDefaults ?? {}),
    log: silentLogger,
    metrics: createServiceMetrics(),
  });
  await registry.refresh();
  const view = await startFleetView(
    {
      port: 0,
      host: '127.0.0.1',
      token: { kind: 'env', value: VIEWER_TOKEN },
      sessionMs: 3600_000,
      registrarUrl: undefined,
      registrarTokenFile: undefined,
      upgradesNamespace: undefined,
      sourceTtlMs: 60_000,
      ...opts.config,
    },
    {
      registry,
      generatorTokens: { current: () => GENERATOR_TOKEN },
      log: silentLogger,
      kubeConfig: () => Promise.resolve(loadKubeConfig(opts.env ?? {})),
    },
  );
  return {
    url: `http://127.0.0.1:${view.port}`,
    registry,
    close: async () => {
      await registry.stop();
      view.server.closeAllConnections();
      await view.close();
    },
  };
}
