/**
 * The split registrar's fleet feed: what it accepts from the generator, and that every fault keeps the last
 * accepted fleet. Replies come from a real HTTP server, read by the real fetch client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createJsonLogger, silentLogger } from '../../core/logger';
import type { FleetSnapshot } from '../../core/snapshot';
import { ACCOUNT_A, cluster, part, record } from '../../test/fakes/kube-api/fleet-feed';
import { encodeFleet } from './fleet-wire';
import { GeneratorFeed, httpFleetReader } from './generator-feed';

const TOKEN = 'feed-test-token';
const alpha = cluster(record({ clusterName: 'alpha' }));
const gamma = cluster(record({ clusterName: 'gamma' }));

function fleet(clusters = [alpha, gamma], failing = false): Buffer {
  const snapshot: FleetSnapshot = {
    clusters,
    parts: [part(ACCOUNT_A, 'eu-west-1', { failing })],
    addonDefaults: {},
    builtAt: 1,
    version: 1,
  };
  return encodeFleet(snapshot);
}

let server: Server;
let reply: { status: number; body: Buffer | string };
let seenAuth: string | undefined;
let feed: GeneratorFeed;
let registry: Registry;
let published: FleetSnapshot[];

beforeEach(async () => {
  reply = { status: 200, body: fleet() };
  server = createServer((req, res) => {
    seenAuth = req.headers.authorization;
    res.writeHead(reply.status, { 'Content-Type': 'application/json' });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  registry = new Registry();
  feed = new GeneratorFeed({
    reader: httpFleetReader({
      baseUrl: `http://127.0.0.1:${port}/prefix/`,
      token: () => TOKEN,
      timeoutMs: 5000,
    }),
    pollSeconds: 3600,
    log: silentLogger,
    metrics: registry,
  });
  published = [];
  feed.subscribe((s) => published.push(s));
});
afterEach(async () => {
  await feed.stop();
  await new Promise((resolve) => server.close(resolve));
});

async function reads(result: string): Promise<number> {
  const m = await registry.getSingleMetric('argocd_eks_registrar_fleet_reads_total')!.get();
  return m.values.find((v) => v.labels['result'] === result)?.value ?? 0;
}

it('reads the fleet with the bearer token and publishes it', async () => {
  await feed.poll();
  expect(seenAuth).toBe(`Bearer ${TOKEN}`);
  expect(feed.current()?.clusters.map((c) => c.name)).toEqual(['alpha', 'gamma']);
  expect(feed.current()?.clusters[0]?.caData).toBe(alpha.caData);
  expect(published).toHaveLength(1);
  expect(feed.state()).toMatchObject({ lastError: undefined, clusters: 2 });
});

it('publishes again only when the fleet changed', async () => {
  await feed.poll();
  await feed.poll();
  expect(published).toHaveLength(1);
  expect(await reads('unchanged')).toBe(1);
  reply = { status: 200, body: fleet([alpha]) };
  await feed.poll();
  expect(published).toHaveLength(2);
  expect(feed.current()?.clusters.map((c) => c.name)).toEqual(['alpha']);
});

it.each<[string, number, string, string]>([
  [
    'a 503',
    503,
    '{"message":"cluster registry has not loaded yet","code":"ERR_NOT_READY"}',
    'http-error',
  ],
  ['a 401', 401, '{"message":"missing bearer token"}', 'http-error'],
  ['a 500 without a body', 500, '', 'http-error'],
  ['an empty 200', 200, '', 'shapeless'],
  ['a 204', 204, '', 'shapeless'],
  ['a 200 {}', 200, '{}', 'shapeless'],
  ['a 200 {"output":{}}', 200, '{"output":{}}', 'shapeless'],
  ['a 200 that is not JSON', 200, '<html>proxy error</html>', 'shapeless'],
  [
    'a 200 with no parts',
    200,
    '{"fleet":{"version":1,"builtAt":1,"parts":[],"clusters":[]}}',
    'shapeless',
  ],
])(
  '%s is a fault: the last accepted fleet stays, nothing is published',
  async (_w, status, body, kind) => {
    await feed.poll();
    const before = feed.current();
    reply = { status, body };
    await feed.poll();
    expect(feed.current()).toBe(before);
    expect(published).toHaveLength(1);
    expect(feed.state().lastError).toBeDefined();
    expect(await reads(kind)).toBe(1);
  },
);

it('a fault before any accepted read leaves the feed empty (the registrar then does nothing)', async () => {
  reply = { status: 503, body: '{"message":"not ready"}' };
  await feed.poll();
  expect(feed.current()).toBeUndefined();
  expect(feed.state().lastError).toBe('generator answered HTTP 503: not ready');
});

it('an unreachable generator is a fault', async () => {
  await feed.poll();
  await new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  const before = feed.current();
  await feed.poll();
  expect(feed.current()).toBe(before);
  expect(await reads('unreachable')).toBe(1);
  server = createServer(); // for afterEach
  server.listen(0, '127.0.0.1');
});

it('a part that did not list successfully cannot lose clusters: such a reply is refused', async () => {
  await feed.poll();
  reply = { status: 200, body: fleet([alpha], true) };
  await feed.poll();
  expect(feed.current()?.clusters).toHaveLength(2);
  expect(feed.state().lastError).toMatch(
    /did not list successfully, yet holds 1 clusters instead of 2/,
  );
  expect(await reads('shrunk')).toBe(1);

  // The same part failing with all its clusters is accepted (and published: its state changed).
  reply = { status: 200, body: fleet([alpha, gamma], true) };
  await feed.poll();
  expect(feed.state().lastError).toBeUndefined();
  expect(feed.current()?.parts[0]?.lastError).toBeDefined();
  // Listed successfully without gamma: a real removal, accepted.
  reply = { status: 200, body: fleet([alpha]) };
  await feed.poll();
  expect(feed.current()?.clusters.map((c) => c.name)).toEqual(['alpha']);
});

it('never logs the token', async () => {
  const lines: string[] = [];
  const logged = new GeneratorFeed({
    reader: httpFleetReader({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: () => TOKEN,
      timeoutMs: 5000,
    }),
    pollSeconds: 3600,
    log: createJsonLogger({ write: (l: string) => lines.push(l) }, 'debug'),
    metrics: new Registry(),
  });
  reply = { status: 403, body: '{"message":"invalid bearer token"}' };
  await logged.poll();
  expect(lines.join('')).toContain('HTTP 403');
  expect(lines.join('')).not.toContain(TOKEN);
});

describe('an unchanged fleet is not sent again (ETag / If-None-Match)', () => {
  it('a 304 for the tag of the last fleet read keeps that fleet; the body is sent once', async () => {
    const sent: (string | undefined)[] = [];
    const body = fleet();
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      sent.push(req.headers['if-none-match']);
      if (req.headers['if-none-match'] === '"t1"') {
        res.writeHead(304, { ETag: '"t1"' });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"t1"' });
      res.end(body);
    });
    await feed.poll();
    await feed.poll();
    await feed.poll();
    expect(sent).toEqual([undefined, '"t1"', '"t1"']);
    expect(feed.current()?.clusters.map((c) => c.name)).toEqual(['alpha', 'gamma']);
    expect(published).toHaveLength(1);
    expect(await reads('unchanged')).toBe(2);
  });

  it('a 304 the registrar did not ask for (no fleet held, or another tag) is a fault', async () => {
    reply = { status: 304, body: '' };
    await feed.poll();
    expect(feed.current()).toBeUndefined();
    expect(feed.state().lastError).toBe(
      'generator answered HTTP 304 for a fleet this registrar does not hold',
    );
    expect(await reads('shapeless')).toBe(1);
  });
});
