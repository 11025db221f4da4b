/**
 * Fuzzing the generator over real sockets (issue 9). Whatever arrives, the service answers 2xx or 4xx (or a
 * designed 503) as JSON: a 2xx is exactly `{"output":{"parameters":[...]}}` with string scalars, anything else is
 * a short `{"message": string}` naming the parameter at fault when there is one. The process stays up, keeps
 * answering the same thing to the same question, its prototypes stay clean and its heap bounded.
 *
 * Reproducible: the seed is fixed unless FUZZ_SEED is set; FUZZ_RUNS scales the number of requests (default
 * 10,000 in all). On failure fast-check prints the seed and the shrunk counterexample; rerun with FUZZ_SEED=<seed>.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { loadExampleAddonDefaults, loadExampleFleet } from '../helpers/generator';
import { startHostileGenerator, type HostileGenerator } from './helpers/generator-server';
import {
  authCase,
  bodyCase,
  encodeBody,
  GETPARAMS,
  rawCase,
  transportCase,
  type AuthCase,
  type BodyCase,
  type RawCase,
  type TransportCase,
} from './helpers/hostile-requests';
import { chunked, rawExchange, requestBytes, type RawResponse } from './helpers/raw-http';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261126);
const TOTAL_RUNS = Number(process.env['FUZZ_RUNS'] ?? 10_000);
/** Requests in flight at once (each fast-check run is one batch sent together). */
const BATCH = 16;
const TOKEN = 'fuzz-token-6f1d2c';
/** Error replies end up in the ApplicationSet status: they must stay short whatever the input. */
const MAX_ERROR_BODY = 8 * 1024;

jest.setTimeout(300_000);

let gen: HostileGenerator;
const tally = new Map<string, number>();
const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
let sent = 0;

function forceGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = forceGc();
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const protoSnapshot = () => ({
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  function: Object.getOwnPropertyNames(Function.prototype).sort(),
});

/** Fixed questions asked before and after the run: the answers must not change (no state left behind). */
const PROBES = [
  '{"applicationSetName":"set","input":{}}\n',
  '{"applicationSetName":"set","input":{"parameters":{"selector":{"matchLabels":{"env":"prod"}},"addons":["vpc-cni"]}}}\n',
  '{"applicationSetName":"set","input":{"parameters":{"region":"eu-west-1","flatList":true}}}\n',
];
async function probeAnswers(): Promise<string[]> {
  const out: string[] = [];
  for (const body of PROBES) {
    const res = await rawExchange(
      gen.port,
      requestBytes(
        'POST',
        GETPARAMS,
        [
          ['Host', '127.0.0.1'],
          ['Authorization', `Bearer ${TOKEN}`],
          ['Content-Type', 'application/json'],
          ['Content-Length', String(Buffer.byteLength(body))],
          ['Connection', 'close'],
        ],
        Buffer.from(body),
      ),
    );
    expect(res.status).toBe(200);
    out.push(res.body.toString('utf8'));
  }
  return out;
}

let baseline: { answers: string[]; heap: number; protos: ReturnType<typeof protoSnapshot> };

beforeAll(async () => {
  gen = await startHostileGenerator({
    records: loadExampleFleet(),
    addonDefaults: loadExampleAddonDefaults(),
    token: TOKEN,
  });
  const answers = await probeAnswers();
  baseline = { answers, heap: heapAfterGc(), protos: protoSnapshot() };
});

afterAll(async () => {
  await gen?.close();
  const rows = [...tally.entries()].sort((a, b) => b[1] - a[1]);
  process.stdout.write(
    `generator fuzz: seed ${SEED}, ${sent} requests\n${rows.map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`).join('\n')}\n`,
  );
});

/** Where a request target lands: getparams (any prefix, query ignored), another route, or nowhere. */
function routeOf(target: string): 'getparams' | 'other' {
  const path = target.replace(/^https?:\/\/[^/]*/, '').split('?')[0] ?? '';
  return path.endsWith(GETPARAMS) ? 'getparams' : 'other';
}

function scalarLeaves(v: unknown, at = '$'): [string, unknown][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => scalarLeaves(x, `${at}[${i}]`));
  if (typeof v === 'object' && v !== null)
    return Object.entries(v).flatMap(([k, x]) => scalarLeaves(x, `${at}.${k}`));
  return [[at, v]];
}

/** The universal property: a JSON answer of an allowed status and shape. Returns the parsed body. */
function checkUniversal(
  res: RawResponse,
  opts: { method: string; getparams: boolean; mayCloseSilently?: boolean },
): Record<string, unknown> | undefined {
  if (res.status === undefined) {
    if (!opts.mayCloseSilently) throw new Error(`no answer at all: ${res.head.slice(0, 200)}`);
    return undefined;
  }
  const status = res.status;
  if (!((status >= 200 && status < 300) || (status >= 400 && status < 500) || status === 503)) {
    throw new Error(`status ${status}: ${res.body.toString('utf8').slice(0, 300)}`);
  }
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  if (opts.method.toUpperCase() === 'HEAD') return undefined;
  const json = JSON.parse(res.body.toString('utf8')) as unknown;
  expect(typeof json === 'object' && json !== null && !Array.isArray(json)).toBe(true);
  const body = json as Record<string, unknown>;
  if (status < 300) {
    if (!opts.getparams) return body;
    expect(Object.keys(body)).toEqual(['output']);
    const output = body['output'] as Record<string, unknown>;
    expect(Object.keys(output)).toEqual(['parameters']);
    const parameters = output['parameters'];
    expect(Array.isArray(parameters)).toBe(true);
    for (const p of parameters as unknown[]) {
      expect(typeof p === 'object' && p !== null && !Array.isArray(p)).toBe(true);
    }
    expect(scalarLeaves(parameters).filter(([, x]) => typeof x !== 'string')).toEqual([]);
  } else {
    expect(typeof body['message']).toBe('string');
    expect((body['message'] as string).length).toBeGreaterThan(0);
    expect(res.body.length).toBeLessThanOrEqual(MAX_ERROR_BODY);
    expect(String(body['message'])).not.toContain(TOKEN);
  }
  return body;
}

interface HttpCase {
  readonly body: BodyCase;
  readonly auth: AuthCase;
  readonly transport: TransportCase;
}

const httpCase: fc.Arbitrary<HttpCase> = fc.record({
  body: bodyCase,
  auth: authCase(TOKEN),
  transport: transportCase,
});

function bytesOf(c: HttpCase): Buffer[] {
  const { bytes, header } = encodeBody(c.body.text, c.transport.encoding);
  const headers: [string, string][] = [['Host', '127.0.0.1']];
  for (const line of c.auth.lines) headers.push(['Authorization', line]);
  headers.push(...c.transport.headers.map(([k, v]) => [k, v] as [string, string]));
  if (header) headers.push(['Content-Encoding', header]);
  let payload = bytes;
  if (c.transport.chunkSize !== undefined) {
    headers.push(['Transfer-Encoding', 'chunked']);
    payload = chunked(bytes, c.transport.chunkSize);
  } else {
    headers.push(['Content-Length', String(bytes.length)]);
  }
  headers.push(['Connection', 'close']);
  const all = requestBytes(c.transport.method, c.transport.target, headers, payload);
  const n = c.transport.writes;
  const size = Math.ceil(all.length / n);
  return Array.from({ length: n }, (_, i) => all.subarray(i * size, (i + 1) * size));
}

function describeCase(c: HttpCase): string {
  return `${c.transport.method} ${c.transport.target} auth=${c.auth.label} body=${c.body.label} enc=${c.transport.encoding}`;
}

async function checkHttpCase(c: HttpCase): Promise<void> {
  const res = await rawExchange(gen.port, bytesOf(c), {
    head: c.transport.method.toUpperCase() === 'HEAD',
  });
  sent++;
  const method = c.transport.method;
  const getparams = routeOf(c.transport.target) === 'getparams';
  if (method === 'GET' && c.transport.target === '/metrics') {
    expect(res.status).toBe(200);
    count('metrics');
    return;
  }
  const body = checkUniversal(res, { method, getparams });
  const status = res.status ?? 0;
  const rawMessage = body?.['message'];
  const message = typeof rawMessage === 'string' ? rawMessage : '';
  // Node's parser refuses some header bytes outright (a 400 from the server guard, before any route).
  if (status === 400 && message.startsWith('malformed HTTP request')) {
    count(`400 malformed HTTP (${c.auth.label})`);
    return;
  }
  if (!getparams) {
    count(`${status} other route`);
    return;
  }
  if (method !== 'POST') {
    expect(status).toBe(405);
    count('405');
    return;
  }
  if (!c.auth.accepted) {
    expect([401, 403]).toContain(status);
    count(`${status} ${c.auth.label}`);
    return;
  }
  expect([401, 403]).not.toContain(status);
  if (c.transport.encoding === 'unknown') {
    expect(status).toBe(415);
    count('415 encoding');
    return;
  }
  if (c.transport.encoding === 'bogus-gzip') {
    expect(status).toBe(400);
    count('400 bogus gzip');
    return;
  }
  const e = c.body.expect;
  switch (e.kind) {
    case 'ok':
      expect([status, message]).toEqual([200, '']);
      break;
    case 'bad-input':
      expect([status, message.includes(e.names) ? e.names : message]).toEqual([400, e.names]);
      break;
    case 'too-large':
      expect(status).toBe(413);
      break;
    case 'any':
      break;
  }
  count(`${status} ${c.body.label}`);
}

async function checkRawCase(c: RawCase): Promise<void> {
  const res = await rawExchange(gen.port, c.bytes, { halfClose: true });
  sent++;
  checkUniversal(res, { method: 'POST', getparams: true, mayCloseSilently: c.mayCloseSilently });
  count(`raw ${res.status ?? 'closed'} ${c.label}`);
}

const fuzzParams = (runs: number): fc.Parameters<unknown> => ({
  seed: SEED,
  numRuns: Math.max(1, Math.round(runs)),
  endOnFailure: false,
  verbose: 0,
  reporter: (details) => {
    if (!details.failed) return;
    const reason =
      details.errorInstance instanceof Error
        ? details.errorInstance.message
        : String(details.errorInstance);
    // The counterexample itself (buffers) is unreadable; the property's message describes the failing request.
    throw new Error(
      `generator fuzz failed after ${details.numRuns} runs, shrunk ${details.numShrinks} times.\n` +
        `Reproduce: FUZZ_SEED=${details.seed} FUZZ_RUNS=${TOTAL_RUNS} (path ${details.counterexamplePath ?? '?'})\n${reason}`,
    );
  },
});

test(`well-formed and hostile requests (${Math.round(TOTAL_RUNS * 0.9)} cases): always a JSON 2xx/4xx of the right shape`, async () => {
  const runs = (TOTAL_RUNS * 0.9) / BATCH;
  await fc.assert(
    fc.asyncProperty(fc.array(httpCase, { minLength: BATCH, maxLength: BATCH }), async (cases) => {
      const results = await Promise.allSettled(cases.map((c) => checkHttpCase(c)));
      results.forEach((r, i) => {
        if (r.status === 'rejected') {
          throw new Error(
            `${describeCase(cases[i]!)}: ${String((r.reason as Error).message ?? r.reason)}`,
          );
        }
      });
    }),
    fuzzParams(runs) as fc.Parameters<[HttpCase[]]>,
  );
});

test(`malformed HTTP for Node's parser (${Math.round(TOTAL_RUNS * 0.1)} cases): a JSON answer or, for protocol switches, a closed connection`, async () => {
  const runs = (TOTAL_RUNS * 0.1) / BATCH;
  await fc.assert(
    fc.asyncProperty(
      fc.array(rawCase(TOKEN), { minLength: BATCH, maxLength: BATCH }),
      async (cases) => {
        const results = await Promise.allSettled(cases.map((c) => checkRawCase(c)));
        results.forEach((r, i) => {
          if (r.status === 'rejected') {
            throw new Error(
              `raw ${cases[i]!.label}: ${String((r.reason as Error).message ?? r.reason)}`,
            );
          }
        });
      },
    ),
    fuzzParams(runs) as fc.Parameters<[RawCase[]]>,
  );
});

test('afterwards: the process is up, answers the same questions the same way, prototypes clean, heap bounded', async () => {
  const health = await rawExchange(
    gen.port,
    requestBytes('GET', '/healthz', [
      ['Host', 'x'],
      ['Connection', 'close'],
    ]),
  );
  expect(health.status).toBe(200);
  expect(await probeAnswers()).toEqual(baseline.answers);
  expect(protoSnapshot()).toEqual(baseline.protos);
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>)['polluted']).toBeUndefined();
  const growth = heapAfterGc() - baseline.heap;
  process.stdout.write(
    `generator fuzz: heap growth after gc ${(growth / 1024 / 1024).toFixed(1)} MiB\n`,
  );
  // Generous: the reply cache may hold up to 256 bodies of the example fleet; the bound catches a real leak.
  expect(growth).toBeLessThan(64 * 1024 * 1024);
});
