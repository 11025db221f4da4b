import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { buildPluginRequest, checkResponse, emulatePluginGenerator } from './plugin-generator';
import type { PluginGeneratorSetup } from './plugin-generator';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

async function serve(handler: Handler) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const setup = (baseUrl: string, extra: Record<string, string> = {}): PluginGeneratorSetup => ({
  applicationSet: { name: 'set', goTemplate: false },
  controllerNamespace: 'argocd',
  configMap: {
    name: 'cm',
    namespace: 'argocd',
    data: { baseUrl, token: '$plugin.token', ...extra },
  },
  secret: { name: 'argocd-secret', namespace: 'argocd', data: { 'plugin.token': ' tok\n' } },
  generator: {
    configMapRef: { name: 'cm' },
    input: { parameters: { b: '<&>', a: [1, { z: 1, y: 2 }] } },
  },
});

describe('buildPluginRequest', () => {
  test('URL join keeps a path prefix; body bytes like Go json.Encoder (sorted, no HTML escaping, newline)', () => {
    const r = buildPluginRequest('set', 'http://h/prefix', 'tok', {
      b: '<&>',
      a: [1, { z: 1, y: 2 }],
    });
    expect(r.url).toBe('http://h/prefix/api/v1/getparams.execute');
    expect(buildPluginRequest('set', 'http://h/', 't', {}).url).toBe(
      'http://h/api/v1/getparams.execute',
    );
    expect(r.body.toString()).toBe(
      '{"applicationSetName":"set","input":{"parameters":{"a":[1,{"y":2,"z":1}],"b":"<&>"}}}\n',
    );
    expect(r.headers).toEqual({
      'Content-Type': 'application/json',
      Authorization: 'Bearer tok',
      'User-Agent': 'argocd-applicationset',
    });
    expect(
      buildPluginRequest('set', 'http://h', '', undefined).headers['Authorization'],
    ).toBeUndefined();
  });
});

describe('checkResponse: non-2xx message extraction', () => {
  const msg = (status: number, body: string) =>
    checkResponse({ status, headers: {}, body: Buffer.from(body) });
  test.each([
    [500, '{"message":"m","error":"e"}', 'API error with status code 500: m'],
    [400, '{"error":"e"}', 'API error with status code 400: e'],
    [400, '{"message":5,"error":"e"}', 'API error with status code 400: e'],
    [422, '{"other":"x"}', 'API error with status code 422: '],
    [502, '<html>bad gateway</html>', 'API error with status code 502: <html>bad gateway</html>'],
    [503, '"text"', 'API error with status code 503: "text"'],
    [401, '', 'API error with status code 401: '],
    [302, 'moved', 'API error with status code 302: moved'],
  ])('%d %p', (status, body, want) => {
    expect(msg(status, body)).toBe(want);
  });
  test('2xx is success, whatever the code', () => {
    expect(msg(204, '')).toBeUndefined();
    expect(msg(299, 'x')).toBeUndefined();
  });
});

describe('emulatePluginGenerator over HTTP', () => {
  test('the token is trimmed; gzip replies are decoded; 201 is success', async () => {
    const s = await serve((req, _body, res) => {
      expect(req.headers.authorization).toBe('Bearer tok');
      res.writeHead(201, { 'Content-Encoding': 'gzip' });
      res.end(zlib.gzipSync('{"output":{"parameters":[{"a":"b"}]}}'));
    });
    try {
      const r = await emulatePluginGenerator(setup(s.url));
      expect('params' in r && r.params[0]?.['a']).toBe('b');
    } finally {
      await s.close();
    }
  });

  test('an empty 200 body is zero parameter sets, no error (Argo CD then deletes Applications)', async () => {
    const s = await serve((_req, _body, res) => res.writeHead(200).end());
    try {
      expect(await emulatePluginGenerator(setup(s.url))).toEqual({ params: [] });
    } finally {
      await s.close();
    }
  });

  test('307 resends the POST; 302 turns it into a GET without body', async () => {
    const seen: string[] = [];
    const s = await serve((req, body, res) => {
      seen.push(`${req.method} ${req.url} ${body.length > 0 ? 'body' : 'nobody'}`);
      if (req.url === '/api/v1/getparams.execute') res.writeHead(307, { Location: '/b' }).end();
      else if (req.url === '/b') res.writeHead(302, { Location: '/c' }).end();
      else res.writeHead(200).end('{"output":{"parameters":[]}}');
    });
    try {
      expect(await emulatePluginGenerator(setup(s.url))).toEqual({ params: [] });
      expect(seen).toEqual([
        'POST /api/v1/getparams.execute body',
        'POST /b body',
        'GET /c nobody',
      ]);
    } finally {
      await s.close();
    }
  });

  test('connection refused reads like Go’s url.Error', async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close();
    const r = await emulatePluginGenerator(setup(url));
    const port = new URL(url).port;
    expect(r).toEqual({
      error: `error listing params: error get api 'set': Post "${url}/api/v1/getparams.execute": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
  });

  test('requestTimeout (seconds) bounds the exchange: Client.Timeout while awaiting headers', async () => {
    const s = await serve(() => undefined); // never answers
    try {
      const r = await emulatePluginGenerator(setup(s.url, { requestTimeout: '1' }));
      expect(r).toEqual({
        error: `error listing params: error get api 'set': Post "${s.url}/api/v1/getparams.execute": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
    } finally {
      await s.close();
    }
  });

  test('an unsupported scheme fails like Go', async () => {
    const r = await emulatePluginGenerator(setup('ftp://h'));
    expect(r).toEqual({
      error: `error listing params: error get api 'set': Post "ftp://h/api/v1/getparams.execute": unsupported protocol scheme "ftp"`,
    });
  });

  test('baseUrls without http(s):// fail as Go url.Parse and transport make them fail', async () => {
    const cases: [string, string][] = [
      [
        '10.0.0.1:4355',
        `NewRequest returned unexpected error: parse "10.0.0.1:4355/api/v1/getparams.execute": first path segment in URL cannot contain colon`,
      ],
      [
        'eks-cluster-generator:4355',
        `error get api 'set': Post "eks-cluster-generator:4355/api/v1/getparams.execute": unsupported protocol scheme "eks-cluster-generator"`,
      ],
      [
        'svc.local',
        `error get api 'set': Post "svc.local/api/v1/getparams.execute": unsupported protocol scheme ""`,
      ],
    ];
    for (const [baseUrl, error] of cases) {
      expect(await emulatePluginGenerator(setup(baseUrl))).toEqual({
        error: `error listing params: ${error}`,
      });
    }
  });

  test('the ConfigMap and Secret come from the controller namespace only', async () => {
    const s = setup('http://unused');
    const r = await emulatePluginGenerator({
      ...s,
      configMap: { name: 'cm', namespace: 'apps', data: { baseUrl: 'http://x', token: '$t' } },
    });
    expect(r).toEqual({
      error:
        'error getting plugin from generator: error fetching ConfigMap: configmaps "cm" not found',
    });
  });
});
