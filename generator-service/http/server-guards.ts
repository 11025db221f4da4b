import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorBody } from './errors';

/** Node's parser errors (`HPE_*`, `ERR_HTTP_*`) that have a more precise status than 400. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
};

const REASON: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
};

function rawReply(status: number, message: string): string {
  const body = JSON.stringify({ message, code: 'ERR_INPUT' } satisfies ErrorBody);
  return [
    `HTTP/1.1 ${status} ${REASON[status] ?? 'Bad Request'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

function parserMessage(status: number, code: string | undefined): string {
  if (status === 431) return 'request headers are larger than the server accepts';
  if (status === 408) return 'request was not received in time';
  return `malformed HTTP request (${code ?? 'parse error'})`;
}

/**
 * Answers what Node's HTTP parser refuses before express sees it (malformed request lines or headers, headers
 * over the size limit, bad chunked framing, `Expect` values other than 100-continue) with the same JSON error
 * shape as every other reply, instead of Node's bodiless defaults, then closes the connection as Node does.
 * When the error comes in the body of a request already handed to express, the reply goes through that request's
 * response (so it is logged and counted). When it comes after a complete request whose reply is still being made
 * (pipelined bytes), that reply is sent whole first, then the refusal, then the connection closes: Node's own
 * handling would destroy the socket and lose the reply.
 */
export function guardServer(server: Server): void {
  const current = new WeakMap<Socket, { req: IncomingMessage; res: ServerResponse }>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const exchange = { req, res };
    current.set(socket, exchange);
    res.once('close', () => {
      if (current.get(socket) === exchange) current.delete(socket);
    });
  });
  /** Connections whose refusal waits for an earlier reply; the parser reports every later byte again. */
  const closing = new WeakSet<Socket>();
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    if (closing.has(socket)) return;
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = STATUS_BY_CODE[err.code ?? ''] ?? 400;
    const message = parserMessage(status, err.code);
    const exchange = current.get(socket);
    if (exchange === undefined) {
      socket.end(rawReply(status, message));
      return;
    }
    const { req, res } = exchange;
    // A complete request is still being answered (its reply may be waiting for a gzip): the error belongs to a
    // later, pipelined request. Answering it through this response would take the earlier reply's place, so the
    // refusal follows that reply on the wire once it is written.
    if (req.complete || res.headersSent) {
      closing.add(socket);
      res.once('finish', () => {
        // Node ends the socket itself after a `Connection: close` reply; otherwise the refusal closes it.
        if (socket.writable) socket.end(rawReply(status, message));
      });
      res.once('close', () => {
        if (!res.writableFinished) socket.destroy(); // the reply never completed: nothing more to send
      });
      return;
    }
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Connection', 'close');
    res.end(JSON.stringify({ message, code: 'ERR_INPUT' } satisfies ErrorBody), () =>
      socket.destroy(),
    );
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    res.statusCode = 417;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Connection', 'close');
    res.end(
      JSON.stringify({
        message: 'only "Expect: 100-continue" is supported',
        code: 'ERR_INPUT',
      } satisfies ErrorBody),
    );
    req.resume();
  });
}

/**
 * Argo CD's Go client keeps an idle connection for 90 s (net/http's default IdleConnTimeout) and does not retry a
 * POST that fails on a reused connection. Node closes idle connections after 5 s, so a request can meet a socket
 * the server is closing. Keeping idle connections longer than the client does makes the client close first.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 95_000;
/**
 * A whole request (headers and body) must arrive within this; Argo CD's own client gives up after 30 s by default.
 * Node's default (300 s) let a client hold a socket reading a body that will be refused.
 */
export const REQUEST_TIMEOUT_MS = 60_000;

export function applyConnectionTimeouts(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(server.headersTimeout, REQUEST_TIMEOUT_MS);
}
