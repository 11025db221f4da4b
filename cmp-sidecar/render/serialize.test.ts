import fc from 'fast-check';
import { parse } from 'yaml';
import { isAmbiguous, serializeObject, serializeObjects } from './serialize';

describe('serialization', () => {
  test('head keys first, the rest sorted; no anchors for shared values', () => {
    const shared = { a: '1' };
    const text = serializeObject({
      spec: { b: shared, a: shared },
      metadata: { name: 'x' },
      kind: 'ConfigMap',
      apiVersion: 'v1',
    });
    expect(text).toBe(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nspec:\n  a:\n    a: "1"\n  b:\n    a: "1"\n',
    );
  });

  test.each([
    'yes',
    'No',
    'on',
    'OFF',
    'y',
    'n',
    '~',
    'null',
    'true',
    '0755',
    '0o17',
    '0x1F',
    '1e3',
    '1_000',
    '1:20',
    '2024-01-01',
    '.5',
    '-1',
    '+1',
    '.inf',
    '-.Inf',
    '.NaN',
    '.',
    '._',
    'e0',
    '-E5',
    '',
    '=',
    '<<',
  ])('%j is quoted, so YAML 1.1 and 1.2 parsers both read a string', (s) => {
    expect(isAmbiguous(s)).toBe(true);
    const text = serializeObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
      data: { [s]: s },
    });
    for (const version of ['1.1', '1.2'] as const) {
      expect(parse(text, { version })).toEqual({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'x' },
        data: { [s]: s },
      });
    }
  });

  test('ordinary strings stay plain; multi-line strings are literal blocks', () => {
    expect(
      serializeObject({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'web' },
        data: { a: 'line1\nline2\n' },
      }),
    ).toBe(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: |\n    line1\n    line2\n',
    );
  });
});

describe('serialization round trip (property)', () => {
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom(
      'yes',
      '0755',
      '1e3',
      '- x',
      'a: b',
      'a #b',
      ' lead',
      'trail ',
      'l1\nl2',
      '\n',
      'x\n\n',
      '  x\ny',
      '@x',
      '--port=1',
      '-',
      '\t',
    ),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(text, tie('node'), { maxKeys: 4 }),
    ),
  })).node;

  test('every value reads back identically as YAML 1.1 and 1.2', () => {
    fc.assert(
      fc.property(fc.dictionary(text, value, { maxKeys: 5 }), (data) => {
        const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data };
        const out = serializeObject(object);
        const expected = JSON.parse(JSON.stringify(object)) as unknown; // -0 → 0, as YAML has no -0 either
        for (const version of ['1.1', '1.2'] as const)
          expect(parse(out, { version })).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the render-wide bound on the stream', () => {
  const cm = (name: string, x: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: { x },
  });

  test('a stream within the bound is the same as an unbounded one', () => {
    const objects = [cm('a', 'x'.repeat(100)), cm('b', 'y')];
    expect(serializeObjects(objects, 1000)).toBe(serializeObjects(objects));
  });

  test('passing it stops while emitting, naming the object, the bound and how to raise it', () => {
    const big = 'x'.repeat(10_000);
    expect(() => serializeObjects([cm('a', 'small'), cm('b', big)], 5_000)).toThrow(
      /^the rendered YAML stream passes 5000 bytes, the limit per render \(a constant: .*\), at object 2 of 2 \(ConfigMap b\); refused$/,
    );
  });
});
