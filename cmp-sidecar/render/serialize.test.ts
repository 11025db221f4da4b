import { parse } from 'yaml';
import { isAmbiguous, serializeObject } from './serialize';

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
