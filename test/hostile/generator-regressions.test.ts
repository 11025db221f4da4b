/**
 * What the generator fuzz found, one focused case each, over real sockets against the real app (issue 9):
 * every one of these used to answer a 500, an unbounded error, no JSON at all, or to stall the event loop.
 */
import fc from 'fast-check';
import { compileNameGlob } from '../../core/fleet-query/name-glob';
import { MAX_BODY_DEPTH } from '../../generator-service/get-params-request';
import { loadExampleAddonDefaults, loadExampleFleet } from '../helpers/generator';
import { startHostileGenerator, type HostileGenerator } from './helpers/generator-server';
import { GETPARAMS } from './helpers/hostile-requests';
import { rawExchange, requestBytes, type RawResponse } from './helpers/raw-http';

const TOKEN = 'regression-token';
let gen: HostileGenerator;
beforeAll(async () => {
  gen = await startHostileGenerator({
    records: loadExampleFleet(),
    addonDefaults: loadExampleAddonDefaults(),
    token: TOKEN,
  });
});
afterAll(() => gen.close());

function post(body: string | Buffer, extra: [string, string][] = []): Promise<RawResponse> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return rawExchange(
    gen.port,
    requestBytes(
      'POST',
      GETPARAMS,
      [
        ['Host', '127.0.0.1'],
        ['Authorization', `Bearer ${TOKEN}`],
        ['Content-Length', String(bytes.length)],
        ['Connection', 'close'],
        ...extra,
      ],
      bytes,
    ),
  );
}

const params = (p: string) => `{"applicationSetName":"set","input":{"parameters":${p}}}\n`;
const json = (r: RawResponse) => JSON.parse(r.body.toString('utf8')) as { message?: string };

describe('input that used to reach a recursive walk: a 400 naming the parameter, not a 500', () => {
  test.each([
    ['10,000-deep arrays', `{"selector":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 'selector'],
    ['10,000-deep objects', `{"names":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`, 'names'],
    [
      '100,000-deep under an unknown key',
      `{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      'x',
    ],
  ])('%s', async (_name, p, key) => {
    const res = await post(params(p));
    expect(res.status).toBe(400);
    expect(json(res).message).toBe(
      `input.parameters.${key}: nested deeper than ${MAX_BODY_DEPTH} levels`,
    );
  });

  test('a deep applicationSetName or input is named as such', async () => {
    const deep = `${'['.repeat(200)}${']'.repeat(200)}`;
    expect(json(await post(`{"applicationSetName":${deep}}`)).message).toMatch(
      /^applicationSetName: nested deeper than/,
    );
    expect(json(await post(`{"input":{"x":${deep}}}`)).message).toMatch(
      /^input\.x: nested deeper than/,
    );
  });

  test('nesting within the limit is judged on its merits', async () => {
    const res = await post(params(`{"flatList":${'['.repeat(50)}${']'.repeat(50)}}`));
    expect(res.status).toBe(400);
    expect(json(res).message).toBe(
      'input.parameters.flatList: must be true or false, got an array',
    );
  });
});

describe('error messages stay short whatever the input (they land in the ApplicationSet status)', () => {
  test.each([
    ['50,000 bad regions', params(JSON.stringify({ regions: Array(50_000).fill('x') }))],
    ['2,000 bad regions', params(JSON.stringify({ regions: Array(1000).fill('Europe') }))],
    ['a 500 kB region', params(JSON.stringify({ regions: ['x'.repeat(500_000)] }))],
    ['a 500 kB unknown key', params(JSON.stringify({ ['k'.repeat(500_000)]: 1 }))],
    [
      '20,000 unknown keys',
      params(
        JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]))),
      ),
    ],
    [
      '10,000 bad labels',
      params(
        JSON.stringify({
          selector: {
            matchLabels: Object.fromEntries(
              Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'a b']),
            ),
          },
        }),
      ),
    ],
    [
      '64 unknown 100-character add-ons',
      params(JSON.stringify({ addons: Array(64).fill('a'.repeat(100)) })),
    ],
    [
      'a 300 kB kubernetesVersion',
      params(JSON.stringify({ kubernetesVersion: '1'.repeat(300_000) })),
    ],
    ['a 300 kB applicationSetName', JSON.stringify({ applicationSetName: 'n'.repeat(300_000) })],
  ])('%s → a 400 under 8 KiB', async (_name, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.length).toBeLessThan(8 * 1024);
    expect(typeof json(res).message).toBe('string');
  });

  test('the first problems are listed, then counted', async () => {
    const res = await post(
      params(
        JSON.stringify({ regions: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'] }),
      ),
    );
    const message = json(res).message ?? '';
    expect(message).toContain('input.parameters.regions[0]: "a" is not an AWS region name');
    expect(message).toContain('input.parameters.regions[9]: "j"');
    expect(message).not.toContain('regions[10]');
    expect(message).toMatch(/; and 2 more problems$/);
  });

  test('a long value is quoted in part, with its length', async () => {
    const res = await post(params(JSON.stringify({ names: ['n'.repeat(1000)] })));
    expect(json(res).message).toBe(
      `input.parameters.names[0]: "${'n'.repeat(60)}"... (1000 characters) is longer than 256 characters`,
    );
  });

  test('lists longer than any real query are refused by length', async () => {
    const res = await post(
      params(JSON.stringify({ accountIds: Array(1001).fill('012345678901') })),
    );
    expect(json(res).message).toBe(
      'input.parameters.accountIds: has 1001 entries, more than the limit of 1000',
    );
  });
});

describe("bodies express's reader cannot decode: a 4xx, not a 500", () => {
  test('Content-Encoding: gzip with bytes that are not gzip → 400', async () => {
    const res = await post('{"input":{}}', [['Content-Encoding', 'gzip']]);
    expect(res.status).toBe(400);
    expect(json(res).message).toBe('request body could not be read');
  });

  test('an unknown Content-Encoding → 415', async () => {
    const res = await post('{"input":{}}', [['Content-Encoding', 'x-compress-9000']]);
    expect(res.status).toBe(415);
  });
});

describe("what Node's HTTP parser refuses gets the JSON error shape too", () => {
  const raw = (s: string) => rawExchange(gen.port, Buffer.from(s, 'latin1'), { halfClose: true });
  const auth = `Authorization: Bearer ${TOKEN}\r\n`;

  test.each([
    ['a malformed request line', 400, 'GARBAGE\r\n\r\n'],
    ['a bad header name', 400, `POST ${GETPARAMS} HTTP/1.1\r\nBad Header: x\r\n\r\n`],
    [
      'Content-Length with Transfer-Encoding',
      400,
      `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
    [
      'headers over 16 KiB',
      431,
      `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    ],
    [
      'an Expect other than 100-continue',
      417,
      `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}Expect: teapot\r\nContent-Length: 2\r\n\r\n{}`,
    ],
  ])('%s → %i with a JSON message', async (_name, status, request) => {
    const res = await raw(request);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(typeof json(res).message).toBe('string');
  });

  test('a chunked body that breaks after express took the request → a JSON 400, not a silent close', async () => {
    const res = await raw(
      `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    );
    expect(res.status).toBe(400);
    expect(json(res).message).toMatch(/^malformed HTTP request/);
  });

  test('the service still answers afterwards', async () => {
    const res = await post(params('{"region":"eu-west-1"}'));
    expect(res.status).toBe(200);
  });
});

describe('name globs: linear matching (a regex backtracked exponentially on `*a*a*a…b`)', () => {
  test('the pathological glob against the example fleet answers (it used to stall for minutes)', async () => {
    const glob = `${'*a'.repeat(30)}*b`;
    const res = await post(params(JSON.stringify({ names: [glob] })));
    expect(res.status).toBe(200);
    expect(compileNameGlob(glob).test('a'.repeat(200))).toBe(false);
    expect(compileNameGlob(`${'*a'.repeat(30)}*`).test('a'.repeat(30))).toBe(true);
  });

  test('same answers as an anchored regex translation, for globs and names over a small alphabet', () => {
    const toRegex = (p: string) =>
      new RegExp(
        `^${Array.from(p, (ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('')}$`,
        'su',
      );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '-', '*', '?', '.', '😀'), maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '-', '.', '😀'), maxLength: 10 }),
        (glob, name) => compileNameGlob(glob).test(name) === toRegex(glob).test(name),
      ),
      { seed: 9, numRuns: 5000 },
    );
  });
});
