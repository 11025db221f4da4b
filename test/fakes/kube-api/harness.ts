/**
 * Starts registrar replicas against the fake Kubernetes API through the same path as startRegistrarFromEnv
 * (environment parsing, kubeconfig loading, the real @kubernetes/client-node stores), but returns the full handle
 * so tests can await reconciles and election rounds instead of sleeping.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import type { Logger } from '../../../core/logger';
import { createJsonLogger } from '../../../core/logger';
import type { SnapshotFeed } from '../../../core/snapshot';
import { parseRegistrarConfig } from '../../../generator-service/registrar/config';
import { loadKubeConfig } from '../../../generator-service/registrar/index';
import { kubeLeaseStore, kubeSecretStore } from '../../../generator-service/registrar/kube-stores';
import type { RegistrarHandle } from '../../../generator-service/registrar/registrar';
import { startRegistrar } from '../../../generator-service/registrar/registrar';
import { writeKubeconfig } from './kubeconfig';
import type { FakeKubeApi } from './server';
import { startFakeKubeApi } from './server';

export const NAMESPACE = 'argocd';

export interface Replica {
  readonly name: string;
  readonly handle: RegistrarHandle;
  readonly registry: Registry;
  readonly logs: Record<string, unknown>[];
  /** Every log line as written, to check that no secret material appears. */
  readonly rawLog: () => string;
  readonly clock: { now: number };
  /** A prometheus metric value (sum over matching label sets). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export interface Harness {
  readonly api: FakeKubeApi;
  readonly dir: string;
  /** Env for a replica: kubeconfig with the replica's token, plus these settings. */
  env(replica: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  start(
    replica: string,
    feed: SnapshotFeed,
    extra?: NodeJS.ProcessEnv,
    options?: { fakeClock?: boolean },
  ): Promise<Replica>;
  close(): Promise<void>;
}

export const TOKENS: Record<string, string> = {
  'replica-a': 'test-token-a',
  'replica-b': 'test-token-b',
};

export async function startHarness(): Promise<Harness> {
  const users = Object.fromEntries(Object.entries(TOKENS).map(([u, t]) => [t, u]));
  const api = await startFakeKubeApi({ users });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registrar-'));
  const started: Replica[] = [];

  const env = (replica: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    KUBECONFIG: writeKubeconfig(
      dir,
      api.url,
      TOKENS[replica] ?? 'unknown',
      `${replica}.kubeconfig`,
    ),
    POD_NAME: replica,
    REGISTRAR_ROLE_ARN: 'arn:aws:iam::{{accountId}}:role/argocd-manager',
    // Long periods: tests drive reconciles and election rounds themselves.
    REGISTRAR_RESYNC_SECONDS: '3600',
    REGISTRAR_LEASE_DURATION_SECONDS: '60',
    ...extra,
  });

  return {
    api,
    dir,
    env,
    start: async (replica, feed, extra = {}, options = {}) => {
      const e = env(replica, extra);
      const config = parseRegistrarConfig(e);
      const kc = loadKubeConfig(e);
      const lines: string[] = [];
      const log: Logger = createJsonLogger({ write: (l: string) => lines.push(l) }, 'debug', {
        replica,
      });
      const registry = new Registry();
      const clock = { now: Date.now() };
      const handle = await startRegistrar({
        config,
        secrets: kubeSecretStore(kc, config.namespace),
        leases: kubeLeaseStore(kc, config.namespace),
        feed,
        log,
        metrics: registry,
        ...(options.fakeClock ? { now: () => clock.now } : {}),
      });
      const r: Replica = {
        name: replica,
        handle,
        registry,
        get logs() {
          return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
        },
        rawLog: () => lines.join(''),
        clock,
        metric: async (name, labels = {}) => {
          const m = registry.getSingleMetric(name);
          if (!m) throw new Error(`no metric ${name}`);
          const { values } = await m.get();
          return values
            .filter((v) =>
              Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
            )
            .reduce((sum, v) => sum + v.value, 0);
        },
      };
      started.push(r);
      return r;
    },
    close: async () => {
      for (const r of started) await r.handle.stop();
      await api.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Secret's data decoded from base64. */
export function decodedData(obj: { [k: string]: unknown }): Record<string, string> {
  const data = (obj['data'] ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}
