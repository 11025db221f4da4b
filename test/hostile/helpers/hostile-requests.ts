/**
 * fast-check arbitraries for hostile getparams requests. Bodies are built as JSON *text* so that fragments no
 * JavaScript value serializes to (`1e400`, `-0`, duplicate keys, `__proto__` as a key, 10,000-deep nesting, raw
 * invalid UTF-8) reach the server byte for byte. Each case carries what the test can predict about the answer.
 */
import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import fc from 'fast-check';

export const GETPARAMS = '/api/v1/getparams.execute';

/** What the case lets the test predict beyond the universal property. */
export type Expectation =
  /** A well-formed request for valid parameters: 200. */
  | { readonly kind: 'ok' }
  /** Refused with a 400 whose message contains `names` (the parameter or field at fault). */
  | { readonly kind: 'bad-input'; readonly names: string }
  /** Over the body limit: 413. */
  | { readonly kind: 'too-large' }
  /** Nothing more than the universal property (2xx/4xx/designed 503, JSON, shape). */
  | { readonly kind: 'any' };

export interface BodyCase {
  readonly text: Buffer;
  readonly expect: Expectation;
  readonly label: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Parameter values

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const ACCOUNTS = ['210987654321', '012345678901'];
const ADDONS = ['vpc-cni', 'coredns', 'kube-proxy'];
const j = (v: unknown) => JSON.stringify(v);

/** One valid parameter, as [key, JSON text]. */
const validParameter: fc.Arbitrary<readonly [string, string]> = fc.oneof(
  fc
    .record(
      {
        matchLabels: fc.dictionary(
          fc.constantFrom('env', 'team', 'tier'),
          fc.constantFrom('prod', 'dev', 'staging', 'platform'),
          { maxKeys: 2 },
        ),
        matchExpressions: fc.array(
          fc.oneof(
            fc.record({
              key: fc.constantFrom('env', 'team', 'constructor', 'toString'),
              operator: fc.constantFrom('In', 'NotIn'),
              values: fc.array(fc.constantFrom('prod', 'dev', 'x'), { minLength: 1, maxLength: 3 }),
            }),
            fc.record({
              key: fc.constantFrom('env', 'team', 'constructor', 'hasOwnProperty'),
              operator: fc.constantFrom('Exists', 'DoesNotExist'),
            }),
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    )
    .map((s) => ['selector', j(s)] as const),
  fc
    .uniqueArray(fc.constantFrom(...REGIONS), { minLength: 1 })
    .map((r) => ['regions', j(r)] as const),
  fc.constantFrom(...REGIONS).map((r) => ['region', j(r)] as const),
  fc
    .uniqueArray(fc.constantFrom(...ACCOUNTS), { minLength: 1 })
    .map((a) => ['accountIds', j(a)] as const),
  fc
    .array(fc.constantFrom('prod-*', '*-euw1', 'dev-use?', '*', '*a*a*a*a*a*a*a*a*a*a*b'), {
      minLength: 1,
      maxLength: 3,
    })
    .map((n) => ['names', j(n)] as const),
  fc
    .uniqueArray(fc.constantFrom('ACTIVE', 'CREATING', 'UPDATING'), { minLength: 1 })
    .map((s) => ['statuses', j(s)] as const),
  fc
    .constantFrom('>=1.29 <1.31', '~1.30', '1.30.x', '^1', '1.28 - 1.30', '1.29 || 1.31', '*')
    .map((v) => ['kubernetesVersion', j(v)] as const),
  fc.boolean().map((b) => ['flatList', j(b)] as const),
  fc
    .uniqueArray(fc.constantFrom(...ADDONS), { minLength: 1 })
    .map((a) => ['addons', j(a)] as const),
);

/** Nesting `depth` levels of arrays or objects around a leaf. */
function nested(depth: number, kind: 'array' | 'object', leaf = '1'): string {
  return kind === 'array'
    ? '['.repeat(depth) + leaf + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

/** JSON texts that are numbers, strings, literals no JS value serializes to, or odd in some way. */
const oddScalar: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '1e400',
    '-1e400',
    '-0',
    '0',
    '1E-400',
    '123456789012345678901234567890',
    '"NaN"',
    '"Infinity"',
    '"-0"',
    '""',
    '" "',
    'null',
    'true',
    'false',
    '"\\u0000"',
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"\\u202e"',
    '"\uFEFF"',
    '"eu-west-1\\n"',
    '" eu-west-1"',
    '"EU-WEST-1"',
    '"__proto__"',
    '"constructor"',
    '"{{ .Values }}"',
    '"$(id)"',
    '"../../etc/passwd"',
  ),
  fc.double().map((d) => (Number.isFinite(d) ? String(d) : '1e999')),
  fc.integer().map(String),
  fc.string({ unit: 'binary', maxLength: 40 }).map(j),
  fc.string({ maxLength: 300 }).map(j),
);

/** Objects with keys that poison naive code: prototype keys, duplicates. */
const poisonObject: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"prototype":{"polluted":"yes"}}',
    '{"__proto__":null}',
    '{"a":1,"a":2,"a":{"__proto__":{"polluted":"yes"}}}',
    '{"matchLabels":{"__proto__":"x"}}',
    '{"matchLabels":{"constructor":"x","toString":"y"}}',
    '{"matchExpressions":[{"key":"__proto__","operator":"Exists"}]}',
    '{"matchExpressions":{"length":1,"0":{"key":"env","operator":"Exists"}}}',
    '{"matchLabels":{"env":"prod"},"matchLabels":{"env":{"__proto__":1}}}',
  ),
);

/** Deep, wide or big JSON texts (kept rare by the callers: they cost bandwidth). */
const bigValue: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 65, max: 10_000 }),
      fc.constantFrom('array' as const, 'object' as const),
    )
    .map(([d, k]) => nested(d, k)),
  fc.constant(nested(10_000, 'array')),
  fc.constant(nested(10_000, 'object', '{"__proto__":{"polluted":"yes"}}')),
  fc
    .tuple(
      fc.oneof(
        { weight: 9, arbitrary: fc.integer({ min: 1001, max: 3000 }) },
        { weight: 1, arbitrary: fc.integer({ min: 3001, max: 60_000 }) },
      ),
      fc.constantFrom('"x"', '"eu-west-1"', '1', 'null', '[]'),
    )
    .map(([n, leaf]) => `[${Array<string>(n).fill(leaf).join(',')}]`),
  fc
    .oneof(
      { weight: 9, arbitrary: fc.integer({ min: 257, max: 5000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 5001, max: 200_000 }) },
    )
    .map((n) => j('e'.repeat(n))),
  fc
    .oneof(
      { weight: 9, arbitrary: fc.integer({ min: 2, max: 500 }) },
      { weight: 1, arbitrary: fc.integer({ min: 501, max: 20_000 }) },
    )
    .map((n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`),
);

/** Any JSON value text within the depth limit, including the odd ones. */
const shallowValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: oddScalar },
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => j(v)) },
  { weight: 2, arbitrary: poisonObject },
  { weight: 2, arbitrary: fc.array(oddScalar, { maxLength: 5 }).map((a) => `[${a.join(',')}]`) },
);

/** Any JSON value text, big and deep ones included. */
const anyValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 14, arbitrary: shallowValue },
  { weight: 1, arbitrary: bigValue },
);

const LIST_PARAMETERS = ['regions', 'accountIds', 'names', 'statuses', 'addons'] as const;

/** [key, JSON text, what the message must name]: a value that is wrong for that parameter, always. */
const wrongParameter: fc.Arbitrary<readonly [string, string, string]> = fc.oneof(
  // A list parameter that is not an array of good strings.
  fc
    .tuple(
      fc.constantFrom(...LIST_PARAMETERS),
      fc.oneof(
        oddScalar,
        poisonObject,
        fc.constant('[]'),
        fc.constant('[""]'),
        fc
          .array(
            fc.oneof(fc.constant('1'), fc.constant('null'), fc.constant('{}'), fc.constant('[]')),
            {
              minLength: 1,
              maxLength: 4,
            },
          )
          .map((a) => `[${a.join(',')}]`),
        { arbitrary: bigValue, weight: 1 },
      ),
    )
    .map(([k, v]) => [k, v, `input.parameters.${k}`] as const),
  // A region, account id or status that is not one.
  fc
    .tuple(
      fc.constantFrom('regions', 'accountIds', 'statuses'),
      fc
        .string({ minLength: 1, maxLength: 30 })
        .filter((s) => !/^[a-z]{2}(-[a-z]+)+-\d+$|^\d{12}$|^[A-Z]+$/.test(s)),
    )
    .map(([k, s]) => [k, j([s]), `input.parameters.${k}[0]`] as const),
  fc
    .oneof(oddScalar, poisonObject, fc.constant('["eu-west-1"]'))
    .filter((v) => !/^"[a-z]{2}(-[a-z]+)+-\d+"$/.test(v))
    .map((v) => ['region', v, 'input.parameters.region'] as const),
  fc
    .oneof(oddScalar, poisonObject, fc.jsonValue({ maxDepth: 2 }).map(j))
    .filter((v) => v !== 'true' && v !== 'false')
    .map((v) => ['flatList', v, 'input.parameters.flatList'] as const),
  fc
    .oneof(
      poisonObject,
      fc.constantFrom('1', '[]', 'true', '{}', '"1.30"', '">=1.29"'),
      fc.constantFrom('"1.30 ||"', '">>1"', '"latest"', `"${'9'.repeat(300)}"`),
    )
    .filter((v) => v !== '"1.30"' && v !== '">=1.29"')
    .map((v) => ['kubernetesVersion', v, 'input.parameters.kubernetesVersion'] as const),
  fc
    .oneof(
      fc.constantFrom('1', '"env=prod"', '[]', 'null', '{"matchLabel":{}}', '{"matchLabels":[]}'),
      fc.constantFrom(
        '{"matchLabels":{"__proto__":"x"}}',
        '{"matchExpressions":[{"key":"__proto__","operator":"Exists"}]}',
        '{"matchExpressions":[{"key":"env","operator":"Near"}]}',
        '{"matchExpressions":[{"key":"env","operator":"In","values":[]}]}',
        '{"matchLabels":{"env":"a b"}}',
      ),
    )
    .map((v) => ['selector', v, 'input.parameters.selector'] as const),
  // Both region spellings at once.
  fc.constant([
    'region',
    '"eu-west-1","regions":["us-east-1"]',
    'input.parameters.region and input.parameters.regions',
  ] as const),
  // Too deep, whatever the key.
  fc
    .tuple(
      fc.constantFrom('selector', 'regions', 'names', 'flatList'),
      fc.integer({ min: 70, max: 10_000 }),
    )
    .map(([k, d]) => [k, nested(d, 'array'), `input.parameters.${k}: nested deeper than`] as const),
);

/** Keys the service does not accept (poisonous and plain), with a value that may be anything. */
const unknownKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'pkey1',
    'Regions',
    'region ',
  ),
  fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !KNOWN.has(k)),
);
const KNOWN = new Set([
  'selector',
  'regions',
  'region',
  'accountIds',
  'names',
  'statuses',
  'kubernetesVersion',
  'flatList',
  'addons',
]);

function paramsText(entries: readonly (readonly [string, string])[]): string {
  return `{${entries.map(([k, v]) => `${j(k)}:${v}`).join(',')}}`;
}

function requestText(name: string, params: string | undefined, trailer = '\n'): string {
  const input = params === undefined ? '{}' : `{"parameters":${params}}`;
  return `{"applicationSetName":${name},"input":${input}}${trailer}`;
}

/** Valid parameters, no duplicate keys, and never `region` with `regions`. */
const validParameters = fc.array(validParameter, { maxLength: 4 }).map((entries) => {
  const seen = new Map<string, string>();
  for (const [k, v] of entries) seen.set(k, v);
  if (seen.has('region') && seen.has('regions')) seen.delete('regions');
  return [...seen.entries()] as const;
});

const appSetName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('"set"', '"eks-apps"', '""') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map(j) },
);

/** A well-formed request for valid parameters. */
const okBody: fc.Arbitrary<BodyCase> = fc
  .tuple(appSetName, validParameters, fc.boolean())
  .map(([name, entries, omitEmpty]) => ({
    text: Buffer.from(
      requestText(name, entries.length === 0 && omitEmpty ? undefined : paramsText(entries)),
    ),
    expect: { kind: 'ok' },
    label: 'valid',
  }));

const REGION_KEYS = new Set(['region', 'regions']);

/** Valid parameters plus one wrong one: a 400 naming it. */
const wrongBody: fc.Arbitrary<BodyCase> = fc
  .tuple(validParameters, wrongParameter, fc.nat())
  .map(([entries, [key, value, names], at]) => {
    // `region` and `regions` exclude each other: a wrong one of them comes without the other.
    const clash = (k: string) => k === key || (REGION_KEYS.has(key) && REGION_KEYS.has(k));
    const others = entries.filter(([k]) => !clash(k));
    const all = [...others];
    all.splice(at % (all.length + 1), 0, [key, value]);
    return {
      text: Buffer.from(requestText('"set"', paramsText(all))),
      expect: { kind: 'bad-input', names },
      label: `wrong ${key}`,
    };
  });

/** An unknown parameter key: a 400 saying so. */
const unknownKeyBody: fc.Arbitrary<BodyCase> = fc
  .tuple(validParameters, unknownKey, shallowValue)
  .map(([entries, key, value]) => ({
    text: Buffer.from(requestText('"set"', paramsText([...entries, [key, value]]))),
    expect: { kind: 'bad-input', names: 'unknown parameter' },
    label: `unknown key ${key.slice(0, 20)}`,
  }));

/** Wrong types where the request shape itself is expected. */
const wrongShapeBody: fc.Arbitrary<BodyCase> = fc.oneof(
  anyValue
    .filter((v) => !v.startsWith('{') && v !== 'null')
    .map((v): BodyCase => ({
      text: Buffer.from(`{"input":{"parameters":${v}}}`),
      expect: { kind: 'bad-input', names: 'input.parameters' },
      label: 'parameters type',
    })),
  anyValue
    .filter((v) => !v.startsWith('{') && v !== 'null')
    .map((v): BodyCase => ({
      text: Buffer.from(`{"input":${v}}`),
      expect: { kind: 'bad-input', names: 'input' },
      label: 'input type',
    })),
  anyValue
    .filter((v) => !v.startsWith('"'))
    .map((v): BodyCase => ({
      text: Buffer.from(`{"applicationSetName":${v},"input":{}}`),
      expect: { kind: 'bad-input', names: 'applicationSetName' },
      label: 'name type',
    })),
  anyValue
    .filter((v) => !v.startsWith('{'))
    .map((v): BodyCase => ({
      text: Buffer.from(v),
      expect: { kind: 'bad-input', names: 'request body' },
      label: 'body not an object',
    })),
);

/** Anything at all in the parameter slots, or mangled bytes: only the universal property. */
const wildBody: fc.Arbitrary<BodyCase> = fc.oneof(
  fc
    .array(fc.tuple(fc.oneof(unknownKey, fc.constantFrom(...KNOWN)), anyValue), { maxLength: 5 })
    .map((entries): BodyCase => ({
      text: Buffer.from(requestText('"set"', paramsText(entries))),
      expect: { kind: 'any' },
      label: 'wild parameters',
    })),
  fc
    .tuple(okBody, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }))
    .map(([b, at, bytes]): BodyCase => {
      const i = at % (b.text.length + 1);
      return {
        text: Buffer.concat([b.text.subarray(0, i), Buffer.from(bytes), b.text.subarray(i)]),
        expect: { kind: 'any' },
        label: 'bytes inserted',
      };
    }),
  fc.tuple(okBody, fc.nat()).map(([b, at]): BodyCase => ({
    text: b.text.subarray(0, at % b.text.length),
    expect: { kind: 'any' },
    label: 'truncated',
  })),
  okBody.map((b): BodyCase => ({
    text: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b.text]),
    expect: { kind: 'bad-input', names: 'not valid JSON' },
    label: 'UTF-8 BOM',
  })),
  okBody.map((b): BodyCase => ({
    text: Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(b.text.toString('utf8'), 'utf16le'),
    ]),
    expect: { kind: 'bad-input', names: 'not valid JSON' },
    label: 'UTF-16',
  })),
  fc
    .constantFrom(
      Buffer.from([0xc3, 0x28]),
      Buffer.from('{"applicationSetName":"\xff\xfe","input":{}}', 'latin1'),
      Buffer.from('{"input":{"parameters":{"regions":["eu-west-1\xc0\xaf"]}}}', 'latin1'),
      Buffer.from('{"input":{"parameters":{"\xed\xa0\x80":1}}}', 'latin1'),
      Buffer.from('{} {}'),
      Buffer.from('{"input":{}}garbage'),
      Buffer.from('   '),
      Buffer.from(''),
      Buffer.from('\u0000'),
    )
    .map((text): BodyCase => ({ text, expect: { kind: 'any' }, label: 'raw bytes' })),
);

/** A body just over the 1 MiB default limit, well-formed or not. */
const tooLargeBody: fc.Arbitrary<BodyCase> = fc
  .tuple(fc.integer({ min: 1, max: 64 * 1024 }), fc.constantFrom('"x"', '"eu-west-1"'))
  .map(([extra, leaf]): BodyCase => {
    const n = Math.ceil((1024 * 1024 + extra) / (leaf.length + 1));
    return {
      text: Buffer.from(requestText('"set"', `{"regions":[${Array(n).fill(leaf).join(',')}]}`)),
      expect: { kind: 'too-large' },
      label: 'over the limit',
    };
  });

export const bodyCase: fc.Arbitrary<BodyCase> = fc.oneof(
  { weight: 1, arbitrary: tooLargeBody },
  { weight: 100, arbitrary: okBody },
  { weight: 120, arbitrary: wrongBody },
  { weight: 40, arbitrary: unknownKeyBody },
  { weight: 40, arbitrary: wrongShapeBody },
  { weight: 80, arbitrary: wildBody },
);

// ---------------------------------------------------------------------------------------------------------------
// Headers

export interface AuthCase {
  /** Authorization header lines to send, in order (several = duplicated header). */
  readonly lines: readonly string[];
  /** Whether the service must let it through (same token, scheme `Bearer` in any case, spaces trimmed). */
  readonly accepted: boolean;
  readonly label: string;
}

export function authCase(token: string): fc.Arbitrary<AuthCase> {
  const ok = (lines: string[], label: string): AuthCase => ({ lines, accepted: true, label });
  const no = (lines: string[], label: string): AuthCase => ({ lines, accepted: false, label });
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(ok([`Bearer ${token}`], 'right token')) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        ok([`bearer ${token}`], 'lowercase scheme'),
        ok([`BEARER ${token}`], 'uppercase scheme'),
        ok([`Bearer    ${token}   `], 'extra spaces'),
        ok([`Bearer\t${token}`], 'tab'),
        ok([`Bearer ${token}`, 'Bearer wrong'], 'duplicated, right first'),
      ),
    },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        no([], 'missing'),
        no([''], 'empty'),
        no(['Bearer'], 'scheme only'),
        no(['Bearer '], 'scheme and space'),
        no([token], 'token without scheme'),
        no([`Basic ${Buffer.from(`argocd:${token}`).toString('base64')}`], 'Basic'),
        no([`Token ${token}`], 'other scheme'),
        no([`Bearer ${token}x`], 'longer token'),
        no([`Bearer ${token.slice(0, -1)}`], 'shorter token'),
        no([`Bearer ${token.toUpperCase()}`], 'token case changed'),
        no([`Bearer ${token} ${token}`], 'token twice'),
        no([`Bearer "${token}"`], 'quoted token'),
        no([`Bearer ${token}é`], 'token with unicode'),
        no([`Bearer ${'t'.repeat(8000)}`], 'very long token'),
        no(['Bearer wrong', `Bearer ${token}`], 'duplicated, wrong first'),
        no([`Bearer,Bearer ${token}`], 'comma-joined'),
        no(['Bearer $plugin.token'], 'literal secret reference'),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'grapheme', maxLength: 40 })
        .filter((s) => !/[\r\n\0]/.test(s) && s.trim() !== token)
        .map((s) => no([`Bearer ${s}`], 'random token')),
    },
  );
}

export interface TransportCase {
  readonly method: string;
  readonly target: string;
  /** Extra header lines (content type, encoding, odd ones). */
  readonly headers: readonly (readonly [string, string])[];
  readonly encoding: 'identity' | 'gzip' | 'deflate' | 'br' | 'bogus-gzip' | 'unknown';
  /** Chunked framing with this piece size, or Content-Length when undefined. */
  readonly chunkSize: number | undefined;
  /** Write the request in this many pieces. */
  readonly writes: number;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** A token-shaped header name (built from characters: `fc.stringMatching` costs more than the request). */
const headerName = fc
  .tuple(
    fc.constantFrom(...LETTERS),
    fc.array(fc.constantFrom(...`${LETTERS}0123456789-`), { maxLength: 15 }),
  )
  .map(([first, rest]) => first + rest.join(''));

export const transportCase: fc.Arbitrary<TransportCase> = fc.record({
  method: fc.oneof(
    { weight: 20, arbitrary: fc.constant('POST') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'GET',
        'PUT',
        'DELETE',
        'PATCH',
        'OPTIONS',
        'HEAD',
        'post',
        'PROPFIND',
      ),
    },
  ),
  target: fc.oneof(
    { weight: 20, arbitrary: fc.constant(GETPARAMS) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        `/prefix${GETPARAMS}`,
        `${GETPARAMS}?x=1&__proto__[polluted]=yes`,
        `${GETPARAMS}/`,
        `/${GETPARAMS}`,
        '/api/v1/getparams',
        '/',
        '/%ZZ',
        '/..%2f..%2fetc/passwd',
        `/%00${GETPARAMS}`,
        `http://evil.example${GETPARAMS}`,
        '/healthz',
        '/metrics',
        '*',
      ),
    },
  ),
  headers: fc.array(
    fc.oneof(
      fc.constantFrom(
        ['Content-Type', 'application/json'] as const,
        ['Content-Type', 'text/plain'] as const,
        ['Content-Type', 'application/json; charset=utf-16'] as const,
        ['Content-Type', 'application/x-www-form-urlencoded'] as const,
        ['Content-Type', 'multipart/form-data; boundary=x'] as const,
        ['Content-Type', ';;;=='] as const,
        ['Content-Type', 'application/json'] as const,
        ['User-Agent', 'argocd-applicationset'] as const,
        ['Accept', 'text/html'] as const,
        ['Accept-Encoding', 'gzip, br'] as const,
        ['X-Forwarded-For', '1.2.3.4, ::1'] as const,
        ['Cookie', '__proto__=polluted'] as const,
        ['Expect', '100-continue'] as const,
        ['Connection', 'keep-alive'] as const,
        ['Content-Type', 'application/jsön'] as const,
        ['X-Unicode', 'ünïcödé ✓'] as const,
      ),
      fc
        .tuple(headerName, fc.string({ maxLength: 30 }))
        .filter(
          ([k, v]) =>
            !/[\r\n\0]/.test(v) &&
            !/^(content-|transfer-|authorization$|host$|connection$|expect$|upgrade$)/i.test(k),
        )
        .map(([k, v]) => [`X-${k}`, v] as const),
    ),
    { maxLength: 3 },
  ),
  encoding: fc.oneof(
    { weight: 20, arbitrary: fc.constant('identity' as const) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'gzip' as const,
        'deflate' as const,
        'br' as const,
        'bogus-gzip' as const,
        'unknown' as const,
      ),
    },
  ),
  chunkSize: fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 4096 }) },
  ),
  writes: fc.oneof(
    { weight: 5, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.integer({ min: 2, max: 5 }) },
  ),
});

/** The body bytes as sent, with the Content-Encoding header it needs. */
export function encodeBody(
  body: Buffer,
  encoding: TransportCase['encoding'],
): { bytes: Buffer; header?: string } {
  switch (encoding) {
    case 'identity':
      return { bytes: body };
    case 'gzip':
      return { bytes: gzipSync(body), header: 'gzip' };
    case 'deflate':
      return { bytes: deflateSync(body), header: 'deflate' };
    case 'br':
      return { bytes: brotliCompressSync(body), header: 'br' };
    case 'bogus-gzip':
      return { bytes: body, header: 'gzip' };
    case 'unknown':
      return { bytes: body, header: 'x-compress-9000' };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Malformed HTTP (for Node's parser)

export interface RawCase {
  readonly bytes: Buffer;
  readonly label: string;
  /** The server may close without answering (Node drops these connections by design). */
  readonly mayCloseSilently: boolean;
}

export function rawCase(token: string): fc.Arbitrary<RawCase> {
  const auth = `Authorization: Bearer ${token}\r\n`;
  const req = (s: string, label: string, mayCloseSilently = false): RawCase => ({
    bytes: Buffer.from(s, 'latin1'),
    label,
    mayCloseSilently,
  });
  return fc.oneof(
    fc.constantFrom(
      req(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        'CL and TE',
      ),
      req(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
        'bad chunk size',
      ),
      req(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\n2;${'e'.repeat(20000)}\r\n{}\r\n0\r\n\r\n`,
        'huge chunk extension',
      ),
      req(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: -1\r\n\r\n`,
        'negative length',
      ),
      req(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
        'two lengths',
      ),
      req(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}X-Big: ${'b'.repeat(20000)}\r\nContent-Length: 2\r\n\r\n{}`,
        'headers over 16 KiB',
      ),
      req(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'t'.repeat(17000)}\r\nContent-Length: 2\r\n\r\n{}`,
        'token over 16 KiB',
      ),
      req(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}Bad Header Name: x\r\nContent-Length: 2\r\n\r\n{}`,
        'space in header name',
      ),
      req(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}X-Null: a\0b\r\nContent-Length: 2\r\n\r\n{}`,
        'NUL in header value',
      ),
      req(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}X-Fold: a\r\n  folded\r\nContent-Length: 2\r\n\r\n{}`,
        'obs-fold',
      ),
      req(
        `POST ${GETPARAMS} HTTP/1.1\nHost: x\n${auth.replace('\r', '')}Content-Length: 2\n\n{}`,
        'bare LF',
      ),
      req(`POST ${GETPARAMS} HTTP/9.9\r\nHost: x\r\n\r\n`, 'HTTP/9.9'),
      req(`POST ${GETPARAMS} HTTP/1.0\r\n${auth}Content-Length: 2\r\n\r\n{}`, 'HTTP/1.0'),
      req(`POST ${GETPARAMS}\r\n\r\n`, 'HTTP/0.9 style'),
      req(`\r\n\r\n`, 'only line breaks', true),
      req(`${'A'.repeat(20000)} / HTTP/1.1\r\n\r\n`, 'huge method'),
      req(`POST /${'p'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 'huge target'),
      req(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}Expect: teapot\r\nContent-Length: 2\r\n\r\n{}`,
        'unknown Expect',
      ),
      req(`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, 'HTTP/2 preface', true),
      req(`CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n`, 'CONNECT', true),
      req(
        `GET ${GETPARAMS} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
        'Upgrade',
        true,
      ),
      req(`\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03`, 'TLS ClientHello', false),
    ),
    fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ({
      bytes: Buffer.concat([Buffer.from(b), Buffer.from('\r\n\r\n')]),
      label: 'random bytes',
      mayCloseSilently: false,
    })),
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 20 })).map(([b]) => ({
      bytes: Buffer.concat([
        Buffer.from(`POST ${GETPARAMS} HTTP/1.1\r\nHost: x\r\n${auth}X-Raw: `, 'latin1'),
        Buffer.from(b),
        Buffer.from('\r\nContent-Length: 2\r\n\r\n{}'),
      ]),
      label: 'raw bytes in a header value',
      mayCloseSilently: false,
    })),
  );
}
