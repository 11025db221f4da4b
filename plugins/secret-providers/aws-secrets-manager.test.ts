import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { SecretsManagerFake } from '../../test/fakes/aws-secrets-manager/server';
import { createAwsSecretsManagerProvider } from './aws-secrets-manager';
import type { SecretProvider, SecretRequest } from './provider';

const current = (secretId: string): SecretRequest => ({ secretId, version: { kind: 'current' } });

describe('AWS Secrets Manager provider (real SDK against the HTTP fake)', () => {
  let fake: SecretsManagerFake;
  let provider: SecretProvider;
  const make = (requestTimeoutMs = 2000) =>
    createAwsSecretsManagerProvider({
      region: 'us-east-1',
      requestTimeoutMs,
      maxAttempts: 3,
      clientConfig: {
        endpoint: fake.url,
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'S' },
        retryStrategy: new ConfiguredRetryStrategy(3, 0),
      },
    });

  beforeEach(async () => {
    fake = new SecretsManagerFake();
    await fake.start();
    provider = make();
  });
  afterEach(async () => {
    provider.close();
    await fake.stop();
  });

  it('reads 45 secrets at AWSCURRENT in ceil(45/20) = 3 BatchGetSecretValue calls', async () => {
    const ids = Array.from({ length: 45 }, (_, i) => `app/s${i}`);
    for (const id of ids) fake.addSecret(id, { k: id });
    const out = await provider.fetchAll(ids.map(current), AbortSignal.timeout(10000));
    expect(fake.count('BatchGetSecretValue')).toBe(3);
    expect(fake.count('GetSecretValue')).toBe(0);
    expect(Math.max(...fake.calls.map((c) => c.secretIds.length))).toBe(20);
    out.forEach((r, i) =>
      expect(r).toEqual({
        ok: true,
        payload: { kind: 'string', text: JSON.stringify({ k: ids[i] }) },
      }),
    );
  });

  it('follows NextToken and matches values by name, full ARN and partial ARN', async () => {
    fake.batchPageSize = 1;
    fake.addSecret('a', 'A').addSecret('b', 'B').addSecret('c', 'C');
    const fullArn = fake.arnOf('b');
    const partialArn = fake.arnOf('c').slice(0, -7);
    const out = await provider.fetchAll(
      [current('a'), current(fullArn), current(partialArn)],
      AbortSignal.timeout(10000),
    );
    expect(out.map((r) => (r.ok && r.payload.kind === 'string' ? r.payload.text : r))).toEqual([
      'A',
      'B',
      'C',
    ]);
    expect(fake.count('BatchGetSecretValue')).toBe(3);
  });

  it('reads pinned versions and staging labels with GetSecretValue, and SecretBinary as bytes', async () => {
    fake
      .addSecret('rot', 'v1')
      .putVersion('rot', 'v2', { versionId: 'a1b2c3d4-90ab-cdef-fedc-ba9876543210' });
    fake.addSecret('bin', Buffer.from([0, 1, 2, 255]));
    const v1 = fake.versionIdOf('rot', 'AWSPREVIOUS');
    const out = await provider.fetchAll(
      [
        { secretId: 'rot', version: { kind: 'stage', stage: 'AWSPREVIOUS' } },
        {
          secretId: 'rot',
          version: { kind: 'id', versionId: 'a1b2c3d4-90ab-cdef-fedc-ba9876543210' },
        },
        { secretId: 'rot', version: { kind: 'id', versionId: v1 } },
        current('bin'),
      ],
      AbortSignal.timeout(10000),
    );
    expect(
      out.slice(0, 3).map((r) => r.ok && r.payload.kind === 'string' && r.payload.text),
    ).toEqual(['v1', 'v2', 'v1']);
    expect(out[3]).toEqual({
      ok: true,
      payload: { kind: 'binary', bytes: new Uint8Array([0, 1, 2, 255]) },
    });
    expect(fake.count('GetSecretValue')).toBe(3);
  });

  it.each(['ResourceNotFoundException', 'AccessDeniedException', 'DecryptionFailure'] as const)(
    'reports a per-item %s from BatchGetSecretValue for that secret only',
    async (code) => {
      fake.addSecret('ok', 'fine').addSecret('bad', 'x');
      fake.inject({ secretId: 'bad', fault: { kind: 'item', code } });
      const out = await provider.fetchAll(
        [current('ok'), current('bad')],
        AbortSignal.timeout(10000),
      );
      expect(out[0]).toMatchObject({ ok: true });
      expect(out[1]).toMatchObject({ ok: false, code });
    },
  );

  it('reports a missing secret and a missing staging label', async () => {
    fake.addSecret('only-current', 'x');
    const out = await provider.fetchAll(
      [
        current('nope'),
        { secretId: 'only-current', version: { kind: 'stage', stage: 'AWSPREVIOUS' } },
      ],
      AbortSignal.timeout(10000),
    );
    expect(out).toEqual([
      expect.objectContaining({ ok: false, code: 'ResourceNotFoundException' }),
      expect.objectContaining({ ok: false, code: 'ResourceNotFoundException' }),
    ]);
  });

  it('retries throttling and 5xx, then succeeds', async () => {
    fake.addSecret('a', 'A');
    fake.inject({ op: 'BatchGetSecretValue', fault: { kind: 'throttle' }, times: 1 });
    fake.inject({
      op: 'BatchGetSecretValue',
      fault: { kind: 'error', status: 500, type: 'InternalServiceError' },
      times: 1,
    });
    const out = await provider.fetchAll([current('a')], AbortSignal.timeout(10000));
    expect(out[0]).toMatchObject({ ok: true });
    expect(fake.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
  });

  it.each([
    ['throttling', { kind: 'throttle' } as const, 'ThrottlingException', 3],
    [
      '5xx',
      { kind: 'error', status: 500, type: 'InternalServiceError' } as const,
      'InternalServiceError',
      3,
    ],
    [
      'access denied on the call',
      { kind: 'error', status: 400, type: 'AccessDeniedException' } as const,
      'AccessDeniedException',
      1,
    ],
  ])('fails every secret of the call on %s past retries', async (_name, fault, code, attempts) => {
    fake.addSecret('a', 'A').addSecret('b', 'B');
    fake.inject({ op: 'BatchGetSecretValue', fault });
    const out = await provider.fetchAll([current('a'), current('b')], AbortSignal.timeout(10000));
    expect(out).toEqual([
      expect.objectContaining({ ok: false, code }),
      expect.objectContaining({ ok: false, code }),
    ]);
    expect(fake.calls).toHaveLength(attempts);
  });

  it('times out a hanging endpoint instead of waiting for the SDK default', async () => {
    provider.close();
    provider = make(200);
    fake.addSecret('a', 'A');
    fake.inject({ fault: { kind: 'hang' } });
    const out = await provider.fetchAll([current('a')], AbortSignal.timeout(20000));
    expect(out[0]).toMatchObject({ ok: false, code: 'TimeoutError' });
  });

  it('fails a malformed answer without quoting it', async () => {
    fake.addSecret('a', { password: 'CANARY-malformed-1' });
    fake.inject({ op: 'BatchGetSecretValue', fault: { kind: 'malformed' } });
    const out = await provider.fetchAll([current('a')], AbortSignal.timeout(10000));
    expect(out[0]).toMatchObject({ ok: false });
    expect(JSON.stringify(out)).not.toContain('CANARY');
  });

  it('stops a NextToken that never changes', async () => {
    fake.addSecret('a', 'A');
    fake.inject({ op: 'BatchGetSecretValue', fault: { kind: 'sameToken' } });
    const out = await provider.fetchAll([current('a')], AbortSignal.timeout(10000));
    expect(out[0]).toMatchObject({ ok: false, code: 'PaginationLoop' });
  });
});
