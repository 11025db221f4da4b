/**
 * The fleet view's own HTTP listener (its own port, never getparams'): `GET /fleet` (HTML), `GET /api/v1/fleet`
 * (JSON), the login form (`POST /fleet/login`, `POST /fleet/logout`) and the page's two static assets. Every
 * data route needs the viewer token or a login session (viewer-auth.ts). A plain node:http listener: the view
 * has five routes and must cost getparams nothing, so no express here.
 */
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { NotReadyError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { toHttpError } from '../http/errors';
import type { FleetRegistry } from '../snapshot/fleet-snapshots';
import { modelCache } from './fleet-model';
import {
  buildFleetPageParts,
  ContinueExpiredError,
  fleetPageJsonChunks,
  type FleetPageParts,
} from './fleet-page';
import { parseFleetQuery, type FleetQuery } from './fleet-query';
import { FLEET_VIEW_CSS, FLEET_VIEW_JS } from './html/assets';
import {
  FLEET_PATH,
  LOGIN_PATH,
  LOGOUT_PATH,
  fleetPageChunks,
  renderErrorPage,
  renderLoginPage,
  SCRIPT_PATH,
  STYLE_PATH,
} from './html/page';
import type { ClusterUpgrades } from './sources/cluster-upgrades';
import type { RegistrarStatus } from './sources/registrar-status';
import type { CachedSource } from './sources/source-state';
import {
  clearedCookieHeader,
  sameOrigin,
  sessionCookieHeader,
  type Access,
  type ViewerAuth,
} from './viewer-auth';

export const API_PATH = '/api/v1/fleet';

/**
 * No inline script or style, nothing from another origin; forms post only here; never framed. The SVG charts
 * are inline markup (not script) and use presentation attributes, which style-src does not govern.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // Not `no-referrer`: with it, browsers send `Origin: null` on the login form's POST, which the Origin check
  // must refuse. `same-origin` still gives other sites nothing.
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
} as const;

/** A login body is one short form field; anything larger is refused unread. */
const LOGIN_BODY_LIMIT = 4096;
/** How long a page waits for a source's very first read (later reads never hold a page up). */
const FIRST_READ_WAIT_MS = 1_000;

export interface FleetViewDeps {
  readonly registry: Pick<FleetRegistry, 'current' | 'readiness' | 'partStates'>;
  readonly auth: ViewerAuth;
  readonly registrar: CachedSource<RegistrarStatus>;
  readonly upgrades: CachedSource<ClusterUpgrades>;
  /** Removes secrets (the tokens) from any message shown. */
  readonly redact: (text: string) => string;
  readonly sessionMs: number;
  readonly log: Logger;
  readonly now?: () => number;
}

export function createFleetViewListener(deps: FleetViewDeps): RequestListener {
  const now = deps.now ?? Date.now;
  const modelOf = modelCache();

  async function page(q: FleetQuery): Promise<FleetPageParts> {
    const snapshot = deps.registry.current();
    if (snapshot === undefined) {
      const r = deps.registry.readiness();
      throw new NotReadyError(
        `the generator has no fleet snapshot yet${r.ready ? '' : `: ${deps.redact(r.reason)}`}`,
      );
    }
    const [registrar, upgrades] = await Promise.all([
      deps.registrar.get(FIRST_READ_WAIT_MS),
      deps.upgrades.get(FIRST_READ_WAIT_MS),
    ]);
    return buildFleetPageParts(modelOf(snapshot), q, {
      now: now(),
      readiness: deps.registry.readiness(),
      parts: deps.registry.partStates(),
      registrar,
      upgrades,
      redact: deps.redact,
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? '';
    if (path === SCRIPT_PATH || path === STYLE_PATH) {
      if (!allow(res, method, 'GET')) return;
      const js = path === SCRIPT_PATH;
      send(
        res,
        200,
        js ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
        js ? FLEET_VIEW_JS : FLEET_VIEW_CSS,
      );
      return;
    }
    if (path === '/favicon.ico') {
      // Browsers ask for it on every page; no icon, and no 404 in their console.
      res.writeHead(204, COMMON_HEADERS);
      res.end();
      return;
    }
    if (path === '/') {
      if (!allow(res, method, 'GET')) return;
      res.writeHead(303, { ...COMMON_HEADERS, Location: FLEET_PATH });
      res.end();
      return;
    }
    if (path === LOGIN_PATH || path === LOGOUT_PATH) {
      if (!allow(res, method, 'POST')) return;
      if (!sameOrigin(req)) {
        req.resume();
        html(
          res,
          403,
          renderLoginPage('refused: the login form must be sent from this page (Origin)'),
        );
        return;
      }
      const secure = isHttps(req);
      if (path === LOGOUT_PATH) {
        req.resume();
        res.writeHead(303, {
          ...COMMON_HEADERS,
          'Set-Cookie': clearedCookieHeader(secure),
          Location: FLEET_PATH,
        });
        res.end();
        return;
      }
      const body = await readForm(req);
      if (body === undefined) {
        html(res, 413, renderLoginPage('the form is larger than a login needs'));
        return;
      }
      const result = deps.auth.login(body.get('token') ?? '');
      if (!result.ok) {
        html(res, result.status, renderLoginPage(result.message));
        return;
      }
      res.writeHead(303, {
        ...COMMON_HEADERS,
        'Set-Cookie': sessionCookieHeader(result.cookie, Math.floor(deps.sessionMs / 1000), secure),
        Location: FLEET_PATH,
      });
      res.end();
      return;
    }
    if (path === FLEET_PATH || path === API_PATH) {
      if (!allow(res, method, 'GET')) return;
      const api = path === API_PATH;
      const access = deps.auth.check(req);
      if (!access.ok) {
        refuse(res, access, api);
        return;
      }
      let q: FleetQuery | undefined;
      try {
        q = parseFleetQuery(url.searchParams);
        const p = await page(q);
        // Streamed from here: a fault after the headers ends the connection (handle's catch), never a short 200.
        if (api) await stream(res, 'application/json; charset=utf-8', fleetPageJsonChunks(p));
        else await stream(res, 'text/html; charset=utf-8', fleetPageChunks(p, q));
      } catch (e) {
        if (res.headersSent) throw e;
        const { status, body } = errorReply(e);
        if (api) json(res, status, body);
        else html(res, status, renderErrorPage(q, body.message));
      }
      return;
    }
    json(res, 404, {
      message: `no route for ${method} ${path} (the fleet view serves ${FLEET_PATH} and ${API_PATH})`,
      code: 'ERR_INPUT',
    });
  }

  function errorReply(e: unknown): { status: number; body: { message: string; code: string } } {
    if (e instanceof ContinueExpiredError)
      return { status: 410, body: { message: e.message, code: e.code } };
    let logId: string | undefined;
    const reply = toHttpError(e, () => (logId = randomBytes(6).toString('hex')));
    if (logId !== undefined) deps.log.error('fleet view request failed', { logId, error: e });
    return reply;
  }

  return (req, res) => {
    const start = process.hrtime.bigint();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://fleet-view.invalid');
    } catch {
      json(res, 400, { message: 'malformed request target', code: 'ERR_INPUT' });
      return;
    }
    res.on('finish', () => {
      deps.log.info('request', {
        method: req.method,
        path: url.pathname,
        status: res.statusCode,
        ms: Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10,
      });
    });
    handle(req, res, url).catch((e: unknown) => {
      if (res.headersSent) {
        // A streamed page that failed midway: the connection ends, so the client sees a broken reply.
        deps.log.error('fleet view reply broken off', { path: url.pathname, error: e });
        res.destroy();
        return;
      }
      const { status, body } = errorReply(e);
      json(res, status, body);
    });
  };
}

function allow(res: ServerResponse, method: string, allowed: 'GET' | 'POST'): boolean {
  if (method === allowed || (allowed === 'GET' && method === 'HEAD')) return true;
  res.setHeader('Allow', allowed);
  json(res, 405, { message: `method ${method} not allowed; use ${allowed}`, code: 'ERR_INPUT' });
  return false;
}

function refuse(res: ServerResponse, access: Exclude<Access, { ok: true }>, api: boolean): void {
  const code = access.status === 401 ? 'ERR_UNAUTHORIZED' : 'ERR_FORBIDDEN';
  if (api) {
    if (access.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="fleet-view"');
    json(res, access.status, { message: access.message, code });
  } else {
    html(res, access.status, renderLoginPage(access.status === 403 ? access.message : undefined));
  }
}

function isHttps(req: IncomingMessage): boolean {
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim();
  return first === 'https' || (req.socket as { encrypted?: boolean }).encrypted === true;
}

/**
 * The login form, or undefined when it is larger than a login needs. Reading stops keeping bytes at the limit but
 * goes on draining the body (an early return from `for await` would destroy the socket, and the 413 with it).
 */
function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > LOGIN_BODY_LIMIT) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > LOGIN_BODY_LIMIT) {
        chunks.length = 0;
        resolve(undefined);
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (size <= LOGIN_BODY_LIMIT)
        resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': type,
    'Content-Length': buf.length,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  });
  res.end(res.req.method === 'HEAD' ? undefined : buf);
}

/**
 * A 200 written piece by piece (chunked), yielding to the event loop after each piece so getparams requests that
 * arrived meanwhile are served before the next one; it waits for a slow reader to drain instead of buffering the
 * page, and stops when the client goes away.
 */
export async function stream(
  res: ServerResponse,
  type: string,
  pieces: Iterable<string>,
): Promise<void> {
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': type,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  });
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  for (const piece of pieces) {
    if (res.destroyed) return;
    if (!res.write(piece)) await drainedOrClosed(res);
    await nextTurn();
  }
  if (!res.destroyed) res.end();
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function html(res: ServerResponse, status: number, body: string): void {
  send(res, status, 'text/html; charset=utf-8', body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}
