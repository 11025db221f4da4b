/**
 * The Prometheus and generator clients over HTTP against small servers: a gate needs one number, and the generator's
 * answer must have its shape; anything else is an error, never a pass or an empty fleet.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakePrometheus } from '../../test/fakes/prometheus/server';
import { startFakePrometheus } from '../../test/fakes/prometheus/server';
import { httpGeneratorClient } from './generator-client';
import { httpPrometheusClient } from './prometheus';

describe('the Prometheus client', () => {
  let prom: FakePrometheus;
  const client = httpPrometheusClient({ timeoutMs: 2000 });
  beforeEach(async () => {
    prom = await startFakePrometheus();
  });
  afterEach(() => prom.close());

  it('reads the one sample of a vector', async () => {
    prom.answer('errors', 0.25);
    await expect(client.value(prom.url, 'errors{a="b"}')).resolves.toBe(0.25);
    expect(prom.queries).toEqual(['errors{a="b"}']);
  });

  it.each([
    ['an empty result', 'empty' as const, /no series \(empty result\)/],
    ['NaN', 'NaN' as const, /NaN/],
    [
      'an error answer',
      { status: 400, error: 'parse error at char 3' },
      /HTTP 400: parse error at char 3/,
    ],
  ])('refuses %s', async (_name, answer, message) => {
    prom.answer('q', answer);
    await expect(client.value(prom.url, 'q')).rejects.toThrow(message);
  });

  it('refuses an unreachable server', async () => {
    await prom.refuse();
    await expect(client.value(prom.url, 'q')).rejects.toThrow(/unreachable/);
  });
});

describe('the generator client', () => {
  let server: Server;
  let reply: { status: number; body: string };
  let url: string;
  beforeEach(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () => httpGeneratorClient({ baseUrl: url, token: () => 't', timeoutMs: 2000 });

  it('passes a refusal on with its message', async () => {
    reply = { status: 503, body: '{"message":"registry not loaded","code":"ERR_NOT_READY"}' };
    await expect(client().clusters({})).rejects.toThrow(
      'generator answered HTTP 503: registry not loaded',
    );
  });

  it.each(['', '{}', 'null', '{"output":{}}', '{"output":{"parameters":[{"name":"a"}]}}'])(
    'refuses a 200 without the shape of an answer: %j',
    async (body) => {
      reply = { status: 200, body };
      await expect(client().clusters({})).rejects.toThrow(/generator answer/);
    },
  );
});
