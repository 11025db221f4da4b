/**
 * Who may read the fleet view: a bearer viewer token, or a login session cookie. The generator's own token is
 * refused (403) wherever it is presented: it is Argo CD's credential, and a person holding it could call getparams.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TokenProvider } from '../http/auth';

export const SESSION_COOKIE = 'fleet_view_session';

export type Access =
  | { readonly ok: true; readonly via: 'bearer' | 'session' }
  /** 401: no credentials, a wrong token, an unknown or expired session. */
  | { readonly ok: false; readonly status: 401; readonly message: string }
  /** 403: the generator's token. */
  | { readonly ok: false; readonly status: 403; readonly message: string };

export interface ViewerAuth {
  /** Whether a request may read the view. */
  check(req: IncomingMessage): Access;
  /** What a login form's token opens: a session cookie value, or the refusal. */
  login(presented: string): { ok: true; cookie: string } | Exclude<Access, { ok: true }>;
}

const BEARER = /^Bearer[ \t]+(.*)$/i;

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function sameSecret(presented: string, expected: string | undefined): boolean {
  const want = expected?.trim() ?? '';
  // An empty expected token never matches (a token file not read yet must not open the view).
  return timingSafeEqual(digest(presented), digest(want)) && want !== '';
}

export const GENERATOR_TOKEN_REFUSED =
  "the generator's token does not open the fleet view: use the viewer token (FLEET_VIEW_TOKEN_FILE)";

/**
 * Sessions are stateless so that any replica behind a Service or an Ingress accepts them: the cookie is
 * `<random id>.<expiry, epoch seconds>.<HMAC>`, the HMAC keyed by a digest of the current viewer token. It holds
 * no token; rotating the viewer token ends every session.
 */
export function createViewerAuth(deps: {
  readonly viewer: TokenProvider;
  readonly generator: TokenProvider;
  readonly sessionMs: number;
  readonly now?: () => number;
}): ViewerAuth {
  const now = deps.now ?? Date.now;

  const sessionKey = (): Buffer | undefined => {
    const t = deps.viewer.current()?.trim();
    if (t === undefined || t === '') return undefined;
    return createHash('sha256').update('fleet-view-session\0').update(t).digest();
  };
  const mac = (key: Buffer, payload: string): string =>
    createHmac('sha256', key).update(payload).digest('base64url');

  const judgeToken = (presented: string): Access => {
    if (presented === '') return { ok: false, status: 401, message: 'missing viewer token' };
    if (sameSecret(presented, deps.generator.current()))
      return { ok: false, status: 403, message: GENERATOR_TOKEN_REFUSED };
    if (sameSecret(presented, deps.viewer.current())) return { ok: true, via: 'bearer' };
    return { ok: false, status: 401, message: 'invalid viewer token' };
  };

  const judgeSession = (value: string): Access => {
    const parts = value.split('.');
    const key = sessionKey();
    const refused: Access = {
      ok: false,
      status: 401,
      message: 'session expired or unknown: log in again',
    };
    if (parts.length !== 3 || key === undefined) return refused;
    const [id = '', exp = '', sig = ''] = parts;
    if (!/^[A-Za-z0-9_-]{32,64}$/.test(id) || !/^\d{1,12}$/.test(exp)) return refused;
    const expected = Buffer.from(mac(key, `${id}.${exp}`));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refused;
    if (Number(exp) * 1000 <= now()) return refused;
    return { ok: true, via: 'session' };
  };

  return {
    check(req) {
      const header = req.headers.authorization;
      if (header !== undefined) {
        const m = BEARER.exec(header.trim());
        if (!m) return { ok: false, status: 401, message: 'unsupported Authorization scheme' };
        return judgeToken((m[1] ?? '').trim());
      }
      const cookie = cookieValue(req.headers.cookie, SESSION_COOKIE);
      if (cookie !== undefined) return judgeSession(cookie);
      return {
        ok: false,
        status: 401,
        message: 'missing viewer token: send "Authorization: Bearer <viewer token>" or log in',
      };
    },
    login(presented) {
      const access = judgeToken(presented.trim());
      if (!access.ok) return access;
      const key = sessionKey();
      if (key === undefined) return { ok: false, status: 401, message: 'invalid viewer token' };
      const id = randomBytes(32).toString('base64url');
      const exp = Math.floor((now() + deps.sessionMs) / 1000);
      return { ok: true, cookie: `${id}.${exp}.${mac(key, `${id}.${exp}`)}` };
    },
  };
}

/** One cookie's value from a Cookie header (RFC 6265 `name=value; name2=value2`). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * A login POST must come from a page of this very origin (the login form): a browser always sends `Origin` on a
 * POST, and another site's form would carry its own. Missing or different → refused, so no other page can log a
 * browser in (login CSRF) or probe tokens with the user's browser.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (origin === undefined || host === undefined || origin === 'null') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const forwarded = firstValue(req.headers['x-forwarded-host']);
  return url.host === host || (forwarded !== undefined && url.host === forwarded);
}

function firstValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s?.split(',')[0]?.trim() || undefined;
}

/**
 * The Set-Cookie header of a session: HttpOnly, SameSite=Strict, Secure behind TLS. Path=/ covers the whole origin,
 * which is the view alone: it has its own port (FLEET_VIEW_PORT), never the getparams port.
 */
export function sessionCookieHeader(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedCookieHeader(secure: boolean): string {
  return sessionCookieHeader('', 0, secure);
}
