import { connect } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** One HTTP/1.1 response as read off the socket; `undefined` status when the server closed without answering. */
export interface RawResponse {
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The raw head, for failure messages. */
  readonly head: string;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * Writes `bytes` to a fresh connection and reads the first response (Content-Length, chunked, or until close).
 * No client-side HTTP library touches the bytes, so malformed requests reach Node's parser as they are.
 * `pieces` splits the write, to exercise partial reads; the socket is destroyed after the response.
 */
export function rawExchange(
  port: number,
  bytes: Buffer | readonly Buffer[],
  opts: { timeoutMs?: number; head?: boolean; halfClose?: boolean } = {},
): Promise<RawResponse> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const pieces = Buffer.isBuffer(bytes) ? [bytes] : bytes;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let settled = false;
    const finish = (r: RawResponse | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (r instanceof Error) reject(r);
      else resolve(decoded(r));
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `no complete response within ${timeoutMs} ms: ${data.toString('latin1').slice(0, 200)}`,
          ),
        ),
      timeoutMs,
    );
    const tryParse = (closed: boolean) => {
      const end = data.indexOf(CRLF2);
      if (end < 0) {
        if (closed)
          finish({ status: undefined, headers: {}, body: data, head: data.toString('latin1') });
        return;
      }
      const head = data.subarray(0, end).toString('latin1');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
      // 1xx interim responses (100 Continue) precede the real one.
      if (status >= 100 && status < 200) {
        data = data.subarray(end + 4);
        tryParse(closed);
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const rest = data.subarray(end + 4);
      // A reply to HEAD has the headers of a body but none.
      if (opts.head) {
        finish({ status, headers, body: Buffer.alloc(0), head });
        return;
      }
      const length = headers['content-length'];
      if (length !== undefined) {
        if (rest.length >= Number(length)) {
          finish({ status, headers, body: rest.subarray(0, Number(length)), head });
        } else if (closed) {
          finish(new Error(`connection closed after ${rest.length} of ${length} body bytes`));
        }
        return;
      }
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        const body = dechunk(rest);
        if (body !== undefined) finish({ status, headers, body, head });
        else if (closed) finish(new Error('connection closed inside a chunked body'));
        return;
      }
      if (closed) finish({ status, headers, body: rest, head });
    };
    socket.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    socket.on('close', () => tryParse(true));
    // The server may close while we are still writing (a refused body): read what it answered.
    socket.on('error', () => tryParse(true));
    socket.on('connect', () => {
      for (const p of pieces) socket.write(p);
      // Tells the server nothing more is coming: an incomplete request then fails instead of waiting.
      if (opts.halfClose) socket.end();
    });
  });
}

/** The body with its Content-Encoding undone, as an HTTP client (Go's transport, for one) hands it over. */
function decoded(r: RawResponse): RawResponse {
  const encoding = (r.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (r.body.length === 0 || encoding === 'identity') return r;
  const body =
    encoding === 'gzip'
      ? gunzipSync(r.body)
      : encoding === 'br'
        ? brotliDecompressSync(r.body)
        : encoding === 'deflate'
          ? inflateSync(r.body)
          : r.body;
  return { ...r, body };
}

/** The payload of a complete chunked body, or undefined while incomplete. */
function dechunk(buf: Buffer): Buffer | undefined {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(out);
    if (buf.length < eol + 2 + size + 2) return undefined;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** A request as bytes: request line, headers as given (duplicates and odd spellings kept), then the body. */
export function requestBytes(
  method: string,
  target: string,
  headers: readonly (readonly [string, string])[],
  body?: Buffer,
): Buffer {
  const head = [
    `${method} ${target} HTTP/1.1`,
    ...headers.map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'utf8'), body ?? Buffer.alloc(0)]);
}

/** A body in chunked framing, split into pieces of `size` bytes. */
export function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size);
    parts.push(
      Buffer.from(`${piece.length.toString(16)}\r\n`, 'latin1'),
      piece,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}
