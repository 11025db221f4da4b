import { RenderError } from '../../core/errors';
import { parseManifestFile } from './parse-documents';

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n';
const parse = (text: string) => parseManifestFile(text, 'base/x.yaml', {});

describe('parseManifestFile under hostile input (regressions)', () => {
  test('aliases resolve to the closest anchor before them, once per document', () => {
    const [o] = parse(`${CM}  a: &v one\n  b: *v\n  c: &v two\n  d: *v\n`);
    expect(o?.object['data']).toEqual({ a: 'one', b: 'one', c: 'two', d: 'two' });
  });

  test.each<[string, string, RegExp]>([
    [
      'an alias to a missing anchor (was rendered as null)',
      `${CM}  a: *nowhere\n`,
      /base\/x\.yaml:6: alias \*nowhere refers to no anchor/,
    ],
    [
      'billion laughs (was expanded until the process died)',
      CM +
        '  a0: &a0 [x, x, x, x, x, x, x, x, x]\n' +
        Array.from(
          { length: 9 },
          (_, i) => `  a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]\n`,
        ).join(''),
      /base\/x\.yaml:\d+: aliases expand to more than 10000 nodes/,
    ],
    [
      'nesting deeper than the limit',
      `${CM}  a: ${'['.repeat(300)}${']'.repeat(300)}\n`,
      /base\/x\.yaml:6: nested too deeply \(more than 256/,
    ],
    [
      'nesting deeper than the YAML parser',
      `${CM}  a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
      /base\/x\.yaml:6: invalid YAML: nested too deeply/,
    ],
    [
      'more YAML tokens than the limit',
      `${CM}  a: [${Array(300_000).fill('1').join(',')}]\n`,
      /base\/x\.yaml:6: more than 400000 YAML tokens/,
    ],
  ])('%s', (_name, text, message) => {
    expect(() => parse(text)).toThrow(RenderError);
    expect(() => parse(text)).toThrow(message);
  });

  test('the object limit counts across the files of a render', () => {
    const budget = { objects: 9_999 };
    expect(parse(`${CM}  a: b\n`)).toHaveLength(1);
    parseManifestFile(`${CM}  a: b\n`, 'base/one.yaml', {}, budget);
    expect(() => parseManifestFile(`${CM}  a: b\n`, 'base/two.yaml', {}, budget)).toThrow(
      /base\/two\.yaml:1: the render has more than 10000 objects/,
    );
  });
});

describe('duplicate keys (checked while walking; yaml uniqueKeys is quadratic in the map size)', () => {
  const read = (text: string, duplicateKeys?: 'warn' | 'error') => {
    const warnings: string[] = [];
    const objects = parseManifestFile(
      text,
      'base/x.yaml',
      {},
      undefined,
      duplicateKeys === undefined
        ? { warn: (m) => warnings.push(m) }
        : { duplicateKeys, warn: (m) => warnings.push(m) },
    );
    return { data: objects[0]?.object['data'], warnings };
  };

  test.each<[string, string, unknown, RegExp]>([
    [
      'in a map',
      `${CM}  a: 1\n  b: 2\n  a: 3\n`,
      { a: 3, b: 2 },
      /^base\/x\.yaml:8: duplicate key "a"/,
    ],
    [
      'nested',
      `${CM}  a:\n    x: 1\n    x: 2\n`,
      { a: { x: 2 } },
      /^base\/x\.yaml:8: duplicate key "x"/,
    ],
    [
      'the same key as a number and a string',
      `${CM}  1: a\n  "1": b\n`,
      { '1': 'b' },
      /^base\/x\.yaml:7: duplicate key "1"/,
    ],
  ])(
    '%s: the last value wins, as Argo CD reads it, with a warning naming file:line and key',
    (_name, text, data, warning) => {
      const res = read(text);
      expect(res.data).toEqual(data);
      expect(res.warnings).toEqual([expect.stringMatching(warning)]);
      expect(res.warnings[0]).toMatch(/the last value wins.*duplicateKeys: error/);
    },
  );

  test('yaml.duplicateKeys: error refuses the file naming file:line and key (as kustomize does)', () => {
    expect(() => read(`${CM}  a: 1\n  b: 2\n  a: 3\n`, 'error')).toThrow(
      /^base\/x\.yaml:8: duplicate key "a" in one mapping \(refused: yaml\.duplicateKeys is error/,
    );
  });

  test('a file with thousands of duplicates warns a bounded number of times', () => {
    const keys = Array.from({ length: 5000 }, () => '  a: 1\n').join('');
    const res = read(`${CM}${keys}`);
    expect(res.warnings).toHaveLength(11);
    expect(res.warnings[10]).toBe('base/x.yaml: 4989 more duplicate key(s) not listed');
  });

  test('keys equal only after aliasing a map are two maps, not a duplicate', () => {
    const [o] = parse(`${CM}  a: &m {x: 1}\n  b: *m\n`);
    expect(o?.object['data']).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });
});
