import type { ClusterRecord } from '../../../core/cluster';
import { createJsonLogger } from '../../../core/logger';
import type { AddonDefaults } from '../../../core/snapshot';
import { createApp } from '../../../generator-service/app';
import { guardServer } from '../../../generator-service/http/server-guards';
import { createServiceMetrics } from '../../../generator-service/metrics';
import type { ResponseCache } from '../../../generator-service/http/response-cache';
import { createFleetRegistry } from '../../../generator-service/snapshot/fleet-snapshots';
import type { ClusterSource } from '../../../plugins/cluster-sources/source';
import { serveGenerator, staticSource } from '../../helpers/generator';

export interface HostileGenerator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Every JSON log line the app wrote (debug level and up). */
  readonly logs: string[];
  /** Replaces the token the service expects (rotation: the provider is asked on every request). */
  setToken(token: string | undefined): void;
  metricsText(): Promise<string>;
  /** One registry refresh from the source (after injecting a fault, say). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real generator app, wired as generator-service/main.ts wires it (app + server guards) on 127.0.0.1:0, with
 * a logger that records every line, so hostile-input and leak tests can read what the service said.
 */
export async function startHostileGenerator(opts: {
  records?: readonly ClusterRecord[];
  source?: ClusterSource;
  token: string;
  addonDefaults?: AddonDefaults;
  bodyLimitBytes?: number;
  responseCache?: ResponseCache;
}): Promise<HostileGenerator> {
  let token: string | undefined = opts.token;
  const logs: string[] = [];
  const log = createJsonLogger({ write: (line: string) => logs.push(line) }, 'debug', {
    service: 'eks-cluster-generator',
  });
  const metrics = createServiceMetrics();
  const registry = createFleetRegistry({
    source: opts.source ?? staticSource(opts.records ?? [], opts.addonDefaults ?? {}),
    log: log.child({ component: 'registry' }),
    metrics,
  });
  await registry.refresh();
  const app = createApp({
    registry,
    tokens: { current: () => token?.trim() },
    log: log.child({ component: 'http' }),
    metrics,
    ...(opts.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: opts.bodyLimitBytes }),
    ...(opts.responseCache === undefined ? {} : { responseCache: opts.responseCache }),
  });
  const served = await serveGenerator(app, registry);
  guardServer(served.server);
  return {
    url: served.url,
    port: served.port,
    logs,
    setToken: (t) => {
      token = t;
    },
    metricsText: () => metrics.registry.metrics(),
    refresh: () => registry.refresh(),
    close: served.close,
  };
}
