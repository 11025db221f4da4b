/**
 * Found in review: while the first gzip of a cached reply is being made, a malformed request pipelined on the same
 * connection used to be answered through the waiting reply; when the gzip landed, writing the reply threw
 * ERR_HTTP_HEADERS_SENT inside a promise callback, an unhandled rejection that ends a Node 20 process. The
 * service must instead drop that one connection and keep serving.
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createResponseCache } from '../../generator-service/response-cache';
import { loadExampleAddonDefaults, loadExampleFleet } from '../helpers/generator';
import { startHostileGenerator, type HostileGenerator } from './helpers/generator-server';
import { GETPARAMS } from './helpers/hostile-requests';
import { rawExchange, requestBytes } from './helpers/raw-http';

const TOKEN = 'pipelined-token';
const BODY = Buffer.from('{"applicationSetName":"a","input":{"parameters":{}}}');

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

const validRequest = (connection: 'keep-alive' | 'close') =>
  requestBytes(
    'POST',
    GETPARAMS,
    [
      ['Host', '127.0.0.1'],
      ['Authorization', `Bearer ${TOKEN}`],
      ['Accept-Encoding', 'gzip'],
      ['Content-Length', String(BODY.length)],
      ['Connection', connection],
    ],
    BODY,
  );

it('drops the connection of a pipelined malformed request instead of crashing, and keeps serving', async () => {
  const socket = connect(gen.port, '127.0.0.1');
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(validRequest('keep-alive'));
  await new Promise((r) => setTimeout(r, 100)); // the first request is waiting for its gzip
  socket.write(Buffer.from('GARBAGE \u0001\r\n\r\n', 'latin1'));
  await new Promise((r) => setTimeout(r, 100)); // the parser has refused the second request
  releaseGzip();
  await closed;
  await new Promise((r) => setImmediate(r));
  expect(unhandled).toEqual([]);

  const next = await rawExchange(gen.port, validRequest('close'));
  expect(next.status).toBe(200);
  expect(next.headers['content-encoding']).toBe('gzip');
});
