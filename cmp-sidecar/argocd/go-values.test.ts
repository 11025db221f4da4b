import {
  RawJson,
  encodeGoJson,
  formatGoFloat,
  formatGoV,
  goAtoi,
  goQuote,
  goTrimSpace,
} from './go-values';

describe('formatGoFloat: fmt %v of a float64', () => {
  test.each([
    [0, '0'],
    [123, '123'],
    [1.5, '1.5'],
    [-2.25, '-2.25'],
    [100000, '100000'],
    [999999, '999999'],
    [1000000, '1e+06'],
    [1234567, '1.234567e+06'],
    [123456789012, '1.23456789012e+11'],
    [12345678901, '1.2345678901e+10'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [0.1, '0.1'],
    [-1234567, '-1.234567e+06'],
  ])('%p → %s', (f, text) => {
    expect(formatGoFloat(f)).toBe(text);
  });
});

describe('formatGoV: fmt %v of decoded JSON', () => {
  test.each([
    [null, '<nil>'],
    [true, 'true'],
    ['x', 'x'],
    [5n, '5'],
    [['a', 1, null], '[a 1 <nil>]'],
    [{ b: 1, a: { c: 'x' } }, 'map[a:map[c:x] b:1]'],
    [{}, 'map[]'],
    [new RawJson('"v"'), '{[34 118 34]}'],
  ])('%p → %s', (v, text) => {
    expect(formatGoV(v)).toBe(text);
  });
});

test('goQuote is strconv.Quote', () => {
  expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
  expect(goQuote('tab\there\nnl')).toBe('"tab\\there\\nnl"');
  expect(goQuote('\x01\x7f')).toBe('"\\x01\\x7f"');
  expect(goQuote('héllo ✓')).toBe('"héllo ✓"');
  expect(goQuote('}}')).toBe('"}}"');
});

test('goTrimSpace trims what Go trims (NEL yes, BOM no)', () => {
  expect(goTrimSpace(' \t\n tok \r\n')).toBe('tok');
  expect(goTrimSpace('\u0085tok\u00a0')).toBe('tok');
  expect(goTrimSpace('\ufefftok')).toBe('\ufefftok');
});

describe('goAtoi: strconv.Atoi', () => {
  test.each([
    ['60', { value: 60 }],
    ['+5', { value: 5 }],
    ['-1', { value: -1 }],
    ['0', { value: 0 }],
    ['60s', { error: 'strconv.Atoi: parsing "60s": invalid syntax' }],
    ['', { error: 'strconv.Atoi: parsing "": invalid syntax' }],
    [' 5', { error: 'strconv.Atoi: parsing " 5": invalid syntax' }],
    ['1_000', { error: 'strconv.Atoi: parsing "1_000": invalid syntax' }],
    [
      '99999999999999999999',
      { error: 'strconv.Atoi: parsing "99999999999999999999": value out of range' },
    ],
  ])('%p', (s, want) => {
    expect(goAtoi(s)).toEqual(want);
  });
});

describe('encodeGoJson', () => {
  test('map keys sorted at every level, no spaces', () => {
    expect(encodeGoJson({ b: [1, { d: 1, c: 2 }], a: 'x' }, { escapeHTML: false })).toBe(
      '{"a":"x","b":[1,{"c":2,"d":1}]}',
    );
  });
  test('HTML escaping only when asked; U+2028/2029 always escaped; \\b and \\f short forms', () => {
    const s = '<a&b>\u2028\b\f\u0001';
    expect(encodeGoJson(s, { escapeHTML: false })).toBe('"<a&b>\\u2028\\b\\f\\u0001"');
    expect(encodeGoJson(s, { escapeHTML: true })).toBe(
      '"\\u003ca\\u0026b\\u003e\\u2028\\b\\f\\u0001"',
    );
  });
  test('RawJson is emitted as its (compacted) bytes', () => {
    expect(encodeGoJson({ k: new RawJson('{ "z": 1, "a": [ 1 ] }') }, { escapeHTML: false })).toBe(
      '{"k":{"z":1,"a":[1]}}',
    );
  });
});
