import { renderFastTemplate } from './fasttemplate';
import { flattenDotStyle, flattenToStrings } from './flatten';

describe('renderFastTemplate: Argo CD flat-mode replacement', () => {
  const params = { key1: 'val1', 'metadata.labels.env': 'prod', n: 5, generator: { input: {} } };
  test.each([
    ['templated-{{key1}}', 'templated-val1'],
    ['{{ key1 }}', 'val1'],
    ['{{\tkey1\n}}', 'val1'],
    ['{{metadata.labels.env}}', 'prod'],
    ['{{unknown}}', '{{unknown}}'],
    ['{{ unknown }}', '{{ unknown }}'],
    ['{{n}}', '{{n}}'], // only string params substitute
    ['{{generator}}', '{{generator}}'],
    ['{{}}', '{{}}'],
    ['{{ }}', '{{ }}'],
    ['no tags', 'no tags'],
    ['{{key1}}{{key1}}', 'val1val1'],
    ['{{ .key1 }}', '{{ .key1 }}'],
    ['}}{{key1}}', '}}val1'],
    ['{{a{{key1}}', '{{a{{key1}}'],
  ])('%p → %p', (t, out) => {
    expect(renderFastTemplate(t, params)).toEqual({ text: out });
  });
  test("an unclosed tag is fasttemplate's error", () => {
    expect(renderFastTemplate('a {{key1', params)).toEqual({
      error:
        'invalid template: Cannot find end tag="}}" in the template="a {{key1" starting from "key1"',
    });
  });
});

describe('flatten (jeremywohl/flatten DotStyle)', () => {
  test('nested maps dotted, arrays indexed, empty collections dropped, leaves kept', () => {
    expect(
      flattenDotStyle({ a: { b: { c: 1 } }, l: ['x', { y: true }], e: {}, el: [], z: null }),
    ).toEqual({ 'a.b.c': 1, 'l.0': 'x', 'l.1.y': true, z: null });
  });
  test('flat mode stringifies with %v; label-like keys stay as they are', () => {
    expect(
      flattenToStrings({ metadata: { labels: { 'a.b/c': 'x' } }, acct: 123456789012, nil: null }),
    ).toEqual({ 'metadata.labels.a.b/c': 'x', acct: '1.23456789012e+11', nil: '<nil>' });
  });
});
