/**
 * A valid request followed, on the same keep-alive connection, by bytes Node's parser refuses: the valid request
 * still gets its whole reply, then the refusal, then the connection closes. Found in review: while the first
 * gzip of a cached reply was being made, the malformed request used to be answered through the waiting reply
 * (writing it later threw ERR_HTTP_HEADERS_SENT in a promise callback, an unhandled rejection that ends the
 * process); the fix for that dropped the connection, and the valid request's reply with it.
 */
import { connect } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createResponseCache } from '../../generator-service/http/response-cache';
import { loadExampleAddonDefaults, loadExampleFleet } from '../helpers/generator';
import { startHostileGenerator, type HostileGenerator } from './helpers/generator-server';
import { GETPARAMS } from './helpers/hostile-requests';
import { rawExchange, requestBytes } from './helpers/raw-http';

const TOKEN = 'pipelined-token';
const BODY = Buffer.from('{"applicationSetName":"a","input":{"parameters":{}}}');
const GARBAGE = Buffer.from('GARBAGE \u0001\r\n\r\n', 'latin1');

let gen: HostileGenerator;
let releaseGzip: () => void = () => undefined;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  const gate = new Promise<void>((resolve) => (releaseGzip = resolve));
  gen = await startHostileGenerator({
    records: loadExampleFleet(),
    addonDefaults: loadExampleAddonDefaults(),
    token: TOKEN,
    // The first compression waits until the test lets it go; later ones are immediate.
    responseCache: createResponseCache(16, {
      compress: async (body) => {
        await gate;
        return gzipSync(body);
      },
    }),
  });
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await gen.close();
});

const validRequest = (connection: 'keep-alive' | 'close', encoding = 'gzip') =>
  requestBytes(
    'POST',
    GETPARAMS,
    [
      ['Host', '127.0.0.1'],
      ['Authorization', `Bearer ${TOKEN}`],
      ['Accept-Encoding', encoding],
      ['Content-Length', String(BODY.length)],
      ['Connection', connection],
    ],
    BODY,
  );

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Every response on the connection, in order, read until the server closes it. */
function repliesUntilClose(
  socket: ReturnType<typeof connect>,
  received: Buffer[],
  closed: Promise<void>,
): Promise<Reply[]> {
  return closed.then(() => {
    let data = Buffer.concat(received);
    const out: Reply[] = [];
    for (;;) {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) break;
      const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const length = Number(headers['content-length']);
      const body = data.subarray(end + 4, end + 4 + length);
      expect(body.length).toBe(length); // the reply arrived whole
      out.push({ status: Number(statusLine.split(' ')[1]), headers, body });
      data = data.subarray(end + 4 + length);
    }
    expect(data.length).toBe(0);
    socket.destroy();
    return out;
  });
}

async function open() {
  const socket = connect(gen.port, '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, replies: repliesUntilClose(socket, received, closed) };
}

/** The answer to the same request on its own connection (identity, so it never waits for the gzip). */
async function expectedSets(): Promise<unknown[]> {
  const alone = await rawExchange(gen.port, validRequest('close', 'identity'));
  return (JSON.parse(alone.body.toString()) as { output: { parameters: unknown[] } }).output
    .parameters;
}

const parameterSets = (r: Reply) => {
  const body = r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body;
  return (JSON.parse(body.toString()) as { output: { parameters: unknown[] } }).output.parameters;
};

it('a reply waiting for its gzip is sent whole before the connection of a pipelined malformed request closes', async () => {
  const { socket, replies } = await open();
  socket.write(validRequest('keep-alive'));
  await new Promise((r) => setTimeout(r, 100)); // the first request is waiting for its gzip
  socket.write(GARBAGE);
  await new Promise((r) => setTimeout(r, 100)); // the parser has refused the second request
  releaseGzip();
  const [first, second, ...rest] = await replies;
  await new Promise((r) => setImmediate(r));
  expect(unhandled).toEqual([]);

  expect(first?.status).toBe(200);
  expect(first?.headers['content-encoding']).toBe('gzip');
  expect(parameterSets(first as Reply)).toEqual(await expectedSets());
  expect(second?.status).toBe(400);
  expect(JSON.parse((second as Reply).body.toString()).message).toMatch(/^malformed HTTP request/);
  expect(rest).toEqual([]);

  const next = await rawExchange(gen.port, validRequest('close'));
  expect(next.status).toBe(200);
  expect(next.headers['content-encoding']).toBe('gzip');
});

it('a valid request and malformed bytes in one write: the reply first, whole, then the refusal', async () => {
  const { socket, replies } = await open();
  socket.write(Buffer.concat([validRequest('keep-alive', 'identity'), GARBAGE]));
  const [first, second, ...rest] = await replies;
  expect(first?.status).toBe(200);
  expect(parameterSets(first as Reply)).toEqual(await expectedSets());
  expect(second?.status).toBe(400);
  expect(rest).toEqual([]);
});

it('the same over the gzip path', async () => {
  const { socket, replies } = await open();
  socket.write(Buffer.concat([validRequest('keep-alive'), GARBAGE]));
  const [first, second] = await replies;
  expect(first?.status).toBe(200);
  expect(parameterSets(first as Reply)).toEqual(await expectedSets());
  expect(second?.status).toBe(400);
});

it('after a Connection: close request the reply arrives whole and the connection closes', async () => {
  const { socket, replies } = await open();
  socket.write(Buffer.concat([validRequest('close', 'identity'), GARBAGE]));
  const [first, ...rest] = await replies;
  expect(first?.status).toBe(200);
  expect(parameterSets(first as Reply)).toEqual(await expectedSets());
  expect(rest.every((r) => r.status === 400)).toBe(true);
});
