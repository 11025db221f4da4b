import type { IncomingMessage } from 'node:http';
import { createViewerAuth, sameOrigin, SESSION_COOKIE } from './viewer-auth';

/* Sessions without a server: expiry and rotation with an injected clock and token. */

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('viewer sessions', () => {
  let now = 1_800_000_000_000;
  let viewerToken = 'viewer-one';
  const auth = createViewerAuth({
    viewer: { current: () => viewerToken },
    generator: { current: () => 'generator' },
    sessionMs: 60_000,
    now: () => now,
  });

  function session(): string {
    const r = auth.login(viewerToken);
    if (!r.ok) throw new Error(r.message);
    return `${SESSION_COOKIE}=${r.cookie}`;
  }

  it('holds a random id and an expiry, never the token', () => {
    const a = session();
    const b = session();
    expect(a).not.toBe(b);
    expect(a).not.toContain(viewerToken);
    expect(auth.check(request({ cookie: a }))).toEqual({ ok: true, via: 'session' });
  });

  it('ends at its expiry', () => {
    const cookie = session();
    now += 59_000;
    expect(auth.check(request({ cookie })).ok).toBe(true);
    now += 1_000;
    expect(auth.check(request({ cookie }))).toMatchObject({ ok: false, status: 401 });
  });

  it('ends when the viewer token rotates', () => {
    const cookie = session();
    viewerToken = 'viewer-two';
    expect(auth.check(request({ cookie }))).toMatchObject({ ok: false, status: 401 });
    viewerToken = 'viewer-one';
  });

  it('is never opened by the generator token, which is a 403', () => {
    expect(auth.login('generator')).toMatchObject({ ok: false, status: 403 });
    expect(auth.check(request({ authorization: 'Bearer generator' }))).toMatchObject({
      ok: false,
      status: 403,
    });
  });
});

describe('login Origin check', () => {
  it.each([
    [{ host: 'localhost:4358', origin: 'http://localhost:4358' }, true],
    [{ host: 'fleet.example', origin: 'https://fleet.example' }, true],
    [
      { host: 'pod:4358', 'x-forwarded-host': 'fleet.example', origin: 'https://fleet.example' },
      true,
    ],
    [{ host: 'localhost:4358' }, false],
    [{ host: 'localhost:4358', origin: 'null' }, false],
    [{ host: 'localhost:4358', origin: 'http://localhost:4359' }, false],
    [{ host: 'localhost:4358', origin: 'http://evil.example' }, false],
  ])('%j → %s', (headers, same) => {
    expect(sameOrigin(request(headers as Record<string, string>))).toBe(same);
  });
});
