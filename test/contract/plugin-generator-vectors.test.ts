/**
 * shared/vectors/argocd-plugin-generator, both ways (see the folder's README):
 * (b) the Argo CD emulation in cmp-sidecar/argocd reproduces every vector's params or exact error, against a fake
 *     server that checks the request Argo CD puts on the wire, byte for byte;
 * (a) the real generator service accepts every request Argo CD sends.
 */
import {
  decodeFirstJsonValue,
  decodeServiceResponse,
  nodeToValue,
} from '../../cmp-sidecar/argocd/go-json-decode';
import { encodeGoJson } from '../../cmp-sidecar/argocd/go-values';
import { goHttpDo } from '../../cmp-sidecar/argocd/http-client';
import {
  buildPluginRequest,
  checkResponse,
  emulatePluginGenerator,
  parseSecretKey,
  pluginClientDo,
} from '../../cmp-sidecar/argocd/plugin-generator';
import type { PluginGeneratorSetup } from '../../cmp-sidecar/argocd/plugin-generator';
import { aClusterRecord, loadExampleFleet, startGenerator } from '../helpers/generator';
import {
  levelOf,
  loadPluginVectors,
  normalize,
  scalarLeaves,
  sendRaw,
  startFakePluginServer,
  withBaseUrl,
} from './vectors';
import type { CapturedRequest, ExpectedRequest, PluginVector } from './vectors';

const vectors = loadPluginVectors();
const byLevel = (level: string) => vectors.filter((v) => levelOf(v) === level);

test('the vector folder holds the 24 documented cases', () => {
  expect(vectors).toHaveLength(24);
  expect(byLevel('generator')).toHaveLength(19);
  expect(byLevel('service')).toHaveLength(1);
  expect(byLevel('http')).toHaveLength(3);
  expect(byLevel('parse')).toHaveLength(1);
});

/** The request Argo CD sent matches the vector: method, path, listed headers, body (parsed and raw). */
function expectRequestMatches(actual: CapturedRequest | undefined, expected: ExpectedRequest) {
  expect(actual).toBeDefined();
  if (!actual) return;
  expect(actual.method).toBe(expected.method);
  expect(actual.path).toBe(expected.path);
  for (const [name, value] of Object.entries(expected.headers)) {
    expect([name, actual.headers[name.toLowerCase()]]).toEqual([name, value]);
  }
  if (!('Authorization' in expected.headers)) expect(actual.headers.authorization).toBeUndefined();
  // What Go's transport adds, and what it does not.
  expect(actual.headers['accept-encoding']).toBe('gzip');
  expect(actual.headers['content-length']).toBe(String(actual.body.length));
  expect(actual.headers.accept).toBeUndefined();
  expect(JSON.parse(actual.body.toString('utf8'))).toEqual(expected.body);
  if (expected.bodyRawExample !== undefined) {
    expect(actual.body.toString('utf8')).toBe(expected.bodyRawExample);
  }
}

describe('(b) the emulation reproduces every generator-level vector', () => {
  test.each(byLevel('generator').map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    const server = await startFakePluginServer(v.serverResponse ?? null);
    try {
      const setup = withBaseUrl(v.setup as unknown as PluginGeneratorSetup, server.url);
      const result = await emulatePluginGenerator(setup);
      if (v.expectedError) {
        expect(result).toEqual({ error: v.expectedError });
      } else {
        expect('params' in result && normalize(result.params)).toEqual(v.expectedParams);
      }
      if (v.expectedRequest) {
        expect(server.requests).toHaveLength(1);
        expectRequestMatches(server.requests[0], v.expectedRequest);
      } else {
        expect(server.requests).toHaveLength(0);
      }
    } finally {
      await server.close();
    }
  });
});

describe('(b) service, http and parse-level vectors against the emulation pieces', () => {
  test('service-top-level-parameters-ignored: top-level `parameters` without `output` → zero sets', async () => {
    const [v] = byLevel('service') as [PluginVector];
    const server = await startFakePluginServer(v.serverResponse ?? null);
    try {
      const setup = v.setup as { appSetName: string; token: string };
      const request = buildPluginRequest(setup.appSetName, server.url, setup.token, undefined);
      const done = await pluginClientDo(goHttpDo, { ...request, timeoutMs: 30_000 });
      if ('error' in done || done.node === undefined) throw new Error('expected a decoded body');
      const decoded = decodeServiceResponse(done.node);
      expect(decoded.error).toBeUndefined();
      const parameters = decoded.parameters.length === 0 ? null : decoded.parameters;
      expect({ output: { parameters } }).toEqual(v.expectedServiceResponse);
      expect(decoded.parameters).toEqual(v.expectedParams);
      expectRequestMatches(server.requests[0], v.expectedRequest as ExpectedRequest);
    } finally {
      await server.close();
    }
  });

  const httpVectors = byLevel('http').filter((v) => v.expectedRequest);
  test.each(httpVectors.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    const server = await startFakePluginServer(v.serverResponse ?? null);
    try {
      const expected = v.expectedRequest as ExpectedRequest;
      // The internal client without a token: no Authorization header; the body through json.Encoder.
      const body = Buffer.from(`${encodeGoJson(expected.body, { escapeHTML: false })}\n`);
      const headers = { 'Content-Type': 'application/json', 'User-Agent': 'argocd-applicationset' };
      const done = await pluginClientDo(goHttpDo, {
        url: `${server.url}/`,
        headers,
        body,
        timeoutMs: 30_000,
      });
      if (v.expectedError) {
        expect(done).toEqual({ error: v.expectedError });
      } else {
        if ('error' in done || done.node === undefined) throw new Error('expected a decoded body');
        expect(nodeToValue(done.node, [], '')).toEqual(v.expectedDecoded);
      }
      expectRequestMatches(server.requests[0], expected);
    } finally {
      await server.close();
    }
  });

  test('http-check-response-400-error-field: `message`, else `error`, of a JSON body', () => {
    const v = vectors.find((x) => x.name === 'http-check-response-400-error-field') as PluginVector;
    const res = v.serverResponse as { status: number; body: string };
    expect(checkResponse({ status: res.status, headers: {}, body: Buffer.from(res.body) })).toBe(
      v.expectedError,
    );
  });

  test('parse-secret-key: every case', () => {
    const [v] = byLevel('parse') as [PluginVector];
    for (const c of v.cases ?? []) {
      expect([c.input, parseSecretKey(c.input)]).toEqual([
        c.input,
        { secretName: c.secretName, tokenKey: c.tokenKey },
      ]);
    }
  });
});

/** Keys the service documents for input.parameters (issue 2, plus `addons`, plus `region` as an alias). */
const DOCUMENTED_PARAMETERS = [
  'selector',
  'regions',
  'region',
  'accountIds',
  'names',
  'statuses',
  'kubernetesVersion',
  'flatList',
  'addons',
];

describe('(a) the real generator service accepts every request Argo CD sends', () => {
  const wire = vectors.filter((v) => v.expectedRequest?.path === '/api/v1/getparams.execute');

  test('every generator- and service-level vector with a request is covered', () => {
    expect(wire.map((v) => v.name)).toContain('derived-cluster-generator-compatible-shape');
    expect(wire).toHaveLength(14);
  });

  test.each(wire.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    const req = v.expectedRequest as ExpectedRequest;
    const bearer = (req.headers['Authorization'] ?? '').replace(/^Bearer /, '');
    const literalReference = v.name === 'derived-missing-secret-key';
    // The compatible-shape vector asks for account 111111111111 in eu-west-1: give the fleet such a cluster.
    const gen = await startGenerator({
      records: [
        ...loadExampleFleet(),
        aClusterRecord({ clusterName: 'prod-euw1-vector', accountId: '111111111111' }),
      ],
      token: literalReference ? 'my-secret' : bearer,
    });
    try {
      const res = await sendRaw(
        `${gen.url}${req.path}`,
        req.method,
        req.headers,
        Buffer.from(req.bodyRawExample ?? '', 'utf8'),
      );
      const json = JSON.parse(res.body.toString('utf8')) as Record<string, unknown> & {
        output?: { parameters?: unknown };
      };
      if (literalReference) {
        // The literal `Bearer $plugin.token` Argo CD sends when the Secret lacks the key is refused.
        expect(res.status).toBe(403);
        expect(typeof json['message']).toBe('string');
        return;
      }
      const body = req.body as { input: { parameters?: Record<string, unknown> } };
      const unknown = Object.keys(body.input.parameters ?? {}).filter(
        (k) => !DOCUMENTED_PARAMETERS.includes(k),
      );
      if (unknown.length > 0) {
        // The upstream sample keys are not this service's schema: a 400 naming them.
        expect(res.status).toBe(400);
        expect(typeof json['message']).toBe('string');
        for (const k of unknown) expect(json['message']).toContain(`"${k}"`);
        return;
      }
      expect(res.status).toBe(200);
      expect(Object.keys(json)).toEqual(['output']);
      if (v.name === 'derived-cluster-generator-compatible-shape') {
        // `region` is `regions: [region]`: only the cluster of that account and region.
        const names = (json.output?.parameters as { name: string }[]).map((p) => p.name);
        expect(names).toEqual(['prod-euw1-vector']);
      }
      const parameters = json.output?.parameters as unknown[];
      expect(Array.isArray(parameters)).toBe(true);
      expect(parameters.length).toBeGreaterThan(0);
      const nonStrings = scalarLeaves(parameters).filter(([, x]) => typeof x !== 'string');
      expect(nonStrings).toEqual([]);
    } finally {
      await gen.close();
    }
  });
});

test('decodeFirstJsonValue: only the first JSON value of a body is read', () => {
  const first = decodeFirstJsonValue(Buffer.from('{"output":{"parameters":[]}} trailing garbage'));
  expect('node' in first).toBe(true);
});
