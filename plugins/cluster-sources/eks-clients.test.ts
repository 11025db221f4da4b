import type { AwsCredentialIdentity } from '@smithy/types';
import { sharedCredentials } from './eks-clients';

function provider(expiresInMs: number | undefined, clock: { t: number }) {
  let n = 0;
  const calls = { count: 0, fail: false };
  const fn = () => {
    calls.count++;
    if (calls.fail) return Promise.reject(new Error('AccessDenied'));
    n++;
    const c: AwsCredentialIdentity = {
      accessKeyId: `ASIA${n}`,
      secretAccessKey: 's',
      ...(expiresInMs === undefined ? {} : { expiration: new Date(clock.t + expiresInMs) }),
    };
    return Promise.resolve(c);
  };
  return { fn, calls };
}

describe('sharedCredentials (one cached provider per assumed role)', () => {
  it('fetches once for concurrent and later callers while the credentials are fresh', async () => {
    const clock = { t: 1_000_000 };
    const p = provider(3_600_000, clock);
    const shared = sharedCredentials(p.fn, () => clock.t);
    const [a, b] = await Promise.all([shared(), shared()]);
    clock.t += 50 * 60_000;
    const c = await shared();
    expect([a.accessKeyId, b.accessKeyId, c.accessKeyId]).toEqual(['ASIA1', 'ASIA1', 'ASIA1']);
    expect(p.calls.count).toBe(1);
  });

  it('renews five minutes before expiry, as the SDK does', async () => {
    const clock = { t: 1_000_000 };
    const p = provider(3_600_000, clock);
    const shared = sharedCredentials(p.fn, () => clock.t);
    await shared();
    clock.t += 55 * 60_000 + 1;
    expect((await shared()).accessKeyId).toBe('ASIA2');
    expect(p.calls.count).toBe(2);
  });

  it('does not cache a failure', async () => {
    const clock = { t: 0 };
    const p = provider(undefined, clock);
    const shared = sharedCredentials(p.fn, () => clock.t);
    p.calls.fail = true;
    await expect(shared()).rejects.toThrow('AccessDenied');
    p.calls.fail = false;
    await expect(shared()).resolves.toMatchObject({ accessKeyId: 'ASIA1' });
    await shared();
    expect(p.calls.count).toBe(2);
  });
});
