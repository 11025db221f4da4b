import { boolFromEnv, intFromEnv } from './env-vars';

describe('intFromEnv', () => {
  it('gives the fallback when unset or blank, the number when plain digits in range', () => {
    const issues: string[] = [];
    expect(intFromEnv({}, 'N', 7, { min: 1 }, issues)).toBe(7);
    expect(intFromEnv({ N: '  ' }, 'N', 7, { min: 1 }, issues)).toBe(7);
    expect(intFromEnv({ N: ' 42 ' }, 'N', 7, { min: 1, max: 50 }, issues)).toBe(42);
    expect(issues).toEqual([]);
  });

  it('reports every refused value with its name and range, and gives the fallback', () => {
    const issues: string[] = [];
    expect(intFromEnv({ N: '0' }, 'N', 7, { min: 1 }, issues)).toBe(7);
    expect(intFromEnv({ N: '-1' }, 'N', undefined, { min: 0, max: 9 }, issues)).toBeUndefined();
    expect(intFromEnv({ N: '1e3' }, 'N', 7, { min: 1, max: 9 }, issues)).toBe(7);
    expect(
      intFromEnv(
        { N: 'x' },
        'N',
        7,
        { min: 1, max: 9, problem: (n, raw) => `${n}=${raw}?` },
        issues,
      ),
    ).toBe(7);
    expect(issues).toEqual([
      'N: "0" must be an integer of at least 1',
      'N: "-1" must be an integer from 0 to 9',
      'N: "1e3" must be an integer from 1 to 9',
      'N=x?',
    ]);
  });
});

describe('boolFromEnv', () => {
  it('reads true and false in any case, 1 and 0 only when asked, exact case only when asked', () => {
    const issues: string[] = [];
    expect(boolFromEnv({}, 'B', true, issues)).toBe(true);
    expect(boolFromEnv({ B: 'FALSE' }, 'B', true, issues)).toBe(false);
    expect(boolFromEnv({ B: '1' }, 'B', false, issues, { digits: true })).toBe(true);
    expect(boolFromEnv({ B: '1' }, 'B', false, issues)).toBe(false);
    expect(boolFromEnv({ B: 'True' }, 'B', false, issues, { caseSensitive: true })).toBe(false);
    expect(issues).toEqual(['B: "1" must be true or false', 'B: "True" must be true or false']);
  });
});
