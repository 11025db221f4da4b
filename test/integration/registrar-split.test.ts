/**
 * The registrar split from the generator, end to end over HTTP: the generator (createApp with a real registry)
 * serves the fleet, the `registrar` process's code (startSplitRegistrar) reads it with the generator's token and
 * writes cluster Secrets into the fake Kubernetes API through the real @kubernetes/client-node. Whatever the
 * generator answers when it fails — 503, or a degenerate 200 — no Secret is ever deleted.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ClusterRecord } from '../../core/cluster';
import { createJsonLogger } from '../../core/logger';
import type { SourcePart } from '../../core/snapshot';
import { createApp } from '../../generator-service/app';
import { createServiceMetrics } from '../../generator-service/metrics';
import {
  startSplitRegistrar,
  type SplitRegistrar,
} from '../../generator-service/registrar/command';
import { clusterSecretName } from '../../generator-service/registrar/desired';
import { encodeFleet } from '../../generator-service/registrar/fleet-wire';
import {
  createFleetRegistry,
  type FleetRegistry,
} from '../../generator-service/snapshot/fleet-snapshots';
import type { ClusterSource, SourceLoad } from '../../plugins/cluster-sources/source';
import { ACCOUNT_A, cluster, part, record } from '../fakes/kube-api/fleet-feed';
import type { Harness } from '../fakes/kube-api/harness';
import { decodedData, NAMESPACE, startHarness } from '../fakes/kube-api/harness';

const TOKEN = 'split-registrar-generator-token';
const alpha = record({ clusterName: 'alpha' });
const gamma = record({ clusterName: 'gamma' });
const nameOf = (r: ClusterRecord) => clusterSecretName(cluster(r));

class Source implements ClusterSource {
  readonly kind = 'eks' as const;
  records: readonly ClusterRecord[] = [alpha, gamma];
  parts: readonly SourcePart[] = [part(ACCOUNT_A, 'eu-west-1')];
  load(): Promise<SourceLoad> {
    return Promise.resolve({ records: this.records, parts: this.parts });
  }
}

/** What the generator's listener answers instead of the app, when set. */
let fault: { status: number; body: string } | undefined;
let source: Source;
let registry: FleetRegistry;
let generator: http.Server;
let h: Harness;
let registrar: SplitRegistrar;
let logs: string[];

beforeEach(async () => {
  fault = undefined;
  source = new Source();
  const metrics = createServiceMetrics();
  registry = createFleetRegistry({ source, log: createJsonLogger({ write: () => 0 }), metrics });
  await registry.refresh();
  const app = createApp({
    registry,
    tokens: { current: () => TOKEN },
    log: createJsonLogger({ write: () => 0 }),
    metrics,
  });
  generator = http.createServer((req, res) => {
    if (fault === undefined) {
      app(req, res);
      return;
    }
    res.writeHead(fault.status, { 'Content-Type': 'application/json' });
    res.end(fault.body);
  });
  await new Promise<void>((resolve) => generator.listen(0, '127.0.0.1', resolve));

  h = await startHarness();
  const tokenFile = path.join(h.dir, 'generator-token');
  fs.writeFileSync(tokenFile, `${TOKEN}\n`);
  logs = [];
  registrar = await startSplitRegistrar(
    h.env('replica-a', {
      REGISTRAR_GENERATOR_URL: `http://127.0.0.1:${(generator.address() as AddressInfo).port}`,
      REGISTRAR_GENERATOR_TOKEN_FILE: tokenFile,
      REGISTRAR_PRUNE: 'true',
      REGISTRAR_PORT: '0',
      REGISTRAR_HOST: '127.0.0.1',
      // Tests drive the reads themselves.
      REGISTRAR_POLL_SECONDS: '3600',
    }),
    { log: createJsonLogger({ write: (l: string) => logs.push(l) }, 'debug') },
  );
  expect(registrar.handle.isLeader()).toBe(true);
  await registrar.handle.settle();
});
afterEach(async () => {
  await registrar.stop();
  await h.close();
  await new Promise((resolve) => generator.close(resolve));
});

const secretNames = () =>
  h.api
    .list('secrets', NAMESPACE)
    .map((s) => s.metadata.name)
    .sort();
const deletes = () => h.api.writes('secrets').filter((w) => w.verb === 'delete');

/**
 * Refreshes the generator's registry until it serves exactly these clusters (a cluster that left a successful
 * listing may be dropped only after a few consecutive absences).
 */
async function refreshUntilServed(records: readonly ClusterRecord[]): Promise<void> {
  const want = records.map((r) => r.clusterName).sort();
  for (let i = 0; i < 10; i++) {
    await registry.refresh();
    const served = registry
      .current()
      ?.clusters.map((c) => c.aws.clusterName)
      .sort();
    if (JSON.stringify(served) === JSON.stringify(want)) return;
  }
  throw new Error(`the generator never served ${want.join(', ')}`);
}

/** One read of the generator, then the reconcile it triggers (if any) and a resync on top. */
async function readAndReconcile(): Promise<void> {
  await registrar.feed.poll();
  await registrar.handle.settle();
  await registrar.handle.reconcile('resync');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the status JSON is walked freely in assertions
async function status(token?: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`http://127.0.0.1:${registrar.port}/api/v1/status`, {
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
  return { status: r.status, body: await r.json() };
}

it('registers every cluster the generator serves, with the CA data the generator read', () => {
  expect(secretNames()).toEqual([nameOf(alpha), nameOf(gamma)].sort());
  const config = JSON.parse(
    decodedData(h.api.get('secrets', NAMESPACE, nameOf(alpha))!)['config']!,
  );
  expect(config.tlsClientConfig.caData).toBe(alpha.caData);
});

it.each<[string, { status: number; body: string }]>([
  ['503', { status: 503, body: '{"message":"cluster registry has not loaded yet"}' }],
  ['a degenerate 200 {}', { status: 200, body: '{}' }],
  ['a degenerate 200 {"output":{}}', { status: 200, body: '{"output":{}}' }],
  ['an empty 200', { status: 200, body: '' }],
  [
    'a 200 with an empty fleet and no parts',
    { status: 200, body: '{"fleet":{"version":9,"builtAt":1,"parts":[],"clusters":[]}}' },
  ],
])('the generator answering %s deletes no Secret, even with prune on', async (_what, reply) => {
  // Meanwhile the fleet really lost gamma: still nothing may happen while the answer is a fault.
  source.records = [alpha];
  await refreshUntilServed([alpha]);
  fault = reply;
  await readAndReconcile();
  expect(deletes()).toEqual([]);
  expect(secretNames()).toEqual([nameOf(alpha), nameOf(gamma)].sort());
  expect((await status(TOKEN)).body.fleet.lastError).toEqual(expect.any(String));

  // Once the generator answers properly again, the proven removal happens.
  fault = undefined;
  await readAndReconcile();
  expect(secretNames()).toEqual([nameOf(alpha)]);
});

it('a removal decided from a good answer is not retried while the generator is failing', async () => {
  // gamma leaves the fleet; its delete fails once at the API.
  h.api.inject({ verb: 'delete', resource: 'secrets', status: 500, times: 1 });
  source.records = [alpha];
  await refreshUntilServed([alpha]);
  await registrar.feed.poll();
  await registrar.handle.settle();
  expect(secretNames()).toEqual([nameOf(alpha), nameOf(gamma)].sort());

  fault = { status: 503, body: '{"message":"cluster registry has not loaded yet"}' };
  const before = deletes().length;
  await readAndReconcile();
  expect(deletes()).toHaveLength(before);
  expect((await status(TOKEN)).body.kept).toEqual([
    { secret: nameOf(gamma), reason: 'fleet-read-failing' },
  ]);

  fault = undefined;
  await readAndReconcile();
  expect(secretNames()).toEqual([nameOf(alpha)]);
});

it('a generator reply in which a failing part lost clusters is refused, not pruned on', async () => {
  // Built as the generator would encode it; the generator itself keeps a failing part's clusters.
  const body = encodeFleet({
    clusters: [cluster(alpha)],
    parts: [part(ACCOUNT_A, 'eu-west-1', { failing: true })],
    addonDefaults: {},
    builtAt: Date.now(),
    version: 99,
  });
  fault = { status: 200, body: body.toString('utf8') };
  await readAndReconcile();
  expect(deletes()).toEqual([]);
  expect(registrar.feed.state().lastError).toMatch(/did not list successfully/);
});

it('a real 503 from the generator (its registry not ready) deletes nothing', async () => {
  registry = createFleetRegistry({
    source,
    log: createJsonLogger({ write: () => 0 }),
    metrics: createServiceMetrics(),
  });
  const app = createApp({
    registry,
    tokens: { current: () => TOKEN },
    log: createJsonLogger({ write: () => 0 }),
    metrics: createServiceMetrics(),
  });
  generator.removeAllListeners('request');
  generator.on('request', app);
  source.records = [];
  await readAndReconcile();
  expect(registrar.feed.state().lastError).toMatch(/HTTP 503/);
  expect(deletes()).toEqual([]);
});

it('publishes registered, foreign and pending clusters on the authenticated status endpoint', async () => {
  const delta = record({ clusterName: 'delta', caData: '' });
  const epsilon = record({ clusterName: 'epsilon' });
  h.api.seed('secrets', {
    metadata: {
      name: 'epsilon-by-hand',
      namespace: NAMESPACE,
      labels: { 'argocd.argoproj.io/secret-type': 'cluster' },
    },
    stringData: { name: 'epsilon', server: epsilon.endpoint, config: '{}' },
  });
  source.records = [alpha, gamma, delta, epsilon];
  await registry.refresh();
  await readAndReconcile();

  expect((await status()).status).toBe(401);
  expect((await status('wrong')).status).toBe(403);
  const { status: code, body } = await status(TOKEN);
  expect(code).toBe(200);
  expect(body).toMatchObject({
    installation: 'default',
    namespace: NAMESPACE,
    leader: true,
    fleet: { lastError: null, clusters: 4 },
    lastReconcile: { result: 'success' },
  });
  expect(body.registered.map((e: { cluster: string }) => e.cluster).sort()).toEqual([
    'alpha',
    'gamma',
  ]);
  expect(body.foreign).toEqual([
    {
      cluster: 'epsilon',
      secret: nameOf(epsilon),
      server: epsilon.endpoint,
      kind: 'foreign-server',
      blockedBy: 'epsilon-by-hand',
      owner: 'hand-made',
    },
  ]);
  expect(body.pending).toEqual([
    {
      cluster: 'delta',
      secret: nameOf(delta),
      server: delta.endpoint,
      reason: 'no certificate authority data yet',
    },
  ]);
  expect(JSON.stringify(body)).not.toContain(alpha.caData);
});

it('serves /healthz and /metrics without the token, and nothing else', async () => {
  const base = `http://127.0.0.1:${registrar.port}`;
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toContain('argocd_eks_registrar_fleet_reads_total{result="changed"} 1');
  expect(metrics).toContain('argocd_eks_registrar_leader 1');
  expect((await fetch(`${base}/api/v1/getparams.execute`, { method: 'POST' })).status).toBe(404);
  expect((await fetch(`${base}/api/v1/status`, { method: 'POST' })).status).toBe(405);
});

it('the generator refuses the fleet without its token', async () => {
  const base = `http://127.0.0.1:${(generator.address() as AddressInfo).port}`;
  expect((await fetch(`${base}/api/v1/registrar/fleet`)).status).toBe(401);
  const wrong = await fetch(`${base}/api/v1/registrar/fleet`, {
    headers: { Authorization: 'Bearer nope' },
  });
  expect(wrong.status).toBe(403);
  expect(await wrong.text()).not.toContain(alpha.caData);
  expect((await fetch(`${base}/api/v1/registrar/fleet`, { method: 'POST' })).status).toBe(405);
  // Behind a proxy that adds a path prefix, as for getparams.
  const prefixed = await fetch(`${base}/generator/api/v1/registrar/fleet`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  expect(prefixed.status).toBe(200);
  expect(
    ((await prefixed.json()) as { fleet: { clusters: unknown[] } }).fleet.clusters,
  ).toHaveLength(2);
  expect(logs.join('')).not.toContain(TOKEN);
});

it('the generator answers 304 for the fleet the registrar already holds, and the whole fleet when it changed', async () => {
  const url = `http://127.0.0.1:${(generator.address() as AddressInfo).port}/api/v1/registrar/fleet`;
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const first = await fetch(url, { headers: auth });
  const etag = first.headers.get('etag');
  expect(first.status).toBe(200);
  expect(etag).toMatch(/^"[\w-]+"$/);
  const again = await fetch(url, { headers: { ...auth, 'If-None-Match': etag! } });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe('');
  const other = await fetch(url, { headers: { ...auth, 'If-None-Match': '"another"' } });
  expect(other.status).toBe(200);
  // Without the token a tag proves nothing: still 401.
  expect((await fetch(url, { headers: { 'If-None-Match': etag! } })).status).toBe(401);
});
