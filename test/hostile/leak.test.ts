/**
 * One leak test across the components (issue 9): distinctive secret values are planted (the bearer token and the
 * token it is rotated to, the AWS credentials in the environment of the generator and of eks-overlay, the
 * credentials the fake STS hands out for assumed roles, Secrets Manager values) and every failure reachable from
 * outside is driven through the generator (in process and as the bundled process) and the eks-overlay CLI. No
 * planted value, nor its base64 at any alignment, may appear in any reply, log line, stderr, metric or failure
 * stdout. The one intended place, eks-overlay inline mode's stdout on success, is checked to hold it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addAll, clusters, startEksHarness, type EksHarness } from '../fakes/aws/eks-harness';
import { SecretsManagerFake, type SmFaultRule } from '../fakes/aws-secrets-manager/server';
import { loadExampleFleet } from '../helpers/generator';
import { buildBundles, type Bundles } from './helpers/bundles';
import { listeningPort, runNode, until } from './helpers/child';
import { startHostileGenerator, type HostileGenerator } from './helpers/generator-server';
import { GETPARAMS } from './helpers/hostile-requests';
import { LeakScanner, base64Forms, findPlanted, type Planted } from './helpers/leak-scan';
import { rawExchange, requestBytes, type RawResponse } from './helpers/raw-http';

jest.setTimeout(120_000);

const P = {
  token: 'LEAKCANARY-token-7c1e9a44',
  rotated: 'LEAKCANARY-rotated-52bd0417',
  awsSecretKey: 'LEAKCANARY-awssecret-0f3a9e',
  awsSessionToken: 'LEAKCANARY-awssession-91d2c3',
  smPassword: 'LEAKCANARY-smpassword-e4c8b1',
  smRaw: 'LEAKCANARY-smraw-3b77f0',
  smSibling: 'LEAKCANARY-smsibling-aa10',
};
const PLANTED: Planted[] = Object.entries(P).map(([name, value]) => ({ name, value }));
/** Every planted value shares this prefix: not even a cut-off piece of one may show. */
const PREFIX = 'LEAKCANARY';

const HOME = '111111111111';
const SPOKE = '222222222222';
const ROLE = `arn:aws:iam::${SPOKE}:role/eks-discovery`;

function scannerWith(extra: readonly Planted[] = []): LeakScanner {
  return new LeakScanner([...PLANTED, ...extra]);
}

function expectClean(scanner: LeakScanner, extraTexts: string[] = []): void {
  expect(scanner.size).toBeGreaterThan(0);
  expect(scanner.findings()).toEqual([]);
  for (const t of extraTexts) expect(t).not.toContain(PREFIX);
}

function record(scanner: LeakScanner, where: string, res: RawResponse): void {
  scanner.add(`${where} (head)`, res.head);
  scanner.add(`${where} (body)`, res.body);
}

function call(
  port: number,
  opts: {
    method?: string;
    target?: string;
    auth?: string[];
    body?: string | Buffer;
    headers?: [string, string][];
  },
): Promise<RawResponse> {
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  return rawExchange(
    port,
    requestBytes(
      opts.method ?? 'POST',
      opts.target ?? GETPARAMS,
      [
        ['Host', '127.0.0.1'],
        ...(opts.auth ?? []).map((a): [string, string] => ['Authorization', a]),
        ...(opts.headers ?? []),
        ...(body === undefined
          ? []
          : [['Content-Length', String(body.length)] as [string, string]]),
        ['Connection', 'close'],
      ],
      body,
    ),
    { halfClose: body === undefined },
  );
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const valid = '{"applicationSetName":"set","input":{"parameters":{"region":"eu-west-1"}}}\n';

/** Requests that fail for every reason a caller can cause, each with the token somewhere it should not be. */
function hostileCalls(
  token: string,
): { label: string; auth: string[]; body?: string; headers?: [string, string][] }[] {
  return [
    { label: 'no token', auth: [], body: valid },
    { label: 'wrong token', auth: ['Bearer not-the-token'], body: valid },
    { label: 'token with a suffix', auth: [`Bearer ${token}x`], body: valid },
    { label: 'token as Basic', auth: [`Basic ${b64(`argocd:${token}`)}`], body: valid },
    { label: 'token without scheme', auth: [token], body: valid },
    { label: 'token in another scheme', auth: [`Token ${token}`], body: valid },
    { label: 'bad JSON', auth: [`Bearer ${token}`], body: '{"input":' },
    {
      label: 'unknown parameter',
      auth: [`Bearer ${token}`],
      body: '{"input":{"parameters":{"pkey1":"x"}}}',
    },
    {
      label: 'deep nesting',
      auth: [`Bearer ${token}`],
      body: `{"input":{"parameters":{"x":${'['.repeat(500)}${']'.repeat(500)}}}}`,
    },
    {
      label: 'bogus gzip',
      auth: [`Bearer ${token}`],
      body: valid,
      headers: [['Content-Encoding', 'gzip']],
    },
    {
      label: 'unknown encoding',
      auth: [`Bearer ${token}`],
      body: valid,
      headers: [['Content-Encoding', 'x-zip']],
    },
    {
      label: 'over the limit',
      auth: [`Bearer ${token}`],
      body: `{"input":{"parameters":{"names":["${'n'.repeat(1_100_000)}"]}}}`,
    },
    { label: 'wrong method', auth: [`Bearer ${token}`] },
  ];
}

async function driveGenerator(port: number, scanner: LeakScanner, where: string): Promise<void> {
  for (const c of hostileCalls(P.token)) {
    const res = await call(port, {
      method: c.body === undefined ? 'GET' : 'POST',
      auth: c.auth,
      ...(c.body === undefined ? {} : { body: c.body }),
      ...(c.headers === undefined ? {} : { headers: c.headers }),
    });
    expect([c.label, res.status !== undefined && res.status >= 400]).toEqual([c.label, true]);
    record(scanner, `${where}: ${c.label}`, res);
  }
  // Parser-level refusals, with the token in the bytes.
  for (const [label, bytes] of [
    [
      'malformed request',
      `POST ${GETPARAMS} HTTP/1.1\r\nAuthorization: Bearer ${P.token}\r\nBad Header: x\r\n\r\n`,
    ],
    [
      'headers too large',
      `POST ${GETPARAMS} HTTP/1.1\r\nAuthorization: Bearer ${P.token}\r\nX: ${'x'.repeat(20_000)}\r\n\r\n`,
    ],
  ] as const) {
    record(
      scanner,
      `${where}: ${label}`,
      await rawExchange(port, Buffer.from(bytes), { halfClose: true }),
    );
  }
}

describe('the generator in process: replies, log lines and metrics', () => {
  let gen: HostileGenerator;
  afterEach(() => gen?.close());

  test('every refusal, before and after a token rotation, on a static fleet', async () => {
    gen = await startHostileGenerator({ records: loadExampleFleet(), token: `${P.token}\n` });
    const scanner = scannerWith();
    await driveGenerator(gen.port, scanner, 'static');
    // The right token works (so the plant is real), then the token is rotated.
    expect((await call(gen.port, { auth: [`Bearer ${P.token}`], body: valid })).status).toBe(200);
    gen.setToken(P.rotated);
    const old = await call(gen.port, { auth: [`Bearer ${P.token}`], body: valid });
    expect(old.status).toBe(403);
    record(scanner, 'static: the old token after rotation', old);
    const wrongAfter = await call(gen.port, { auth: [`Bearer ${P.rotated}x`], body: valid });
    expect(wrongAfter.status).toBe(403);
    record(scanner, 'static: near miss of the rotated token', wrongAfter);
    expect((await call(gen.port, { auth: [`Bearer ${P.rotated}`], body: valid })).status).toBe(200);
    // No token at all (a rotation that emptied the Secret): every request refused.
    gen.setToken(undefined);
    record(
      scanner,
      'static: no token configured',
      await call(gen.port, { auth: [`Bearer ${P.rotated}`], body: valid }),
    );
    scanner.add('static: logs', gen.logs.join(''));
    scanner.add('static: metrics', await gen.metricsText());
    expect(gen.logs.length).toBeGreaterThan(10);
    expectClean(scanner, [gen.logs.join(''), await gen.metricsText()]);
  });

  test('AWS faults of the EKS source (denied role, denied and throttled EKS, 500s, cut bodies, resets), with planted AWS credentials', async () => {
    const harness: EksHarness = await startEksHarness(
      {
        EKS_REGIONS: 'eu-west-1,us-east-1',
        EKS_ASSUME_ROLE_ARNS: ROLE,
        EKS_MAX_STALE_SECONDS: '900',
      },
      {
        homeAccount: HOME,
        fleet: (fake) => {
          addAll(fake, HOME, 'eu-west-1', clusters('edge', 2, { env: 'dev' }));
          addAll(fake, SPOKE, 'eu-west-1', clusters('spoke', 2, { env: 'prod' }));
        },
      },
    );
    // The SDK reads the environment when it first needs credentials, which is after this.
    process.env['AWS_SECRET_ACCESS_KEY'] = P.awsSecretKey;
    process.env['AWS_SESSION_TOKEN'] = P.awsSessionToken;
    try {
      gen = await startHostileGenerator({ source: harness.source, token: P.token });
      const scanner = scannerWith();
      const faults: [string, () => void][] = [
        ['role denied', () => harness.fake.denyRole(ROLE)],
        [
          'EKS access denied',
          () =>
            void harness.fake.addFault({
              match: { op: 'ListClusters' },
              fault: {
                kind: 'error',
                status: 403,
                type: 'AccessDeniedException',
                message: 'User is not authorized',
              },
            }),
        ],
        [
          'throttled',
          () =>
            void harness.fake.addFault({
              match: { op: 'DescribeCluster' },
              fault: { kind: 'throttle' },
            }),
        ],
        [
          '500',
          () =>
            void harness.fake.addFault({
              match: { op: 'ListClusters' },
              fault: { kind: 'error', status: 500, type: 'ServerException' },
            }),
        ],
        [
          'cut body',
          () =>
            void harness.fake.addFault({
              match: { op: 'DescribeCluster' },
              fault: { kind: 'malformed' },
            }),
        ],
        [
          'connection reset',
          () =>
            void harness.fake.addFault({ match: { op: 'AssumeRole' }, fault: { kind: 'destroy' } }),
        ],
        [
          'STS access denied',
          () =>
            void harness.fake.addFault({
              match: { op: 'AssumeRole' },
              fault: {
                kind: 'error',
                status: 403,
                type: 'AccessDenied',
                message: 'not authorized to perform sts:AssumeRole',
              },
            }),
        ],
      ];
      for (const [label, inject] of faults) {
        harness.fake.clearFaults();
        harness.fake.allowRole(ROLE);
        inject();
        await gen.refresh();
        const res = await call(gen.port, { auth: [`Bearer ${P.token}`], body: valid });
        record(scanner, `eks ${label}`, res);
        const ready = await call(gen.port, { method: 'GET', target: '/readyz' });
        record(scanner, `eks ${label}: readyz`, ready);
      }
      harness.fake.clearFaults();
      harness.fake.allowRole(ROLE);
      await gen.refresh();
      expect((await call(gen.port, { auth: [`Bearer ${P.token}`], body: valid })).status).toBe(200);
      await driveGenerator(gen.port, scanner, 'eks');
      // What the fake STS issued for the assumed role is a secret as well.
      const issued = harness.fake
        .issuedSecrets()
        .map((value, i) => ({ name: `sts issued ${i}`, value }));
      expect(issued.length).toBeGreaterThan(0);
      const logs = [...gen.logs, ...harness.logs].join('');
      expect(logs).toMatch(/AccessDenied/);
      const all = new LeakScanner([...PLANTED, ...issued]);
      all.add('eks: logs', logs);
      all.add('eks: metrics', await gen.metricsText());
      expectClean(all);
      expectClean(scanner, [logs]);
      // AssumeRole is signed with the home credentials: a session token on it is the planted one.
      expect(harness.fake.calls.some((c) => c.op === 'AssumeRole' && c.securityToken)).toBe(true);
    } finally {
      await harness.close();
    }
  });
});

describe('the bundled processes', () => {
  let bundles: Bundles;
  let work: string;
  beforeAll(async () => {
    bundles = await buildBundles();
  }, 120_000);
  afterAll(() => bundles?.remove());
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'leak-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  test('generator-service: stdout, stderr, replies and /metrics through faults, refusals and a token file rotation', async () => {
    const harness = await startEksHarness(
      { EKS_REGIONS: 'eu-west-1', EKS_ASSUME_ROLE_ARNS: ROLE },
      {
        homeAccount: HOME,
        fleet: (fake) => {
          addAll(fake, HOME, 'eu-west-1', clusters('edge', 2, { env: 'dev' }));
          addAll(fake, SPOKE, 'eu-west-1', clusters('spoke', 2, { env: 'prod' }));
        },
      },
    );
    const tokenFile = path.join(work, 'token', 'token');
    mkdirSync(path.dirname(tokenFile));
    writeFileSync(tokenFile, `${P.token}\n`);
    // A throttled describe and a denied role on the first refreshes, then a clean fleet.
    harness.fake.addFault({
      match: { op: 'DescribeCluster' },
      fault: { kind: 'throttle' },
      times: 6,
    });
    harness.fake.addFault({
      match: { op: 'AssumeRole' },
      fault: { kind: 'error', status: 403, type: 'AccessDenied' },
      times: 2,
    });
    const child = runNode(bundles.generator, [], {
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'debug',
      CLUSTER_SOURCE: 'eks',
      EKS_REGIONS: 'eu-west-1',
      EKS_ASSUME_ROLE_ARNS: ROLE,
      EKS_REFRESH_SECONDS: '5',
      EKS_MAX_ATTEMPTS: '2',
      GENERATOR_TOKEN_FILE: tokenFile,
      AWS_ENDPOINT_URL_EKS: harness.fake.url,
      AWS_ENDPOINT_URL_STS: harness.fake.url,
      AWS_ACCESS_KEY_ID: 'AKIDLEAKTEST',
      AWS_SECRET_ACCESS_KEY: P.awsSecretKey,
      AWS_SESSION_TOKEN: P.awsSessionToken,
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    });
    const scanner = scannerWith();
    try {
      const port = await listeningPort(child);
      await driveGenerator(port, scanner, 'process');
      await until(async () =>
        (await call(port, { method: 'GET', target: '/readyz' })).status === 200 ? true : undefined,
      );
      expect((await call(port, { auth: [`Bearer ${P.token}`], body: valid })).status).toBe(200);
      writeFileSync(tokenFile, `${P.rotated}\n`);
      await until(async () =>
        (await call(port, { auth: [`Bearer ${P.rotated}`], body: valid })).status === 200
          ? true
          : undefined,
      );
      record(
        scanner,
        'process: old token after rotation',
        await call(port, { auth: [`Bearer ${P.token}`], body: valid }),
      );
      // An emptied token file keeps the previous token and warns.
      writeFileSync(tokenFile, '');
      await new Promise((resolve) => setTimeout(resolve, 1200));
      record(
        scanner,
        'process: after the file emptied',
        await call(port, { auth: [`Bearer ${P.token}`], body: valid }),
      );
      const metrics = await call(port, { method: 'GET', target: '/metrics' });
      expect(metrics.status).toBe(200);
      record(scanner, 'process: metrics', metrics);
    } finally {
      if (process.env['LEAK_DEBUG']) process.stderr.write(`${child.stdout()}\n${child.stderr()}\n`);
      child.child.kill('SIGTERM');
      await child.exit;
      await harness.close();
    }
    const issued = harness.fake
      .issuedSecrets()
      .map((value, i) => ({ name: `sts issued ${i}`, value }));
    expect(issued.length).toBeGreaterThan(0);
    expect(harness.fake.calls.some((c) => c.op === 'AssumeRole' && c.securityToken)).toBe(true);
    expect(child.stdout()).toMatch(/AccessDenied|Throttl|TooManyRequests/);
    const all = new LeakScanner([...PLANTED, ...issued]);
    all.add('process: stdout', child.stdout());
    all.add('process: stderr', child.stderr());
    expectClean(all, [child.stdout(), child.stderr()]);
    expectClean(scanner);
  });

  describe('eks-overlay inline mode: stdout and stderr of every failure', () => {
    let sm: SecretsManagerFake;
    beforeEach(async () => {
      sm = new SecretsManagerFake('111122223333', 'eu-west-1');
      await sm.start();
      sm.addSecret('prod/shop/db', { password: P.smPassword, sibling: P.smSibling });
      // A secret string that is not JSON: its parse error must not quote it.
      sm.addSecret('prod/shop/raw', `{"password": "${P.smRaw}", `);
    });
    afterEach(() => sm.stop());

    function writeApp(secretsYaml: string, stringData: string): void {
      writeFileSync(
        path.join(work, 'eks-overlay.yaml'),
        `layers:\n  - base\nsecrets:\n${secretsYaml}`,
      );
      mkdirSync(path.join(work, 'base'), { recursive: true });
      writeFileSync(
        path.join(work, 'base', 'secret.yaml'),
        `apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData:\n${stringData}`,
      );
    }

    async function generate(): Promise<{ code: number | null; stdout: string; stderr: string }> {
      const r = runNode(
        bundles.eksOverlay,
        ['generate'],
        {
          HOME: work,
          ARGOCD_APP_NAME: 'shop',
          ARGOCD_APP_NAMESPACE: 'shop',
          ARGOCD_APP_PARAMETERS: 'null',
          ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify({
            name: 'prod-eu-1',
            metadata: { labels: { env: 'prod' } },
            aws: { region: 'eu-west-1' },
          }),
          AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
          AWS_ACCESS_KEY_ID: 'AKIDLEAKTEST',
          AWS_SECRET_ACCESS_KEY: P.awsSecretKey,
          AWS_SESSION_TOKEN: P.awsSessionToken,
          AWS_EC2_METADATA_DISABLED: 'true',
          EKS_OVERLAY_LOG_LEVEL: 'debug',
        },
        work,
      );
      const code = await r.exit;
      return { code, stdout: r.stdout(), stderr: r.stderr() };
    }

    test('success: the value is on stdout (the one intended place) and nowhere else', async () => {
      writeApp('  mode: inline\n', '  password: <path:prod/shop/db#password>\n');
      const res = await generate();
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(P.smPassword);
      // Only the value asked for: the sibling key of the same secret stays out, in any form.
      expect(findPlanted('stdout', res.stdout, PLANTED).map((f) => f.planted)).toEqual([
        'smPassword',
      ]);
      const scanner = scannerWith();
      scanner.add('success: stderr', res.stderr);
      expectClean(scanner, [res.stderr]);
    });

    const ok = '  ok: <path:prod/shop/db#password>\n';
    test.each<[string, string, SmFaultRule | undefined]>([
      ['a missing secret', `${ok}  it: <path:prod/shop/nope#password>\n`, undefined],
      ['a missing key', `${ok}  it: <path:prod/shop/db#nokey>\n`, undefined],
      ['a secret that is not JSON', `${ok}  it: <path:prod/shop/raw#password>\n`, undefined],
      [
        'access denied',
        `${ok}  it: <path:prod/shop/db#sibling>\n`,
        { secretId: 'prod/shop/db', fault: { kind: 'item', code: 'AccessDeniedException' } },
      ],
      [
        'a decryption failure',
        `${ok}  it: <path:prod/shop/db#sibling>\n`,
        { secretId: 'prod/shop/db', fault: { kind: 'item', code: 'DecryptionFailure' } },
      ],
      ['throttling past retries', ok, { fault: { kind: 'throttle' } }],
      ['a cut response', ok, { fault: { kind: 'malformed' } }],
      [
        'a 500',
        ok,
        { fault: { kind: 'error', status: 500, type: 'InternalServiceError', message: 'boom' } },
      ],
      ['a reset connection', ok, { fault: { kind: 'destroy' } }],
      [
        'an unknown modifier',
        `${ok}  it: <path:prod/shop/db#password | nosuchmodifier>\n`,
        undefined,
      ],
      [
        'base64decode of a value that is not base64',
        `${ok}  it: <path:prod/shop/db#password | base64decode>\n`,
        undefined,
      ],
      [
        'jsonParse of a value that is not JSON',
        `${ok}  it: <path:prod/shop/db#password | jsonParse>\n`,
        undefined,
      ],
      [
        'a version that does not exist',
        `${ok}  it: <path:prod/shop/db#password#AWSNOSUCHSTAGE>\n`,
        undefined,
      ],
      [
        'an unknown template variable',
        `${ok}  it: <path:{{cluster.nope}}/db#password>\n`,
        undefined,
      ],
    ])(
      '%s: non-zero exit, empty stdout, no planted value on stderr',
      async (_label, stringData, fault) => {
        writeApp('  mode: inline\n  inline: {maxAttempts: 2}\n', stringData);
        if (fault) sm.inject(fault);
        const res = await generate();
        expect(res.code).not.toBe(0);
        expect(res.stdout).toBe('');
        expect(res.stderr.length).toBeGreaterThan(0);
        const scanner = scannerWith();
        scanner.add('failure: stderr', res.stderr);
        expectClean(scanner, [res.stderr]);
      },
    );
  });
});

test('the scanner finds a planted value in every form it looks for', () => {
  const v = P.smPassword;
  for (const prefix of ['', 'a', 'ab']) {
    const blob = Buffer.from(`${prefix}${v}tail`).toString('base64');
    expect(findPlanted('t', blob, PLANTED)).toEqual([
      { where: 't', planted: 'smPassword', form: 'base64' },
    ]);
  }
  expect(base64Forms(v).length).toBeGreaterThanOrEqual(3);
  expect(findPlanted('t', `x${v}y`, PLANTED)[0]?.form).toBe('plain');
});
