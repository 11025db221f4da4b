import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Secret } from 'kubernetes-models/v1';
import { SecretError } from '../../core/errors';
import { createAwsSecretsManagerProvider } from '../../plugins/secret-providers/aws-secrets-manager';
import { createSecretsStage } from '../../cmp-sidecar/secrets/stage';
import type { ProviderLoader } from '../../cmp-sidecar/secrets/stage';
import { SecretsManagerFake } from '../fakes/aws-secrets-manager/server';
import type { SmFaultRule } from '../fakes/aws-secrets-manager/server';
import { renderedObjects, stageContext } from './secrets-helpers';

const PINNED = 'a1b2c3d4-90ab-cdef-fedc-ba9876543210';
const CANARY = 'CANARY-7f3a9'; // every planted value contains it; no message may
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('secrets stage, inline mode (real SDK against the Secrets Manager fake)', () => {
  let fake: SecretsManagerFake;
  const regions: string[] = [];
  let requestTimeoutMs = 2000;
  const loader: ProviderLoader = ({ region, inline }) => {
    regions.push(region);
    return Promise.resolve(
      createAwsSecretsManagerProvider({
        region,
        requestTimeoutMs,
        maxAttempts: inline.maxAttempts,
        clientConfig: {
          endpoint: fake.url,
          credentials: { accessKeyId: 'AKID', secretAccessKey: 'S' },
          retryStrategy: new ConfiguredRetryStrategy(inline.maxAttempts, 0),
        },
      }),
    );
  };
  const stage = () => createSecretsStage(loader, {});
  const inlineCtx = () => stageContext({ secrets: { mode: 'inline' } });

  beforeEach(async () => {
    regions.length = 0;
    requestTimeoutMs = 2000;
    fake = new SecretsManagerFake('111122223333', 'eu-west-1');
    await fake.start();
    fake.addSecret('prod/shop/db', {
      username: `app-${CANARY}`,
      password: `pw-${CANARY}`,
      port: 5432,
      nested: { host: `h-${CANARY}` },
    });
    fake.putVersion(
      'prod/shop/db',
      {
        username: `app-${CANARY}`,
        password: `pw2-${CANARY}`,
        port: 5432,
        nested: { host: `h-${CANARY}` },
      },
      { versionId: PINNED },
    );
    fake.addSecret('prod/shop/plain', `token-${CANARY}`);
    fake.addSecret('prod/shop/bin', Buffer.from([0, 1, 2, 255, ...Buffer.from(CANARY)]));
    fake.addSecret('prod/shop/cfg', {
      replicas: '3',
      yaml: `a:\n  b: y-${CANARY}\n`,
      json: JSON.stringify({ k: `j-${CANARY}` }),
      b64: b64(`d-${CANARY}`),
    });
    fake.addSecret('prod/shop/tls', { cert: `-----BEGIN-----\nAAA${CANARY}\n-----END-----\n` });
  });
  afterEach(async () => {
    await fake.stop();
  });

  const manifests = `
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
  annotations: {avp.kubernetes.io/path: prod/shop/db, keep: me}
stringData:
  username: <username>
  password: <path:{{cluster.metadata.labels.env}}/shop/db#password>
  previous: <path:prod/shop/db#password#AWSPREVIOUS>
  pinned: <path:prod/shop/db#password#${PINNED}>
  url: postgres://<username>:<password>@<nested | jsonPath {.host}>:<port>/shop
data:
  token: <path:prod/shop/plain | base64encode>
  bin: <path:prod/shop/bin | base64encode>
  wrapped: ${b64('user=<path:prod/shop/db#username>')}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: shop
  annotations:
    checksum/db: <path:prod/shop/db#password | sha256sum>
spec:
  replicas: <path:prod/shop/cfg#replicas | jsonParse>
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers:
        - name: shop
          image: shop:1.0
          env:
            - {name: FROM_YAML, value: "<path:prod/shop/cfg#yaml | yamlParse | jsonPath {.a.b}>"}
            - {name: FROM_JSON, value: "<path:prod/shop/cfg#json | jsonPath {.k}>"}
            - {name: DECODED, value: "<path:prod/shop/cfg#b64 | base64decode>"}
            - {name: CERT, value: "<path:prod/shop/tls#cert | indent 2>"}
`;

  it('replaces every placeholder form with its value and warns about Argo CD caching', async () => {
    const ctx = inlineCtx();
    const objects = renderedObjects('base/shop.yaml', manifests);
    const before = JSON.stringify(objects);
    const out = await stage().run(objects, ctx);
    expect(JSON.stringify(objects)).toBe(before); // inputs untouched
    const [secret, deploy] = out.map((o) => o.object) as [Record<string, any>, Record<string, any>]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(secret['metadata'].annotations).toEqual({ keep: 'me' });
    expect(secret['stringData']).toEqual({
      username: `app-${CANARY}`,
      password: `pw2-${CANARY}`,
      previous: `pw-${CANARY}`,
      pinned: `pw2-${CANARY}`,
      url: `postgres://app-${CANARY}:pw2-${CANARY}@h-${CANARY}:5432/shop`,
    });
    expect(secret['data']).toEqual({
      token: b64(`token-${CANARY}`),
      bin: Buffer.from([0, 1, 2, 255, ...Buffer.from(CANARY)]).toString('base64'),
      wrapped: b64(`user=app-${CANARY}`),
    });
    // The resolved objects are still valid core objects.
    expect(() => new Secret(secret).validate()).not.toThrow();
    expect(() => new Deployment(deploy).validate()).not.toThrow();
    expect(deploy['spec'].replicas).toBe(3);
    expect(deploy['metadata'].annotations['checksum/db']).toMatch(/^[0-9a-f]{64}$/);
    expect(
      deploy['spec'].template.spec.containers[0].env.map((e: { value: string }) => e.value),
    ).toEqual([
      `y-${CANARY}`,
      `j-${CANARY}`,
      `d-${CANARY}`,
      `-----BEGIN-----\n  AAA${CANARY}\n  -----END-----`,
    ]);
    expect(regions).toEqual(['eu-west-1']); // from the cluster context
    expect(ctx.warnings).toHaveLength(1);
    expect(ctx.warnings[0]).toMatch(/inline.*cache \(Redis\)/);
    // 4 unique ids at AWSCURRENT in one batch; AWSPREVIOUS and the pinned version by GetSecretValue.
    expect(fake.count('BatchGetSecretValue')).toBe(1);
    expect(fake.count('GetSecretValue')).toBe(2);
  });

  it.each([
    [1, 1],
    [20, 1],
    [21, 2],
    [45, 3],
    [100, 5],
  ])(
    'N Secrets over %i unique ids → ceil(M/20) = %i BatchGetSecretValue calls',
    async (unique, calls) => {
      const docs: string[] = [];
      for (let i = 0; i < unique; i++) fake.addSecret(`bulk/s${i}`, { k: `v${i}`, other: 'o' });
      // 3 Secrets per id, two keys each: 6 placeholders per id, fetched once.
      for (let n = 0; n < unique * 3; n++) {
        const id = `bulk/s${n % unique}`;
        docs.push(
          `apiVersion: v1\nkind: Secret\nmetadata: {name: s${n}}\nstringData: {a: "<path:${id}#k>", b: "<path:${id}#other>"}\n`,
        );
      }
      const out = await stage().run(
        renderedObjects('base/bulk.yaml', docs.join('---\n')),
        inlineCtx(),
      );
      expect(fake.count('BatchGetSecretValue')).toBe(calls);
      expect(fake.calls.every((c) => c.secretIds.length <= 20)).toBe(true);
      expect(out[unique]!.object['stringData']).toEqual({ a: 'v0', b: 'o' });
    },
  );

  const oneSecret = (text: string) =>
    renderedObjects(
      'base/app.yaml',
      `# header\napiVersion: v1\nkind: Secret\nmetadata: {name: app, namespace: shop}\nstringData:\n  value: "${text}"\n`,
    );

  const failures: [string, string, SmFaultRule | undefined, RegExp][] = [
    [
      'a missing secret',
      '<path:prod/nope#password>',
      undefined,
      /"prod\/nope": ResourceNotFoundException/,
    ],
    [
      'a missing key',
      '<path:prod/shop/db#nokey>',
      undefined,
      /"prod\/shop\/db" key "nokey": no such key in the secret/,
    ],
    [
      'a missing version',
      '<path:prod/shop/plain#x#AWSPENDING>',
      undefined,
      /"prod\/shop\/plain" \(stage AWSPENDING\): ResourceNotFoundException/,
    ],
    [
      'a key of a non-JSON secret',
      '<path:prod/shop/plain#k>',
      undefined,
      /key "k": the secret is not a JSON object/,
    ],
    ['binary text without base64encode', '<path:prod/shop/bin>', undefined, /is binary, not text/],
    [
      'jsonPath selecting nothing',
      '<path:prod/shop/db#nested | jsonPath {.nope}>',
      undefined,
      /jsonPath: \{\.nope\} selects nothing/,
    ],
    [
      'jsonParse of non-JSON',
      '<path:prod/shop/db#username | jsonParse>',
      undefined,
      /jsonParse: the value is not valid JSON/,
    ],
    [
      'base64decode of non-base64',
      '<path:prod/shop/db#username | base64decode>',
      undefined,
      /base64decode: the value is not valid base64/,
    ],
    [
      'access denied on one secret',
      '<path:prod/shop/db#password>',
      { secretId: 'prod/shop/db', fault: { kind: 'item', code: 'AccessDeniedException' } },
      /AccessDeniedException: User: arn:aws:sts/,
    ],
    [
      'a KMS decryption failure',
      '<path:prod/shop/db#password>',
      { secretId: 'prod/shop/db', fault: { kind: 'item', code: 'DecryptionFailure' } },
      /DecryptionFailure/,
    ],
    [
      'access denied on the call',
      '<path:prod/shop/db#password>',
      {
        fault: {
          kind: 'error',
          status: 400,
          type: 'AccessDeniedException',
          message: 'not authorized to perform: secretsmanager:BatchGetSecretValue',
        },
      },
      /AccessDeniedException: not authorized/,
    ],
    [
      'throttling past retries',
      '<path:prod/shop/db#password>',
      { fault: { kind: 'throttle' } },
      /ThrottlingException: Rate exceeded \(after 3 attempts\)/,
    ],
    [
      '5xx past retries',
      '<path:prod/shop/db#password>',
      { fault: { kind: 'error', status: 503, type: 'ServiceUnavailable' } },
      /ServiceUnavailable.*\(after 3 attempts\)/,
    ],
    [
      'a hanging endpoint',
      '<path:prod/shop/db#password>',
      { fault: { kind: 'hang' } },
      /TimeoutError/,
    ],
    [
      'a malformed answer (that holds the value)',
      '<path:prod/shop/db#password>',
      { fault: { kind: 'malformed' } },
      /SyntaxError: the answer could not be read/,
    ],
    [
      'a dropped connection',
      '<path:prod/shop/db#password>',
      { fault: { kind: 'destroy' } },
      /secret "prod\/shop\/db"/,
    ],
  ];

  it.each(failures)(
    'fails closed on %s, naming file:line, object, key and secret id, never a value',
    async (_name, text, fault, message) => {
      requestTimeoutMs = 300;
      if (fault) fake.inject(fault);
      const ctx = inlineCtx();
      const err = (await stage()
        .run(oneSecret(text), ctx)
        .then(
          () => undefined,
          (e: unknown) => e,
        )) as SecretError;
      expect(err).toBeInstanceOf(SecretError);
      expect(err.message).toContain(`base/app.yaml:2: Secret/shop/app stringData.value: `);
      expect(err.message).toContain(`placeholder ${text}`);
      expect(err.message).toMatch(message);
      expect(leaks(err, ctx.warnings)).toEqual([]);
    },
  );

  it('reports every failing placeholder at once', async () => {
    const objects = renderedObjects(
      'base/app.yaml',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: a}\nstringData: {x: "<path:gone/one#k>", y: "<path:prod/shop/db#nokey>"}\n---\n' +
        'apiVersion: v1\nkind: Secret\nmetadata: {name: b}\nstringData: {z: "<path:gone/two#k>", ok: "<path:prod/shop/db#username>"}\n',
    );
    const err = (await stage()
      .run(objects, inlineCtx())
      .catch((e: unknown) => e)) as SecretError;
    expect(err.message).toMatch(/3 problems/);
    expect(err.message).toContain(
      'base/app.yaml:1: Secret/a stringData.x: placeholder <path:gone/one#k>',
    );
    expect(err.message).toContain(
      'base/app.yaml:1: Secret/a stringData.y: placeholder <path:prod/shop/db#nokey>',
    );
    expect(err.message).toContain(
      'base/app.yaml:6: Secret/b stringData.z: placeholder <path:gone/two#k>',
    );
    expect(leaks(err, [])).toEqual([]);
  });

  it('the leak check itself finds a planted value in a cause chain', () => {
    const e = new SecretError('outer', { cause: new Error(`inner ${CANARY}`) });
    expect(leaks(e, [])).not.toEqual([]);
    expect(leaks(new Error('clean'), [`warn ${CANARY}`])).not.toEqual([]);
  });

  it('needs a region: context, then AWS_REGION, else a config error', async () => {
    const objects = oneSecret('<path:prod/shop/db#password>');
    const noRegion = stageContext({ secrets: { mode: 'inline' }, cluster: { name: 'x' } });
    await expect(createSecretsStage(loader, {}).run(objects, noRegion)).rejects.toThrow(
      /needs a region/,
    );
    await createSecretsStage(loader, { AWS_REGION: 'eu-west-1' }).run(
      objects,
      stageContext({ secrets: { mode: 'inline' }, cluster: { name: 'x' } }),
    );
    expect(regions).toEqual(['eu-west-1']);
  });
});

/** Every string an error or a warning exposes (message, stack, causes, own properties), searched for the canary. */
function leaks(err: unknown, warnings: readonly string[]): string[] {
  const texts: string[] = [...warnings];
  const seen = new Set<unknown>();
  const walk = (e: unknown): void => {
    if (e === null || e === undefined || seen.has(e)) return;
    seen.add(e);
    if (typeof e === 'string') return void texts.push(e);
    if (typeof e === 'number' || typeof e === 'boolean') return void texts.push(String(e));
    if (typeof e !== 'object') return;
    if (e instanceof Error) texts.push(e.message, e.stack ?? '');
    for (const v of Object.values(e)) walk(v);
    walk((e as { cause?: unknown }).cause);
  };
  walk(err);
  return texts.filter((t) => t.includes(CANARY) || t.includes(b64(CANARY).slice(0, 12)));
}
