/**
 * How getparams replies go on the wire: gzip for clients that accept it (Argo CD's Go client always does,
 * argocd-contract.md §A3), identity otherwise, the same JSON bytes either way, computed and compressed once.
 * Raw node:http requests, because supertest would decode gzip and hide what was sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createJsonLogger, silentLogger } from '../core/logger';
import {
  aClusterRecord,
  loadExampleAddonDefaults,
  loadExampleFleet,
} from '../test/helpers/generator';
import { staticSource } from '../test/helpers/generator';
import { createApp, GET_PARAMS_PATH } from './app';
import { createServiceMetrics, type ServiceMetrics } from './metrics';
import { createFleetRegistry, type FleetRegistry } from './snapshot/fleet-snapshots';
import { createResponseCache, gzipCompress, type Compress } from './http/response-cache';

const TOKEN = 'app-test-token';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

interface SendOptions {
  /** Two writes, so node sends Transfer-Encoding: chunked without Content-Length. */
  readonly chunked?: boolean;
  readonly path?: string;
  readonly method?: string;
}

interface Started {
  post(body: string | Buffer, headers?: Record<string, string>, opts?: SendOptions): Promise<Reply>;
  logs: Record<string, unknown>[];
  metrics: ServiceMetrics;
  compressions(): number;
  close(): Promise<void>;
}

async function start(
  registry: FleetRegistry,
  opts: { compress?: Compress; keepPlainBelow?: number } = {},
): Promise<Started> {
  let compressions = 0;
  const inner = opts.compress ?? gzipCompress;
  const metrics = createServiceMetrics();
  const logs: Record<string, unknown>[] = [];
  const app = createApp({
    registry,
    tokens: { current: () => TOKEN },
    log: createJsonLogger(
      { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
      'info',
    ),
    metrics,
    responseCache: createResponseCache(16, {
      compress: (b) => {
        compressions++;
        return inner(b);
      },
      ...(opts.keepPlainBelow === undefined ? {} : { keepPlainBelow: opts.keepPlainBelow }),
    }),
  });
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const post = (
    body: string | Buffer,
    headers: Record<string, string> = {},
    opts: SendOptions = {},
  ) =>
    new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: opts.path ?? GET_PARAMS_PATH,
          method: opts.method ?? 'POST',
          agent: false,
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/json',
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (opts.chunked === true) {
        const half = Math.floor(body.length / 2);
        req.write(body.slice(0, half));
        req.end(body.slice(half));
      } else {
        req.setHeader('content-length', Buffer.byteLength(body));
        req.end(body);
      }
    });
  return {
    post,
    logs,
    metrics,
    compressions: () => compressions,
    close: async () => {
      await registry.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function loadedRegistry(): Promise<FleetRegistry> {
  const registry = createFleetRegistry({
    source: staticSource(loadExampleFleet(), loadExampleAddonDefaults()),
    log: silentLogger,
  });
  await registry.refresh();
  return registry;
}

async function lookups(m: ServiceMetrics, result: 'hit' | 'miss'): Promise<number> {
  const line = `generator_params_cache_lookups_total{result="${result}"}`;
  const found = (await m.registry.metrics()).split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

const ARGO_BODY = '{"applicationSetName":"set","input":{}}\n';
const SELECTIVE_BODY =
  '{"applicationSetName":"set","input":{"parameters":{"selector":{"matchLabels":{"env":"prod"}},"addons":["vpc-cni"],"flatList":true}}}\n';

describe('getparams reply encoding', () => {
  let s: Started;
  beforeEach(async () => {
    s = await start(await loadedRegistry());
  });
  afterEach(() => s.close());

  test.each([
    ['no parameters', ARGO_BODY],
    ['selector, add-ons, flat list', SELECTIVE_BODY],
  ])(
    'Accept-Encoding: gzip (as Argo CD sends) → gzip whose bytes gunzip to exactly the identity reply (%s)',
    async (_case, body) => {
      const identity = await s.post(body);
      const gz = await s.post(body, { 'accept-encoding': 'gzip' });
      expect(gz.status).toBe(200);
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(gz.headers['content-length']).toBe(String(gz.body.length));
      expect(gz.headers['vary']).toBe('Accept-Encoding');
      expect(gunzipSync(gz.body).equals(identity.body)).toBe(true);
      expect(gz.body.length).toBeLessThan(identity.body.length);
    },
  );

  test('a cached reply kept only gzipped (large replies) answers an identity request with the same bytes', async () => {
    const expected = await s.post(ARGO_BODY);
    const lean = await start(await loadedRegistry(), { keepPlainBelow: 1 });
    try {
      const gz = await lean.post(ARGO_BODY, { 'accept-encoding': 'gzip' });
      const identity = await lean.post(ARGO_BODY);
      expect(identity.status).toBe(200);
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(identity.headers['content-length']).toBe(String(identity.body.length));
      expect(identity.body.equals(expected.body)).toBe(true);
      expect(gunzipSync(gz.body).equals(expected.body)).toBe(true);
      expect(lean.compressions()).toBe(1);
    } finally {
      await lean.close();
    }
  });

  test.each([
    ['no Accept-Encoding', {}],
    ['gzip refused with q=0', { 'accept-encoding': 'gzip;q=0' }],
    ['only codings we do not produce', { 'accept-encoding': 'br, deflate' }],
    ['identity preferred', { 'accept-encoding': 'gzip;q=0.2, identity' }],
  ])('%s → identity JSON, with Vary and Content-Length', async (_case, headers) => {
    const res = await s.post(ARGO_BODY, headers);
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(res.body.length));
    expect(res.headers['vary']).toBe('Accept-Encoding');
    const parsed = JSON.parse(res.body.toString('utf8')) as {
      output: { parameters: { name: string }[] };
    };
    expect(parsed.output.parameters.length).toBeGreaterThan(0);
  });

  test('the identity reply is byte for byte JSON.stringify of the reply object', async () => {
    const res = await s.post(ARGO_BODY);
    const parsed: unknown = JSON.parse(res.body.toString('utf8'));
    expect(res.body.toString('utf8')).toBe(JSON.stringify(parsed));
  });
});

describe('one computation per snapshot and parameters', () => {
  test('concurrent gzip requests for the same parameters: one miss, one compression, identical bytes', async () => {
    const s = await start(await loadedRegistry());
    try {
      const replies = await Promise.all(
        Array.from({ length: 12 }, () => s.post(ARGO_BODY, { 'accept-encoding': 'gzip' })),
      );
      for (const r of replies) {
        expect(r.status).toBe(200);
        expect(r.headers['content-encoding']).toBe('gzip');
        expect(r.body.equals(replies[0]?.body ?? Buffer.alloc(0))).toBe(true);
      }
      expect(await lookups(s.metrics, 'miss')).toBe(1);
      expect(await lookups(s.metrics, 'hit')).toBe(11);
      expect(s.compressions()).toBe(1);
    } finally {
      await s.close();
    }
  });

  test('a failed compression still answers, with the identity body', async () => {
    const s = await start(await loadedRegistry(), {
      compress: () => Promise.reject(new Error('zlib failed')),
    });
    try {
      const res = await s.post(ARGO_BODY, { 'accept-encoding': 'gzip' });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers['content-length']).toBe(String(res.body.length));
      expect(JSON.parse(res.body.toString('utf8'))).toHaveProperty('output.parameters');
    } finally {
      await s.close();
    }
  });
});

describe('error replies are unchanged by encoding', () => {
  test('503 before the first snapshot: JSON message, not encoded, whatever the client accepts', async () => {
    const registry = createFleetRegistry({
      source: { kind: 'file', load: () => Promise.reject(new Error('fleet file missing')) },
      log: silentLogger,
    });
    await registry.refresh();
    const s = await start(registry);
    try {
      const res = await s.post(ARGO_BODY, { 'accept-encoding': 'gzip' });
      expect(res.status).toBe(503);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(res.body.toString('utf8')) as { message: string; code: string };
      expect(body.code).toBe('ERR_NOT_READY');
      expect(body.message).toContain('fleet file missing');
    } finally {
      await s.close();
    }
  });

  test('400 on a bad parameter: JSON message naming it, not encoded, and nothing cached', async () => {
    const registry = createFleetRegistry({
      source: staticSource([aClusterRecord({ clusterName: 'one' })]),
      log: silentLogger,
    });
    await registry.refresh();
    const s = await start(registry);
    try {
      const bad = '{"applicationSetName":"set","input":{"parameters":{"regions":["mars-1"]}}}\n';
      for (const headers of [{ 'accept-encoding': 'gzip' }, {}]) {
        const res = await s.post(bad, headers);
        expect(res.status).toBe(400);
        expect(res.headers['content-encoding']).toBeUndefined();
        const body = JSON.parse(res.body.toString('utf8')) as { message: string; code: string };
        expect(body.code).toBe('ERR_INPUT');
        expect(body.message).toContain('input.parameters.regions');
      }
      expect(s.compressions()).toBe(0);
    } finally {
      await s.close();
    }
  });
});

async function requestsCounted(m: ServiceMetrics): Promise<string[]> {
  return (await m.registry.metrics())
    .split('\n')
    .filter((l) => /^generator_http_requests_total\{.*route="getparams"/.test(l));
}

describe('every getparams request is served, logged and counted once, whichever way it is read', () => {
  let s: Started;
  beforeEach(async () => {
    s = await start(await loadedRegistry());
  });
  afterEach(() => s.close());

  test.each<[string, () => Promise<Reply>]>([
    ['as Argo CD sends it', () => s.post(ARGO_BODY, { 'accept-encoding': 'gzip' })],
    [
      'under a path prefix, with a query string',
      () => s.post(ARGO_BODY, { 'accept-encoding': 'gzip' }, { path: `/p${GET_PARAMS_PATH}?x=1` }),
    ],
    [
      'chunked (no Content-Length)',
      () => s.post(ARGO_BODY, { 'accept-encoding': 'gzip' }, { chunked: true }),
    ],
    [
      'a gzip-encoded request body',
      () => s.post(gzipSync(ARGO_BODY), { 'accept-encoding': 'gzip', 'content-encoding': 'gzip' }),
    ],
  ])('%s → 200 gzip, one access log line, one request counted', async (_case, send) => {
    const res = await send();
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(res.body).toString('utf8'))).toHaveProperty('output.parameters');
    await new Promise((r) => setImmediate(r));
    const lines = s.logs.filter((l) => l['msg'] === 'request');
    expect(lines).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: expect.stringMatching(/\/api\/v1\/getparams\.execute$/) as unknown,
        status: 200,
        applicationSet: 'set',
      }),
    ]);
    expect(await requestsCounted(s.metrics)).toEqual([expect.stringMatching(/status="200".* 1$/)]);
  });

  test.each<[string, string, Record<string, string>, number]>([
    ['no token', ARGO_BODY, { authorization: '' }, 401],
    ['a wrong token', ARGO_BODY, { authorization: 'Bearer nope' }, 403],
    ['a body that is not JSON', '{"applicationSetName":"set",', {}, 400],
    [
      'an unknown parameter',
      '{"applicationSetName":"set","input":{"parameters":{"nope":1}}}\n',
      {},
      400,
    ],
  ])(
    '%s → %p JSON error, one access log line, one request counted',
    async (_case, body, headers, status) => {
      const res = await s.post(body, { 'accept-encoding': 'gzip', ...headers });
      expect(res.status).toBe(status);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(res.body.toString('utf8'))).toEqual({
        message: expect.any(String) as unknown,
        code: expect.any(String) as unknown,
      });
      await new Promise((r) => setImmediate(r));
      const lines = s.logs.filter((l) => l['msg'] === 'request');
      expect(lines).toEqual([expect.objectContaining({ method: 'POST', status })]);
      expect(await requestsCounted(s.metrics)).toEqual([
        expect.stringMatching(new RegExp(`status="${status}".* 1$`)),
      ]);
    },
  );

  test('a body over the limit → 413 from the body reader, as before', async () => {
    const big = JSON.stringify({ applicationSetName: 'set', pad: 'x'.repeat(1024 * 1024) });
    const res = await s.post(big, { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ code: 'ERR_INPUT' });
  });

  test("other methods and routes are still express's: 405 with Allow, 404, /healthz", async () => {
    const get = await s.post('', {}, { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    const other = await s.post(ARGO_BODY, {}, { path: '/api/v1/other' });
    expect(other.status).toBe(404);
    const health = await s.post('', {}, { method: 'GET', path: '/healthz' });
    expect(health.status).toBe(200);
  });
});
