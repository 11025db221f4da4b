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

/** Plain checks in the hot path: jest's expect costs more than the request it judges. */
function must(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The path of the first leaf that is not a string, or undefined when every scalar is one. */
function firstNonString(v: unknown, at = '$'): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = firstNonString(v[i], `${at}[${i}]`);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const bad = firstNonString(x, `${at}.${k}`);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  return typeof v === 'string' ? undefined : `${at} = ${JSON.stringify(v)}`;
}

/** The universal property: a JSON answer of an allowed status and shape. Returns the parsed body. */
function checkUniversal(
  res: RawResponse,
  opts: { method: string; getparams: boolean; mayCloseSilently?: boolean },
): Record<string, unknown> | undefined {
  if (res.status === undefined) {
    must(opts.mayCloseSilently === true, `no answer at all: ${res.head.slice(0, 200)}`);
    return undefined;
  }
  const status = res.status;
  const text = () => res.body.toString('utf8').slice(0, 300);
  must(
    (status >= 200 && status < 300) || (status >= 400 && status < 500) || status === 503,
    `status ${status}: ${text()}`,
  );
  must(
    /^application\/json/.test(res.headers['content-type'] ?? ''),
    `status ${status} with Content-Type ${res.headers['content-type']}: ${text()}`,
  );
  if (opts.method.toUpperCase() === 'HEAD') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(res.body.toString('utf8'));
  } catch {
    throw new Error(`status ${status} with a body that is not JSON: ${text()}`);
  }
  must(isObject(json), `status ${status} with a JSON body that is not an object: ${text()}`);
  if (status < 300) {
    if (!opts.getparams) return json;
    const output = json['output'];
    must(
      Object.keys(json).join() === 'output' &&
        isObject(output) &&
        Object.keys(output).join() === 'parameters',
      `2xx not exactly {"output":{"parameters":...}}: ${text()}`,
    );
    const parameters = output['parameters'];
    must(
      Array.isArray(parameters) && parameters.every(isObject),
      `2xx parameters not an array of objects: ${text()}`,
    );
    const bad = firstNonString(parameters);
    must(bad === undefined, `2xx with a scalar that is not a string: ${bad}`);
  } else {
    const message = json['message'];
    must(typeof message === 'string' && message.length > 0, `error without a message: ${text()}`);
    must(res.body.length <= MAX_ERROR_BODY, `error body of ${res.body.length} bytes: ${text()}`);
    must(!message.includes(TOKEN), 'the token is in an error message');
  }
  return json;
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
    must(res.status === 200, `GET /metrics: ${res.status}`);
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
    must(status === 405, `${method} on getparams: ${status} (want 405)`);
    count('405');
    return;
  }
  if (!c.auth.accepted) {
    must(status === 401 || status === 403, `refused token answered ${status} (want 401/403)`);
    count(`${status} ${c.auth.label}`);
    return;
  }
  must(status !== 401 && status !== 403, `accepted token answered ${status}: ${message}`);
  if (c.transport.encoding === 'unknown') {
    must(status === 415, `unknown encoding: ${status} (want 415)`);
    count('415 encoding');
    return;
  }
  if (c.transport.encoding === 'bogus-gzip') {
    must(status === 400, `bogus gzip: ${status} (want 400)`);
    count('400 bogus gzip');
    return;
  }
  const e = c.body.expect;
  switch (e.kind) {
    case 'ok':
      must(status === 200, `valid request: ${status} ${message}`);
      break;
    case 'bad-input':
      must(
        status === 400 && message.includes(e.names),
        `want a 400 naming ${e.names}, got ${status} ${message}`,
      );
      break;
    case 'too-large':
      must(status === 413, `over the limit: ${status} (want 413)`);
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
