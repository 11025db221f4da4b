/**
 * The generator service against Argo CD's plugin generator contract (argocd-contract.md §A): supertest drives
 * createApp() with a real registry over an in-memory source. One describe per rule of generator-service/README.md.
 */
import request from 'supertest';
import type { ClusterRecord } from '../../core/cluster';
import { createJsonLogger } from '../../core/logger';
import type { AddonDefaults, FleetSnapshot, SourcePart } from '../../core/snapshot';
import { createApp } from '../../generator-service/app';
import { createServiceMetrics, type ServiceMetrics } from '../../generator-service/metrics';
import {
  createFleetRegistry,
  type FleetRegistry,
} from '../../generator-service/snapshot/fleet-snapshots';
import type { ClusterSource, SourceLoad } from '../../plugins/cluster-sources/source';
import { aClusterRecord, loadExampleAddonDefaults, loadExampleFleet } from '../helpers/generator';

const TOKEN = 's3cret-generator-token-for-tests';
const PATH = '/api/v1/getparams.execute';

interface Harness {
  app: ReturnType<typeof createApp>;
  registry: FleetRegistry;
  metrics: ServiceMetrics;
  logs: string[];
  source: FakeSource;
}

class FakeSource implements ClusterSource {
  readonly kind = 'file' as const;
  records: readonly ClusterRecord[];
  addonDefaults: AddonDefaults;
  error: Error | undefined;
  parts: SourcePart[] = [{ id: 'fake:fleet', lastSuccessAt: Date.now(), lastError: undefined }];
  loads = 0;
  maxStaleMs?: number;
  constructor(records: readonly ClusterRecord[], addonDefaults: AddonDefaults = {}) {
    this.records = records;
    this.addonDefaults = addonDefaults;
  }
  load(): Promise<SourceLoad> {
    this.loads++;
    if (this.error) return Promise.reject(this.error);
    return Promise.resolve({
      records: this.records,
      addonDefaults: this.addonDefaults,
      parts: this.parts,
    });
  }
}

async function harness(
  opts: {
    records?: readonly ClusterRecord[];
    source?: FakeSource;
    bodyLimitBytes?: number;
    now?: () => number;
    load?: boolean;
  } = {},
): Promise<Harness> {
  const source =
    opts.source ?? new FakeSource(opts.records ?? loadExampleFleet(), loadExampleAddonDefaults());
  const logs: string[] = [];
  const log = createJsonLogger({ write: (l: string) => logs.push(l) }, 'debug');
  const metrics = createServiceMetrics(opts.now ? { now: opts.now } : {});
  const registry = createFleetRegistry({
    source,
    log,
    metrics,
    ...(opts.now ? { now: opts.now } : {}),
  });
  if (opts.load !== false) await registry.refresh();
  const app = createApp({
    registry,
    tokens: { current: () => TOKEN },
    log,
    metrics,
    ...(opts.bodyLimitBytes ? { bodyLimitBytes: opts.bodyLimitBytes } : {}),
  });
  return { app, registry, metrics, logs, source };
}

function post(app: Harness['app'], body: unknown, path = PATH) {
  return request(app)
    .post(path)
    .set('Authorization', `Bearer ${TOKEN}`)
    .set('Content-Type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body) + '\n');
}

function names(res: request.Response): string[] {
  return (res.body as { output: { parameters: { name: string }[] } }).output.parameters.map(
    (p) => p.name,
  );
}

async function metricValue(m: ServiceMetrics, line: string): Promise<number> {
  const text = await m.registry.metrics();
  const found = text.split('\n').find((l) => l.startsWith(line + ' '));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

const ACTIVE_EXAMPLE_NAMES = [
  'dev-euw1',
  'dev-use1',
  'prod-apse2',
  'prod-euw1-blue',
  'prod-euw1-green',
  'prod-use1',
  'prod-use1-payments',
  'staging-apse2',
  'staging-euw1',
  'staging-use1',
  'tooling-euw1',
];

describe('200: one parameter set per cluster', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });

  test('a request exactly as Argo CD sends it (no parameters) lists every ACTIVE cluster in name order', async () => {
    const res = await post(h.app, '{"applicationSetName":"set","input":{}}\n');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(names(res)).toEqual(ACTIVE_EXAMPLE_NAMES);
  });

  test('a parameter set has the native Cluster generator keys plus aws, upgrade and clusterContext', async () => {
    const res = await post(h.app, { applicationSetName: 'set', input: { parameters: {} } });
    const blue = (res.body.output.parameters as Record<string, unknown>[]).find(
      (p) => p['name'] === 'prod-euw1-blue',
    );
    expect(blue).toMatchObject({
      name: 'prod-euw1-blue',
      nameNormalized: 'prod-euw1-blue',
      server: expect.stringMatching(
        /^https:\/\/[0-9A-F]{32}\.gr7\.eu-west-1\.eks\.amazonaws\.com$/,
      ),
      project: '',
      metadata: {
        labels: {
          env: 'prod',
          team: 'platform',
          'argocd-eks-plugins/upgrade-group': 'prod-euw1',
          'argocd-eks-plugins/upgrade-color': 'blue',
          'argocd-eks-plugins/upgrade-weight': '90',
        },
        annotations: {
          aws_cluster_name: 'prod-euw1-blue',
          aws_region: 'eu-west-1',
          aws_account_id: '012345678901',
        },
      },
      aws: { accountId: '012345678901', region: 'eu-west-1', version: '1.29', status: 'ACTIVE' },
      upgrade: { group: 'prod-euw1', color: 'blue', weight: '90' },
    });
    const { clusterContext, ...rest } = blue as { clusterContext: string };
    expect(JSON.parse(clusterContext)).toEqual(rest);
    expect(JSON.stringify(blue)).not.toContain('caData');
  });

  test('tags that are not label values become annotations; keys that are not label keys stay in aws.tags only', async () => {
    const res = await post(h.app, { input: { parameters: { names: ['prod-use1*'] } } });
    const [plain, payments] = res.body.output.parameters as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      aws: { tags: Record<string, string> };
    }[];
    expect(payments?.metadata.annotations).toMatchObject({
      description: 'Payments API (PCI scope)',
      owner: 'payments-team@example.com',
      compliance: 'PCI DSS',
    });
    expect(payments?.metadata.labels).not.toHaveProperty('owner');
    expect(plain?.aws.tags['aws:cloudformation:stack-name']).toBe('eksctl-prod-use1-cluster');
    expect(plain?.metadata.labels).not.toHaveProperty('aws:cloudformation:stack-name');
    expect(plain?.metadata.annotations).not.toHaveProperty('aws:cloudformation:stack-name');
  });

  test('every scalar leaf of the reply is a string, so Argo CD flat mode cannot mangle account ids', async () => {
    const res = await post(h.app, { input: { parameters: { addons: ['vpc-cni'] } } });
    const leaves: [string, unknown][] = [];
    const walk = (v: unknown, at: string) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
      else if (v !== null && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
      else leaves.push([at, v]);
    };
    walk(res.body, '$');
    expect(leaves.length).toBeGreaterThan(100);
    expect(leaves.filter(([, v]) => typeof v !== 'string')).toEqual([]);
  });

  test.each([
    ['a path prefix in baseUrl', '/generator/api/v1/getparams.execute'],
    ['a deeper prefix', '/a/b/api/v1/getparams.execute'],
  ])('served under %s', async (_case, path) => {
    const res = await post(h.app, { applicationSetName: 'set', input: {} }, path);
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(ACTIVE_EXAMPLE_NAMES);
  });

  test.each([
    ['text/plain', 'text/plain'],
    ['no content type', undefined],
    ['form content type', 'application/x-www-form-urlencoded'],
  ])('the body is read as JSON whatever the content type (%s)', async (_case, type) => {
    let r = request(h.app).post(PATH).set('Authorization', `Bearer ${TOKEN}`);
    if (type) r = r.set('Content-Type', type);
    const res = await r.send('{"applicationSetName":"set","input":{}}\n');
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(ACTIVE_EXAMPLE_NAMES);
  });

  test('unknown top-level fields and a missing input are accepted (Argo CD may add fields)', async () => {
    const res = await post(h.app, { applicationSetName: 'set', futureField: { x: 1 } });
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(ACTIVE_EXAMPLE_NAMES);
  });
});

describe('input.parameters filters', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    [
      'selector.matchLabels',
      { selector: { matchLabels: { env: 'staging' } } },
      ['staging-apse2', 'staging-euw1', 'staging-use1'],
    ],
    [
      'selector.matchExpressions In + NotIn',
      {
        selector: {
          matchExpressions: [
            { key: 'env', operator: 'In', values: ['prod'] },
            { key: 'team', operator: 'NotIn', values: ['platform'] },
          ],
        },
      },
      ['prod-use1-payments'],
    ],
    [
      'selector Exists',
      {
        selector: {
          matchExpressions: [{ key: 'argocd-eks-plugins/upgrade-group', operator: 'Exists' }],
        },
      },
      ['prod-euw1-blue', 'prod-euw1-green'],
    ],
    [
      'selector DoesNotExist',
      {
        selector: {
          matchLabels: { env: 'prod' },
          matchExpressions: [{ key: 'argocd-eks-plugins/upgrade-group', operator: 'DoesNotExist' }],
        },
      },
      ['prod-apse2', 'prod-use1', 'prod-use1-payments', 'tooling-euw1'],
    ],
    ['regions', { regions: ['ap-southeast-2'] }, ['prod-apse2', 'staging-apse2']],
    [
      'accountIds (leading zero kept)',
      { accountIds: ['012345678901'], regions: ['eu-west-1'] },
      ['prod-euw1-blue', 'prod-euw1-green', 'tooling-euw1'],
    ],
    ['names with *', { names: ['staging-*'] }, ['staging-apse2', 'staging-euw1', 'staging-use1']],
    ['names with ?', { names: ['dev-use?', 'prod-apse?'] }, ['dev-use1', 'prod-apse2']],
    ['statuses', { statuses: ['CREATING'] }, ['dev-apse2']],
    [
      'statuses, several',
      { statuses: ['ACTIVE', 'CREATING'], names: ['dev-*'] },
      ['dev-apse2', 'dev-euw1', 'dev-use1'],
    ],
    [
      'kubernetesVersion exact minor',
      { kubernetesVersion: '1.29' },
      ['prod-apse2', 'prod-euw1-blue'],
    ],
    [
      'kubernetesVersion range',
      { kubernetesVersion: '>=1.30 <1.31', regions: ['eu-west-1'] },
      ['prod-euw1-green', 'staging-euw1'],
    ],
    [
      'kubernetesVersion ||',
      { kubernetesVersion: '1.29 || ~1.31', regions: ['us-east-1', 'ap-southeast-2'] },
      ['dev-use1', 'prod-apse2'],
    ],
    [
      'kubernetesVersion hyphen',
      { kubernetesVersion: '1.28 - 1.29' },
      ['prod-apse2', 'prod-euw1-blue'],
    ],
    [
      'filters combine with AND',
      { regions: ['us-east-1'], selector: { matchLabels: { team: 'payments' } } },
      ['prod-use1-payments', 'staging-use1'],
    ],
    ['a filter matching nothing is a 200 with no sets', { names: ['no-such-*'] }, []],
  ])('%s', async (_case, parameters, expected) => {
    const res = await post(h.app, { applicationSetName: 'set', input: { parameters } });
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(expected);
  });

  test('flatList gives one set {clusters: [...]} like the native generator option', async () => {
    const res = await post(h.app, {
      input: { parameters: { flatList: true, selector: { matchLabels: { env: 'dev' } } } },
    });
    expect(res.status).toBe(200);
    const sets = res.body.output.parameters as { clusters: { name: string }[] }[];
    expect(sets).toHaveLength(1);
    expect(sets[0]?.clusters.map((c) => c.name)).toEqual(['dev-euw1', 'dev-use1']);
  });

  test('addons adds addons.<name> from the defaults of each cluster version; "" when that version has none', async () => {
    const res = await post(h.app, {
      input: {
        parameters: {
          names: ['prod-apse2', 'tooling-euw1'],
          addons: ['kube-proxy', 'eks-pod-identity-agent'],
        },
      },
    });
    expect(res.status).toBe(200);
    const sets = res.body.output.parameters as { name: string; addons: Record<string, string> }[];
    expect(sets.map((s) => [s.name, s.addons])).toEqual([
      ['prod-apse2', { 'kube-proxy': 'v1.29.3-eksbuild.2', 'eks-pod-identity-agent': '' }],
      [
        'tooling-euw1',
        { 'kube-proxy': 'v1.31.0-eksbuild.5', 'eks-pod-identity-agent': 'v1.3.2-eksbuild.2' },
      ],
    ]);
  });

  test('without addons there is no addons key', async () => {
    const res = await post(h.app, { input: { parameters: { names: ['prod-apse2'] } } });
    expect(res.body.output.parameters[0]).not.toHaveProperty('addons');
  });
});

describe('4xx: bad input gets a JSON message naming the fault, and the process keeps serving', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ bodyLimitBytes: 4096 });
  });
  afterEach(async () => {
    const ok = await post(h.app, { input: {} });
    expect(ok.status).toBe(200);
  });

  test.each<[string, string, RegExp]>([
    [
      'malformed JSON',
      '{"applicationSetName": "set", "input": {',
      /^request body is not valid JSON/,
    ],
    ['an empty body', '', /^request body is empty/],
    ['a JSON array', '[1,2]', /^request body must be a JSON object, got an array/],
    ['a JSON string', '"hello"', /^request body must be a JSON object, got a string/],
    [
      'applicationSetName not a string',
      '{"applicationSetName": 5}',
      /^applicationSetName: must be a string, got a number/,
    ],
    ['input not an object', '{"input": []}', /^input: must be an object, got an array/],
    [
      'parameters not an object',
      '{"input": {"parameters": "x"}}',
      /^input\.parameters: must be an object, got a string/,
    ],
  ])('%s → 400', async (_case, body, message) => {
    const res = await post(h.app, body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.message).toMatch(message);
    expect(res.body.code).toBe('ERR_INPUT');
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    [
      'unknown parameter keys, named',
      { zone: 'eu-west-1a', pkey1: 'x' },
      ['unknown parameters "zone", "pkey1"', 'accepted: selector, regions'],
    ],
    [
      'regions not an array',
      { regions: 'eu-west-1' },
      ['input.parameters.regions: must be an array of strings, got a string'],
    ],
    [
      'an empty list (would match nothing and prune)',
      { regions: [] },
      ['input.parameters.regions: must not be empty'],
    ],
    [
      'a region that is not one',
      { regions: ['Europe'] },
      ['input.parameters.regions[0]: "Europe" is not an AWS region name'],
    ],
    [
      'an account id as a number',
      { accountIds: [12345678901] },
      [
        'input.parameters.accountIds[0]: must be a non-empty string, got a number (account ids must be strings (quote them)',
      ],
    ],
    [
      'an account id of the wrong length',
      { accountIds: ['1234'] },
      ['input.parameters.accountIds[0]: "1234" is not a 12-digit AWS account id'],
    ],
    [
      'flatList not a boolean',
      { flatList: 'yes' },
      ['input.parameters.flatList: must be true or false, got a string'],
    ],
    [
      'statuses with an unknown status',
      { statuses: ['RUNNING'] },
      ['input.parameters.statuses[0]: "RUNNING" is not an EKS status'],
    ],
    [
      'kubernetesVersion unreadable',
      { kubernetesVersion: '>=banana' },
      ['input.parameters.kubernetesVersion: ">=banana": cannot read ">=banana"'],
    ],
    [
      'kubernetesVersion not a string',
      { kubernetesVersion: 1.3 },
      ['input.parameters.kubernetesVersion: must be a string'],
    ],
    [
      'selector with a bad operator',
      { selector: { matchExpressions: [{ key: 'env', operator: 'Equals', values: ['x'] }] } },
      [
        'input.parameters.selector.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist',
      ],
    ],
    [
      'selector with an unknown key',
      { selector: { matchLabel: { env: 'x' } } },
      ['input.parameters.selector: unknown key "matchLabel"'],
    ],
    [
      'names not strings',
      { names: [1] },
      ['input.parameters.names[0]: must be a non-empty string, got a number'],
    ],
    [
      'an add-on unknown for every version',
      { addons: ['vpc-cni', 'istio'] },
      ['input.parameters.addons: unknown add-on "istio" (known: '],
    ],
    [
      'several problems at once',
      { regions: 'x', flatList: 1, bogus: true },
      ['unknown parameter "bogus"', 'regions: must be an array', 'flatList: must be true or false'],
    ],
  ])('%s → 400', async (_case, parameters, fragments) => {
    const res = await post(h.app, { applicationSetName: 'set', input: { parameters } });
    expect(res.status).toBe(400);
    for (const f of fragments) expect(res.body.message).toContain(f);
  });

  test('an oversized body → 413 JSON', async () => {
    const res = await post(h.app, { input: { parameters: { names: ['x'.repeat(5000)] } } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      message: 'request body is larger than the limit of 4096 bytes',
      code: 'ERR_INPUT',
    });
  });

  test.each(['GET', 'PUT', 'DELETE'])(
    '%s on the getparams route → 405 JSON with Allow: POST',
    async (method) => {
      const res = await request(h.app)
        [method.toLowerCase() as 'get']('/api/v1/getparams.execute')
        .set('Authorization', `Bearer ${TOKEN}`);
      expect(res.status).toBe(405);
      expect(res.headers['allow']).toBe('POST');
      expect(res.body.message).toContain(`method ${method} not allowed`);
    },
  );

  test('an unknown path → 404 JSON', async () => {
    const res = await request(h.app).post('/api/v2/whatever').send('{}');
    expect(res.status).toBe(404);
    expect(res.body.message).toContain('no route for POST /api/v2/whatever');
  });
});

describe('401/403: Bearer token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });

  test.each<[string, Record<string, string>, number, string]>([
    ['no Authorization header', {}, 401, 'missing bearer token'],
    [
      'another scheme',
      { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      401,
      'missing bearer token',
    ],
    ['Bearer with nothing', { Authorization: 'Bearer' }, 401, 'missing bearer token'],
    ['a wrong token', { Authorization: 'Bearer not-the-token' }, 403, 'invalid bearer token'],
    [
      'a token prefix',
      { Authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      403,
      'invalid bearer token',
    ],
    ['the token plus more', { Authorization: `Bearer ${TOKEN}x` }, 403, 'invalid bearer token'],
  ])('%s → %p', async (_case, headers, status, message) => {
    const res = await request(h.app).post(PATH).set(headers).send('{"input":{}}');
    expect(res.status).toBe(status);
    expect(res.body.message).toContain(message);
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
  });

  test('the scheme is case-insensitive and surrounding spaces do not matter', async () => {
    const res = await request(h.app)
      .post(PATH)
      .set('Authorization', `bearer   ${TOKEN} `)
      .send('{"input":{}}');
    expect(res.status).toBe(200);
  });

  test('an unauthenticated request is refused before its body is read (no 413 or 400 leaks through)', async () => {
    const res = await request(h.app).post(PATH).send('not json');
    expect(res.status).toBe(401);
  });

  test('health, readiness and metrics need no token', async () => {
    for (const p of ['/healthz', '/readyz', '/metrics']) {
      expect((await request(h.app).get(p)).status).toBe(200);
    }
  });

  test('the token never appears in logs or metrics, even when a wrong one is presented', async () => {
    await request(h.app).post(PATH).set('Authorization', 'Bearer wrong-token-value').send('{}');
    await post(h.app, { input: {} });
    const metrics = await h.metrics.registry.metrics();
    const logs = h.logs.join('');
    for (const secret of [TOKEN, 'wrong-token-value']) {
      expect(logs).not.toContain(secret);
      expect(metrics).not.toContain(secret);
    }
  });
});

describe('503: never an answer from nothing or from data too old', () => {
  test('before the first snapshot: getparams and /readyz are 503 naming the failing part; /healthz is 200', async () => {
    const source = new FakeSource([]);
    source.parts = [{ id: 'fake:never', lastSuccessAt: undefined, lastError: 'AccessDenied' }];
    source.error = new Error('eks:111111111111/eu-west-1: AccessDenied');
    const h = await harness({ source });
    const res = await post(h.app, { input: {} });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      message: 'cluster source could not be read: eks:111111111111/eu-west-1: AccessDenied',
      code: 'ERR_NOT_READY',
    });
    const ready = await request(h.app).get('/readyz').set('Authorization', `Bearer ${TOKEN}`);
    expect(ready.status).toBe(503);
    expect(ready.body.message).toContain('AccessDenied');
    // Without the token: the same status, no detail.
    const bare = await request(h.app).get('/readyz');
    expect(bare.status).toBe(503);
    expect(bare.body).toEqual({ message: 'not ready', code: 'ERR_NOT_READY' });
    expect((await request(h.app).get('/healthz')).status).toBe(200);
  });

  test('before any load has finished: 503 "has not loaded yet"', async () => {
    const h = await harness({ load: false });
    const res = await post(h.app, { input: {} });
    expect(res.status).toBe(503);
    expect(res.body.message).toBe('cluster registry has not loaded yet');
  });

  test('a part that never loaded keeps the registry unready, naming it', async () => {
    const source = new FakeSource([aClusterRecord({ clusterName: 'a' })]);
    source.parts = [
      { id: 'eks:111111111111/eu-west-1', lastSuccessAt: Date.now(), lastError: undefined },
      {
        id: 'eks:222222222222/us-east-1',
        lastSuccessAt: undefined,
        lastError: 'ThrottlingException',
      },
    ];
    const h = await harness({ source });
    const res = await post(h.app, { input: {} });
    expect(res.status).toBe(503);
    expect(res.body.message).toContain(
      'eks:222222222222/us-east-1 (never loaded: ThrottlingException)',
    );
    expect(res.body.message).not.toContain('111111111111');
  });

  test('a part failing for longer than maxStaleMs → 503 naming it; a later success serves again', async () => {
    let clock = 1_000_000;
    const source = new FakeSource([aClusterRecord({ clusterName: 'a' })]);
    source.maxStaleMs = 60_000;
    source.parts = [
      { id: 'eks:111111111111/eu-west-1', lastSuccessAt: clock, lastError: undefined },
    ];
    const h = await harness({ source, now: () => clock });
    expect((await post(h.app, { input: {} })).status).toBe(200);

    source.parts = [
      { id: 'eks:111111111111/eu-west-1', lastSuccessAt: clock, lastError: 'RequestTimeout' },
    ];
    clock += 30_000;
    await h.registry.refresh();
    expect((await post(h.app, { input: {} })).status).toBe(200); // failing, but within the limit

    clock += 31_000;
    const stale = await post(h.app, { input: {} });
    expect(stale.status).toBe(503);
    expect(stale.body.message).toBe(
      'cluster source parts too stale to serve (limit 60s): eks:111111111111/eu-west-1 (last success 61s ago: RequestTimeout)',
    );
    expect(
      await metricValue(
        h.metrics,
        'generator_source_part_stale{part="eks:111111111111/eu-west-1"}',
      ),
    ).toBe(1);

    source.parts = [
      { id: 'eks:111111111111/eu-west-1', lastSuccessAt: clock, lastError: undefined },
    ];
    await h.registry.refresh();
    expect((await post(h.app, { input: {} })).status).toBe(200);
  });
});

describe('registry: a bad or failed load keeps the last good snapshot', () => {
  test('a load that rejects keeps serving the previous clusters and counts the failure', async () => {
    const h = await harness({
      records: [aClusterRecord({ clusterName: 'a' }), aClusterRecord({ clusterName: 'b' })],
    });
    h.source.error = new Error('boom');
    await h.registry.refresh();
    const res = await post(h.app, { input: {} });
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(['a', 'b']);
    expect(
      await metricValue(h.metrics, 'generator_registry_refresh_failures_total{reason="load"}'),
    ).toBe(1);
    expect(h.logs.some((l) => l.includes('cluster source load failed') && l.includes('boom'))).toBe(
      true,
    );
  });

  test('a newcomer claiming a served name is quarantined on its own; the rest is published', async () => {
    const h = await harness({ records: [aClusterRecord({ clusterName: 'a' })] });
    h.source.records = [
      aClusterRecord({ clusterName: 'a' }),
      aClusterRecord({ clusterName: 'a', region: 'us-east-1' }),
      aClusterRecord({ clusterName: 'b' }),
    ];
    await h.registry.refresh();
    const res = await post(h.app, { input: {} });
    expect(names(res)).toEqual(['a', 'b']);
    expect(res.body.output.parameters[0].aws.region).toBe('eu-west-1');
    expect(h.registry.current()?.version).toBe(2);
    expect(await metricValue(h.metrics, 'generator_registry_quarantined_clusters')).toBe(1);
    expect(
      h.logs.some(
        (l) =>
          l.includes('cluster quarantined; left out of answers') &&
          l.includes('arn:aws:eks:us-east-1:012345678901:cluster/a') &&
          l.includes('belongs to 012345678901/eu-west-1/a'),
      ),
    ).toBe(true);
  });

  test('a served record the model refuses (bad endpoint) keeps its last good parameters', async () => {
    const h = await harness({ records: [aClusterRecord({ clusterName: 'a' })] });
    h.source.records = [aClusterRecord({ clusterName: 'a', endpoint: 'not a url' })];
    await h.registry.refresh();
    expect(names(await post(h.app, { input: {} }))).toEqual(['a']);
  });

  test('a good load publishes a new immutable snapshot with version + 1', async () => {
    const h = await harness({ records: [aClusterRecord({ clusterName: 'a' })] });
    const first = h.registry.current() as FleetSnapshot;
    h.source.records = [aClusterRecord({ clusterName: 'a' }), aClusterRecord({ clusterName: 'c' })];
    await h.registry.refresh();
    const second = h.registry.current() as FleetSnapshot;
    expect(second.version).toBe(first.version + 1);
    expect(first.clusters.map((c) => c.name)).toEqual(['a']);
    expect(Object.isFrozen(second.clusters)).toBe(true);
    expect(Object.isFrozen(second.clusters[0]?.labels)).toBe(true);
    expect(names(await post(h.app, { input: {} }))).toEqual(['a', 'c']);
  });
});

describe('repeated identical requests do not filter or serialize again', () => {
  test('five identical requests: one computation, four cache hits, and the snapshot clusters are read once', async () => {
    const h = await harness();
    let clusterReads = 0;
    const counting = {
      ...h.registry,
      servingSnapshot: () => {
        const s = h.registry.servingSnapshot();
        return {
          ...s,
          get clusters() {
            clusterReads++;
            return s.clusters;
          },
        };
      },
    };
    const app = createApp({
      registry: counting,
      tokens: { current: () => TOKEN },
      log: createJsonLogger({ write: () => true }),
      metrics: h.metrics,
    });
    const bodies: string[] = [];
    for (let i = 0; i < 5; i++) {
      // Same parameters, keys in a different order: the cache key is canonical.
      const parameters =
        i % 2 === 0
          ? { regions: ['eu-west-1'], flatList: false }
          : { flatList: false, regions: ['eu-west-1'] };
      const res = await post(app, { applicationSetName: `set-${i}`, input: { parameters } });
      expect(res.status).toBe(200);
      bodies.push(res.text);
    }
    expect(new Set(bodies).size).toBe(1);
    expect(clusterReads).toBe(1);
    expect(
      await metricValue(h.metrics, 'generator_params_cache_lookups_total{result="miss"}'),
    ).toBe(1);
    expect(await metricValue(h.metrics, 'generator_params_cache_lookups_total{result="hit"}')).toBe(
      4,
    );

    await post(app, { input: { parameters: { regions: ['us-east-1'] } } });
    expect(clusterReads).toBe(2);
  });

  test('a new snapshot version is computed afresh', async () => {
    const h = await harness({ records: [aClusterRecord({ clusterName: 'a' })] });
    expect(names(await post(h.app, { input: {} }))).toEqual(['a']);
    h.source.records = [aClusterRecord({ clusterName: 'a' }), aClusterRecord({ clusterName: 'b' })];
    await h.registry.refresh();
    expect(names(await post(h.app, { input: {} }))).toEqual(['a', 'b']);
    expect(
      await metricValue(h.metrics, 'generator_params_cache_lookups_total{result="miss"}'),
    ).toBe(2);
  });

  test('an unchanged reload keeps the snapshot version (and the cache)', async () => {
    const h = await harness();
    await post(h.app, { input: {} });
    await h.registry.refresh();
    expect(h.registry.current()?.version).toBe(1);
    await post(h.app, { input: {} });
    expect(await metricValue(h.metrics, 'generator_params_cache_lookups_total{result="hit"}')).toBe(
      1,
    );
  });
});

describe('observability', () => {
  test('/metrics: requests by status, latency, clusters, snapshot age, parts', async () => {
    const h = await harness();
    await post(h.app, { input: {} });
    await request(h.app).post(PATH).send('{}');
    const text = (await request(h.app).get('/metrics')).text;
    expect(text).toContain('generator_http_requests_total{route="getparams",status="200"} 1');
    expect(text).toContain('generator_http_requests_total{route="getparams",status="401"} 1');
    expect(text).toContain('generator_http_request_duration_seconds_count{route="getparams"} 2');
    expect(text).toContain('generator_snapshot_clusters 12');
    expect(text).toMatch(/generator_snapshot_age_seconds \d/);
    expect(text).toContain('generator_source_part_stale{part="fake:fleet"} 0');
    expect(text).toMatch(
      /generator_source_part_last_success_timestamp_seconds\{part="fake:fleet"\} \d+/,
    );
  });

  test('/readyz reports the snapshot and its parts once ready, to a request with the token only', async () => {
    const h = await harness();
    const res = await request(h.app).get('/readyz').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.body).toEqual({
      status: 'ready',
      snapshotVersion: 1,
      clusters: 12,
      parts: [{ id: 'fake:fleet', lastSuccessAt: expect.any(String), lastError: null }],
    });
    for (const authorization of [undefined, 'Bearer wrong-token', 'Basic eDp5']) {
      const req = request(h.app).get('/readyz');
      const bare = await (authorization === undefined
        ? req
        : req.set('Authorization', authorization));
      expect(bare.status).toBe(200);
      expect(bare.body).toEqual({ status: 'ready' });
    }
  });

  test('one JSON access log line per request: method, path, status, ms, ApplicationSet', async () => {
    const h = await harness();
    h.logs.length = 0;
    await post(h.app, { applicationSetName: 'my-apps', input: {} });
    const lines = h.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['msg'] === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      method: 'POST',
      path: PATH,
      status: 200,
      applicationSet: 'my-apps',
    });
    expect(typeof lines[0]?.['ms']).toBe('number');
  });

  test('an unexpected error is a 500 with a generic message and a log id; details go to the log only', async () => {
    const h = await harness();
    const broken = {
      ...h.registry,
      servingSnapshot: (): FleetSnapshot => {
        throw new TypeError('secret internal detail');
      },
    };
    const app = createApp({
      registry: broken,
      tokens: { current: () => TOKEN },
      log: createJsonLogger({ write: (l: string) => h.logs.push(l) }),
      metrics: h.metrics,
    });
    const res = await post(app, { input: {} });
    expect(res.status).toBe(500);
    expect(res.body.message).toMatch(/^internal error \(log id [0-9a-f]{12}\)$/);
    expect(res.text).not.toContain('secret internal detail');
    const logId = /log id ([0-9a-f]+)/.exec(res.body.message as string)?.[1];
    expect(
      h.logs.some((l) => l.includes(logId ?? '?') && l.includes('secret internal detail')),
    ).toBe(true);
  });
});
