import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { goQuote } from './go-values';

/**
 * The part of Go's `net/http` client that Argo CD's plugin client (`applicationset/services/internal/http`)
 * relies on, on top of node:http so that exactly Go's headers go on the wire (no `Accept`, `Connection` aside):
 * - `Accept-Encoding: gzip` is added and a gzip reply is decoded transparently;
 * - the timeout covers the whole exchange (connect, headers, body), 0 = none;
 * - redirects are followed (at most 10): 301/302/303 turn a POST into a body-less GET, 307/308 resend
 *   the body; `Authorization` is dropped when the redirect leaves the host (or its subdomains);
 * - failures read like Go's `*url.Error`: `Post "<url>": <cause>`.
 */

export interface GoHttpRequest {
  readonly method: string;
  readonly url: string;
  /** Canonical header names, as Go's Header.Set writes them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Client.Timeout in ms; 0 or negative = no timeout. */
  readonly timeoutMs: number;
}

export interface GoHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body, or the part read before a read error. */
  readonly body: Buffer;
  /** A body read failure (e.g. the client timeout while reading the body), in Go's words. */
  readonly bodyError?: string;
}

/** What the emulation sends requests through; the default is {@link goHttpDo}. Throws GoHttpError. */
export type HttpTransport = (req: GoHttpRequest) => Promise<GoHttpResponse>;

export class GoHttpError extends Error {}

const TIMEOUT_HEADERS =
  'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
const TIMEOUT_BODY =
  'context deadline exceeded (Client.Timeout or context cancellation while reading body)';

export const goHttpDo: HttpTransport = async (req) => {
  const deadline = req.timeoutMs > 0 ? Date.now() + req.timeoutMs : undefined;
  let current = { method: req.method, url: req.url, body: req.body, headers: { ...req.headers } };
  const opName = (m: string) => m.charAt(0) + m.slice(1).toLowerCase();
  for (let redirects = 0; ; redirects++) {
    const res = await once(current, deadline).catch((e: unknown) => {
      const cause = e instanceof GoHttpError ? e.message : String(e);
      throw new GoHttpError(`${opName(current.method)} ${goQuote(current.url)}: ${cause}`);
    });
    const location = res.headers['location'];
    if (![301, 302, 303, 307, 308].includes(res.status) || typeof location !== 'string') return res;
    const next = new URL(location, current.url).toString();
    if (redirects + 1 >= 10) {
      throw new GoHttpError(
        `${opName(current.method)} ${goQuote(next)}: stopped after 10 redirects`,
      );
    }
    const keepBody = res.status === 307 || res.status === 308;
    const method =
      keepBody || current.method === 'GET' || current.method === 'HEAD' ? current.method : 'GET';
    const headers: Record<string, string> = { ...current.headers };
    if (!keepBody) {
      delete headers['Content-Type'];
      delete headers['Content-Length'];
    }
    const fromHost = new URL(current.url).hostname;
    const toHost = new URL(next).hostname;
    if (toHost !== fromHost && !toHost.endsWith(`.${fromHost}`)) delete headers['Authorization'];
    current = { method, url: next, body: keepBody ? current.body : Buffer.alloc(0), headers };
  }
};

function once(
  req: { method: string; url: string; body: Buffer; headers: Record<string, string> },
  deadline: number | undefined,
): Promise<GoHttpResponse> {
  return new Promise((resolve, reject) => {
    // Go parses scheme-less URLs as relative references, which then have no protocol to send with.
    const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(req.url);
    if (!schemeMatch) {
      reject(new GoHttpError('unsupported protocol scheme ""'));
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(new GoHttpError('invalid URL'));
      return;
    }
    const scheme = (schemeMatch[1] ?? '').toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') {
      reject(new GoHttpError(`unsupported protocol scheme ${goQuote(scheme)}`));
      return;
    }
    if (url.hostname === '') {
      reject(new GoHttpError('http: no Host in request URL'));
      return;
    }
    const headers: Record<string, string> = { ...req.headers };
    if (req.body.length > 0 || req.method === 'POST' || req.method === 'PUT') {
      headers['Content-Length'] = String(req.body.length);
    }
    headers['Accept-Encoding'] = 'gzip';
    const lib = scheme === 'https' ? https : http;
    let phase: 'headers' | 'body' = 'headers';
    const chunks: Buffer[] = [];
    let status = 0;
    let resHeaders: http.IncomingHttpHeaders = {};
    let settled = false;
    const request = lib.request(url, { method: req.method, headers, agent: false }, (res) => {
      phase = 'body';
      status = res.statusCode ?? 0;
      resHeaders = res.headers;
      const gz = /^gzip$/i.test(String(res.headers['content-encoding'] ?? ''));
      const stream = gz ? res.pipe(zlib.createGunzip()) : res;
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => finish());
      stream.on('error', (e: Error) => finish(gz ? 'gzip: invalid header' : e.message));
      res.on('aborted', () => finish('unexpected EOF'));
    });
    const timer =
      deadline === undefined
        ? undefined
        : setTimeout(
            () => {
              if (phase === 'headers') fail(TIMEOUT_HEADERS);
              else finish(TIMEOUT_BODY);
              request.destroy();
            },
            Math.max(0, deadline - Date.now()),
          );
    function finish(bodyError?: string) {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (gzHeaders(resHeaders)) {
        delete resHeaders['content-encoding'];
        delete resHeaders['content-length'];
      }
      const response: GoHttpResponse = { status, headers: resHeaders, body: Buffer.concat(chunks) };
      resolve(bodyError === undefined ? response : { ...response, bodyError });
    }
    function fail(message: string) {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      reject(new GoHttpError(message));
    }
    request.on('error', (e: NodeJS.ErrnoException & { address?: string; port?: number }) => {
      if (phase === 'body') {
        finish('unexpected EOF');
        return;
      }
      fail(describeNetError(e, url));
    });
    request.end(req.body);
  });
}

function gzHeaders(h: http.IncomingHttpHeaders): boolean {
  return /^gzip$/i.test(String(h['content-encoding'] ?? ''));
}

function describeNetError(
  e: NodeJS.ErrnoException & { address?: string; port?: number },
  url: URL,
) {
  const hostPort = (addr: string, port: number | string) =>
    addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
  switch (e.code ?? '') {
    case 'ECONNREFUSED':
      return `dial tcp ${hostPort(e.address ?? url.hostname, e.port ?? url.port)}: connect: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${url.hostname}: no such host`;
    case 'ECONNRESET':
      return 'EOF';
    default:
      return e.message;
  }
}
