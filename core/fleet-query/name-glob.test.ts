import fc from 'fast-check';
import { compileNameGlob, compileNameGlobs } from './name-glob';

test.each<[string, string, boolean]>([
  ['prod-*', 'prod-euw1', true],
  ['prod-*', 'prod-', true],
  ['prod-*', 'staging-prod-1', false],
  ['*-blue', 'prod-euw1-blue', true],
  ['dev-use?', 'dev-use1', true],
  ['dev-use?', 'dev-use12', false],
  ['a.b', 'a.b', true],
  ['a.b', 'axb', false],
  ['(x)+[y]', '(x)+[y]', true],
  ['*', '', true],
])('%s matches %s: %s', (pattern, name, expected) => {
  expect(compileNameGlob(pattern).test(name)).toBe(expected);
});

describe('compileNameGlobs: one matcher for a request', () => {
  const toRegex = (p: string) =>
    new RegExp(
      `^${Array.from(p, (ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('')}$`,
      'su',
    );

  test('a name matches when any glob does, as the anchored regex translations say', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: fc.constantFrom('a', 'b', '-', '*', '?', '😀'), maxLength: 6 }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.string({ unit: fc.constantFrom('a', 'b', '-', '😀'), maxLength: 8 }),
        (globs, name) =>
          compileNameGlobs(globs).test(name) === globs.some((g) => toRegex(g).test(name)),
      ),
      { seed: 16, numRuns: 5000 },
    );
  });

  test('exact names are a lookup and cost nothing; duplicate globs count once', () => {
    const m = compileNameGlobs(['prod-a', 'prod-b', 'dev-*', 'dev-*', '?x']);
    expect(m.test('prod-b')).toBe(true);
    expect(m.test('dev-1')).toBe(true);
    expect(m.test('ax')).toBe(true);
    expect(m.test('prod-c')).toBe(false);
    expect(m.wildcardGlobs).toBe(2);
    expect(m.wildcardCodePoints).toBe('dev-*'.length + '?x'.length);
    expect(
      compileNameGlobs(Array.from({ length: 1000 }, (_, i) => `c-${i}`)).wildcardCodePoints,
    ).toBe(0);
  });

  test('prefix, suffix and length checks agree with the walk at the edges', () => {
    expect(compileNameGlobs(['a*a']).test('a')).toBe(false);
    expect(compileNameGlobs(['a*a']).test('aa')).toBe(true);
    expect(compileNameGlobs(['?😀']).test('x😀')).toBe(true);
    expect(compileNameGlobs(['😀?']).test('😀')).toBe(false);
    expect(compileNameGlobs(['*']).test('')).toBe(true);
  });
});
