import { goToLower, sanitizeName } from './names';

describe('sanitizeName (Argo CD SanitizeName)', () => {
  test.each([
    ['production_01/west', 'production-01-west'],
    ['Prod-EU', 'prod-eu'],
    ['--a.b--', 'a.b'],
    ['.x.', 'x'],
    ['a'.repeat(300), 'a'.repeat(253)],
    ['café', 'caf'],
  ])('%s → %s', (input, expected) => {
    expect(sanitizeName(input)).toBe(expected);
  });

  // Expected values are what Go's strings.ToLower + regexp `[^-a-z0-9.]` → "-" give, code point by code point
  // (Go's unicode tables: U+0130 lowers to U+0069, U+212A to U+006B; ß, ſ, σ, full-width and emoji stay non-ASCII).
  test.each([
    ['İstanbul-1', 'istanbul-1', 'U+0130 lowers to one i, not i + combining dot'],
    ['prod-İ', 'prod-i', 'U+0130 at the end'],
    ['i\u0307stanbul', 'i-stanbul', 'an i followed by a combining dot stays two code points'],
    ['\u212A8s-prod', 'k8s-prod', 'the Kelvin sign lowers to ASCII k, as in Go'],
    ['Straße', 'stra-e', 'ß is one code point and not ASCII'],
    ['ſtaging', 'taging', 'long s is already lowercase and not ASCII (leading - trimmed)'],
    ['ΑΣ-prod', 'prod', 'Greek capitals, final sigma included, are one - each'],
    ['ＰＲＯＤ-eu', 'eu', 'full-width letters are not ASCII letters'],
    ['prod-🚀-eu', 'prod---eu', 'an emoji outside the BMP is one code point, one -'],
    ['A\u0130B', 'aib', 'U+0130 between ASCII letters'],
  ])('%s → %s (%s)', (input, expected) => {
    expect(sanitizeName(input)).toBe(expected);
  });

  test('distinct names that Go keeps distinct stay distinct (case folding merges none)', () => {
    // JavaScript's toLowerCase made both `i-prod`: two clusters, one Application name.
    expect(sanitizeName('İprod')).toBe('iprod');
    expect(sanitizeName('i\u0307prod')).toBe('i-prod');
  });

  test('the result only ever holds lowercase ASCII letters, digits, - and .', () => {
    const tricky = ['İ', '\u212A', 'ſ', 'ß', 'Σ', 'ς', 'Ａ', '😀', '\u0130\u212A', 'ǅ', 'ﬀ', 'Ⅻ'];
    for (const name of tricky.map((t) => `x${t}y${t.toUpperCase()}`)) {
      expect(sanitizeName(name)).toMatch(/^[-a-z0-9.]*$/);
    }
  });
});

describe('goToLower (Go strings.ToLower)', () => {
  test.each([
    ['ABC', 'abc'],
    ['İ', 'i'],
    ['\u212A', 'k'],
    ['ΑΣ', 'ασ'], // no final-sigma context rule in Go
    ['ẞ', 'ß'],
    ['Ａ', 'ａ'],
  ])('%s → %s, one code point per code point', (input, expected) => {
    expect(goToLower(input)).toBe(expected);
    expect(Array.from(goToLower(input))).toHaveLength(Array.from(input).length);
  });
});
