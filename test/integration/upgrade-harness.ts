/**
 * The world of a blue/green upgrade, every part over HTTP: the fake EKS holding each group's pair (blue on 1.31,
 * green on 1.32), the real generator on the real EKS source in front of it (behind a recording proxy, so every
 * answer it gives during a run can be checked), the fake Kubernetes API with the example ApplicationSet, an Argo CD
 * emulation that renders ApplicationSets with cmp-sidecar/argocd and writes their Applications, a fake Prometheus, and
 * upgrade controllers built the way the `upgrade-controller` subcommand builds them. One clock drives bake times,
 * leases and the Applications' reconcile times, so runs need no sleeping.
 */
import fs from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { Registry } from 'prom-client';
import YAML from 'yaml';
import { createJsonLogger, silentLogger } from '../../core/logger';
import { createApp } from '../../generator-service/app';
import { createServiceMetrics } from '../../generator-service/metrics';
import { loadKubeConfig } from '../../generator-service/registrar/index';
import { kubeLeaseStore } from '../../generator-service/registrar/kube-stores';
import type { FleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import { createFleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import { sdkEksUpgradeApi } from '../../generator-service/upgrades/aws';
import type { UpgradeController } from '../../generator-service/upgrades/controller';
import { startUpgradeController } from '../../generator-service/upgrades/controller';
import { httpGeneratorClient } from '../../generator-service/upgrades/generator-client';
import {
  kubeArgoStore,
  kubeEventSink,
  kubeUpgradeStore,
} from '../../generator-service/upgrades/kube-stores';
import { httpPrometheusClient } from '../../generator-service/upgrades/prometheus';
import { REFRESH_ANNOTATION } from '../../generator-service/upgrades/argo-sync';
import type { UpgradeStatus } from '../../generator-service/upgrades/status';
import { eksSourceFromEnv } from '../../plugins/cluster-sources/eks';
import { pluginGeneratorEnv, renderApplicationSet } from '../../cmp-sidecar/argocd/applicationset';
import { AwsFake } from '../fakes/aws/aws-fake';
import { pointSdkAt } from '../fakes/aws/eks-harness';
import type { FakeAddon } from '../fakes/aws/fleet';
import { writeKubeconfig } from '../fakes/kube-api/kubeconfig';
import type { FakeKubeApi, KubeObject } from '../fakes/kube-api/server';
import { startFakeKubeApi } from '../fakes/kube-api/server';
import type { FakePrometheus } from '../fakes/prometheus/server';
import { startFakePrometheus } from '../fakes/prometheus/server';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const NS = 'argocd';
const TOKEN = 'upgrade-test-generator-token';
const REPO = path.resolve(__dirname, '..', '..');

const GROUP_TAG = 'argocd-eks-plugins/upgrade-group';
const COLOR_TAG = 'argocd-eks-plugins/upgrade-color';
const WEIGHT_TAG = 'argocd-eks-plugins/upgrade-weight';

/** The add-on catalogue of the fake, with Kubernetes 1.32 in it. */
export const ADDONS: readonly FakeAddon[] = [
  {
    addonName: 'vpc-cni',
    versions: [
      { addonVersion: 'v1.19.2-eksbuild.1', compat: { '1.32': true, '1.31': true } },
      { addonVersion: 'v1.18.3-eksbuild.2', compat: { '1.30': true, '1.29': true } },
    ],
  },
  {
    addonName: 'coredns',
    versions: [
      { addonVersion: 'v1.11.4-eksbuild.2', compat: { '1.32': true, '1.31': false } },
      { addonVersion: 'v1.11.3-eksbuild.1', compat: { '1.31': true, '1.30': true } },
    ],
  },
];

export interface Answer {
  readonly status: number;
  readonly names: readonly string[];
}

export interface Controller {
  readonly name: string;
  readonly controller: UpgradeController;
  readonly registry: Registry;
  readonly logs: () => Record<string, unknown>[];
  /** Election round then one reconcile round. */
  round(): Promise<void>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export interface UpgradeHarness {
  readonly fake: AwsFake;
  readonly api: FakeKubeApi;
  readonly prometheus: FakePrometheus;
  readonly registry: FleetRegistry;
  readonly clock: { now: number };
  /** Every answer of the generator (status and cluster names), through the recording proxy. */
  readonly answers: Answer[];
  /** Applications' health on each sync of the emulation: (name, color) → Healthy by default. */
  health: (app: { name: string; color: string }) => string;
  /** PostSync hook phase of the Applications (default Succeeded). */
  hookPhase: (app: { name: string; color: string }) => string;
  controller(name: string): Promise<Controller>;
  createUpgrade(name: string, spec: Record<string, unknown>): void;
  upgrade(name: string): { status: UpgradeStatus; generation: number } | undefined;
  /** What Argo CD would do now: the generator refreshes, annotated ApplicationSets are rendered and synced. */
  argoTick(): Promise<void>;
  /** Rounds of: controller round, Argo CD tick, clock forward by `stepMs`, until `done` or `max` rounds. */
  drive(
    c: Controller,
    done: (s: UpgradeStatus | undefined) => boolean,
    opts?: { max?: number; stepMs?: number; name?: string },
  ): Promise<UpgradeStatus | undefined>;
  /** The weights of a cluster's tags in the fake EKS. */
  weight(cluster: string): number;
  arn(cluster: string): string;
  close(): Promise<void>;
}

export async function startUpgradeHarness(
  opts: { groups?: readonly string[]; greenAddons?: Record<string, string> } = {},
): Promise<UpgradeHarness> {
  const groups = opts.groups ?? ['checkout'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upgrades-'));
  const clock = { now: Date.parse('2026-12-07T10:00:00Z') };

  const fake = await AwsFake.start({ homeAccount: ACCOUNT });
  pointSdkAt(fake);
  fake.setAddons(ADDONS);
  for (const group of groups) {
    fake.addCluster(ACCOUNT, REGION, {
      name: `${group}-blue`,
      version: '1.31',
      tags: { argocd: 'enabled', [GROUP_TAG]: group, [COLOR_TAG]: 'blue', [WEIGHT_TAG]: '100' },
      addons: { 'vpc-cni': 'v1.19.2-eksbuild.1', coredns: 'v1.11.3-eksbuild.1' },
    });
    fake.addCluster(ACCOUNT, REGION, {
      name: `${group}-green`,
      version: '1.32',
      tags: { argocd: 'enabled', [GROUP_TAG]: group, [COLOR_TAG]: 'green', [WEIGHT_TAG]: '0' },
      addons: opts.greenAddons ?? {
        'vpc-cni': 'v1.19.2-eksbuild.1',
        coredns: 'v1.11.4-eksbuild.2',
      },
    });
  }

  // The generator: EKS source on the SDK on the fake, the real app, a recording proxy in front.
  const built = eksSourceFromEnv(
    {
      ...process.env,
      EKS_REGIONS: REGION,
      EKS_ENROLL_SELECTOR: 'argocd=enabled',
      EKS_CALL_TIMEOUT_MS: '3000',
    },
    { log: silentLogger, retryStrategy: new ConfiguredRetryStrategy(3, 1) },
  );
  if ('issues' in built) throw new Error(built.issues.join('; '));
  const source = built.source;
  const registry = createFleetRegistry({
    source,
    log: silentLogger,
    metrics: createServiceMetrics(),
  });
  await registry.refresh();
  const app = createApp({
    registry,
    tokens: { current: () => TOKEN },
    log: silentLogger,
    metrics: createServiceMetrics(),
  });
  const generator = await listen(createServer(app));
  const answers: Answer[] = [];
  const proxy = await listen(recordingProxy(port(generator), answers));
  const generatorUrl = `http://127.0.0.1:${port(proxy)}`;
  const tokenFile = path.join(dir, 'token');
  fs.writeFileSync(tokenFile, TOKEN);

  const api = await startFakeKubeApi({
    users: { 'token-a': 'controller-a', 'token-b': 'controller-b' },
  });
  const appSet = YAML.parse(
    fs.readFileSync(path.join(REPO, 'manifests/examples/blue-green-traffic.yaml'), 'utf8'),
  ) as KubeObject;
  api.seed('applicationsets', appSet);

  const prometheus = await startFakePrometheus();
  const started: Controller[] = [];
  const argoEnv = pluginGeneratorEnv({ baseUrl: generatorUrl, token: TOKEN });

  const h: UpgradeHarness = {
    fake,
    api,
    prometheus,
    registry,
    clock,
    answers,
    health: () => 'Healthy',
    hookPhase: () => 'Succeeded',
    controller: async (name) => {
      const kubeconfig = writeKubeconfig(dir, api.url, `token-${name}`, `${name}.kubeconfig`);
      const kc = loadKubeConfig({ KUBECONFIG: kubeconfig });
      const lines: string[] = [];
      const log = createJsonLogger({ write: (l: string) => lines.push(l) }, 'debug', { name });
      const metrics = new Registry();
      const eks = sdkEksUpgradeApi({
        roleArnTemplate: undefined,
        callTimeoutMs: 3000,
        retryStrategy: new ConfiguredRetryStrategy(3, 1),
      });
      const controller = await startUpgradeController({
        deps: {
          upgrades: kubeUpgradeStore(kc, NS),
          argo: kubeArgoStore(kc, NS),
          events: kubeEventSink(kc, NS, 'argocd-eks-upgrade-controller'),
          generator: httpGeneratorClient({
            baseUrl: generatorUrl,
            token: () => TOKEN,
            timeoutMs: 3000,
          }),
          eks,
          prometheus: httpPrometheusClient({ timeoutMs: 3000 }),
          prometheusUrl: prometheus.url,
          generatorConfigMap: 'eks-cluster-generator',
        },
        leases: kubeLeaseStore(kc, NS),
        lease: {
          name: 'argocd-eks-plugins-upgrade-controller',
          durationSeconds: 15,
          identity: name,
        },
        resyncSeconds: 3600,
        log,
        metrics,
        now: () => clock.now,
        loops: false,
      });
      const c: Controller = {
        name,
        controller,
        registry: metrics,
        logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
        round: async () => {
          await controller.elector.tryAcquireOrRenew();
          await controller.reconcileAll();
        },
        metric: async (metric, labels = {}) => {
          const m = metrics.getSingleMetric(metric);
          if (!m) throw new Error(`no metric ${metric}`);
          const { values } = await m.get();
          return values
            .filter((v) =>
              Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
            )
            .reduce((sum, v) => sum + v.value, 0);
        },
      };
      started.push(c);
      return c;
    },
    createUpgrade: (name, spec) => {
      api.seed('clusterupgrades', {
        apiVersion: 'argocd-eks-plugins.io/v1alpha1',
        kind: 'ClusterUpgrade',
        metadata: { name, namespace: NS },
        spec,
      });
    },
    upgrade: (name) => {
      const o = api.get('clusterupgrades', NS, name);
      if (o === undefined) return undefined;
      return {
        status: o['status'] ?? {},
        generation: Number(o.metadata['generation'] ?? 1),
      };
    },
    argoTick: async () => {
      await registry.refresh();
      for (const set of api.list('applicationsets', NS)) {
        const annotations = { ...(set.metadata.annotations ?? {}) };
        if (annotations[REFRESH_ANNOTATION] === undefined) continue;
        await syncApplicationSet(h, set, argoEnv);
        delete annotations[REFRESH_ANNOTATION];
        api.seed('applicationsets', { ...set, metadata: { ...set.metadata, annotations } });
      }
    },
    drive: async (c, done, o = {}) => {
      const name = o.name ?? 'checkout-1-32';
      for (let i = 0; i < (o.max ?? 60); i++) {
        await c.round();
        if (done(h.upgrade(name)?.status)) break;
        await h.argoTick();
        clock.now += o.stepMs ?? 20_000;
      }
      return h.upgrade(name)?.status;
    },
    weight: (cluster) =>
      Number(fake.cluster(ACCOUNT, REGION, cluster)?.tags?.[WEIGHT_TAG] ?? 'NaN'),
    arn: (cluster) => `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${cluster}`,
    close: async () => {
      for (const c of started) await c.controller.stop();
      await registry.stop();
      source.close?.();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await new Promise<void>((resolve) => generator.close(() => resolve()));
      await api.close();
      await prometheus.close();
      await fake.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  // Argo CD has synced the ApplicationSet once before any upgrade starts.
  await syncApplicationSet(h, appSet, argoEnv);
  return h;
}

/** Renders one ApplicationSet as Argo CD would and writes its Applications, Synced and (by default) Healthy. */
async function syncApplicationSet(
  h: UpgradeHarness,
  set: KubeObject,
  env: ReturnType<typeof pluginGeneratorEnv>,
): Promise<void> {
  const r = await renderApplicationSet(set, env);
  if ('error' in r) throw new Error(`Argo CD emulation: ${r.error}`);
  const at = new Date(h.clock.now).toISOString();
  for (const a of r.applications) {
    const color = a.metadata.labels?.['upgrade-color'] ?? '';
    h.api.seed('applications', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        ...a.metadata,
        ownerReferences: [
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'ApplicationSet',
            name: set.metadata.name,
            uid: set.metadata.uid,
          },
        ],
      },
      spec: a.spec,
      status: {
        sync: { status: 'Synced', revision: '4f1c2e9' },
        health: { status: h.health({ name: a.metadata.name, color }) },
        reconciledAt: at,
        operationState: {
          phase: 'Succeeded',
          syncResult: {
            resources: [
              {
                kind: 'Job',
                name: 'smoke-test',
                hookType: 'PostSync',
                hookPhase: h.hookPhase({ name: a.metadata.name, color }),
              },
            ],
          },
        },
      },
    });
  }
}

function recordingProxy(target: number, answers: Answer[]): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { ...req.headers };
      // Plain answers, so they can be read here; the client takes them as they come.
      delete headers['accept-encoding'];
      const up = request(
        { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers },
        (ur) => {
          const out: Buffer[] = [];
          ur.on('data', (c: Buffer) => out.push(c));
          ur.on('end', () => {
            const body = Buffer.concat(out);
            let names: string[];
            try {
              const parsed = JSON.parse(body.toString('utf8')) as {
                output?: { parameters?: { name: string }[] };
              };
              names = (parsed.output?.parameters ?? []).map((p) => p.name);
            } catch {
              names = [];
            }
            answers.push({ status: ur.statusCode ?? 0, names });
            res.writeHead(ur.statusCode ?? 502, ur.headers);
            res.end(body);
          });
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      up.end(Buffer.concat(chunks));
    });
  });
}

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function port(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/**
 * Fail closed through an upgrade: every answer the generator gave was a 200, and every answer holding one cluster
 * of a pair held the other too.
 */
export function pairsAlwaysServed(answers: readonly Answer[], groups: readonly string[]): string[] {
  const problems: string[] = [];
  answers.forEach((a, i) => {
    if (a.status !== 200) problems.push(`answer ${i}: HTTP ${a.status}`);
    for (const g of groups) {
      const has = [`${g}-blue`, `${g}-green`].map((n) => a.names.includes(n));
      if (has[0] !== has[1]) problems.push(`answer ${i}: ${a.names.join(',')} lacks half of ${g}`);
    }
  });
  return problems;
}

/** The weights of a pair after each TagResource, from the fake's write log, starting at blue 100 / green 0. */
export function weightHistory(h: UpgradeHarness, group: string): { blue: number; green: number }[] {
  const w = { blue: 100, green: 0 };
  const out: { blue: number; green: number }[] = [];
  for (const t of h.fake.tagWrites) {
    const value = t.tags[WEIGHT_TAG];
    if (value === undefined) continue;
    if (t.arn === h.arn(`${group}-blue`)) w.blue = Number(value);
    else if (t.arn === h.arn(`${group}-green`)) w.green = Number(value);
    else continue;
    out.push({ ...w });
  }
  return out;
}
