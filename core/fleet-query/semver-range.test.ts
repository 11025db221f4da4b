import { parseVersionRange, versionInRange } from './semver-range';

const VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.30.2', '1.31', '2.0'];

describe('versionInRange over EKS versions', () => {
  test.each<[string, string[]]>([
    ['1.30', ['1.30', '1.30.2']],
    ['1.30.x', ['1.30', '1.30.2']],
    ['=1.30', ['1.30', '1.30.2']],
    ['v1.30', ['1.30', '1.30.2']],
    ['1.30.2', ['1.30.2']],
    ['1', ['1.27', '1.28', '1.29', '1.30', '1.30.2', '1.31']],
    ['1.x', ['1.27', '1.28', '1.29', '1.30', '1.30.2', '1.31']],
    ['*', VERSIONS],
    ['', VERSIONS],
    ['>=1.29', ['1.29', '1.30', '1.30.2', '1.31', '2.0']],
    ['>=1.29 <1.31', ['1.29', '1.30', '1.30.2']],
    ['>= 1.29 < 1.31', ['1.29', '1.30', '1.30.2']],
    ['>1.29', ['1.30', '1.30.2', '1.31', '2.0']],
    ['<=1.29', ['1.27', '1.28', '1.29']],
    ['<1.29', ['1.27', '1.28']],
    ['>1.30.0', ['1.30.2', '1.31', '2.0']],
    ['~1.30', ['1.30', '1.30.2']],
    ['~1.30.1', ['1.30.2']],
    ['~1', ['1.27', '1.28', '1.29', '1.30', '1.30.2', '1.31']],
    ['^1', ['1.27', '1.28', '1.29', '1.30', '1.30.2', '1.31']],
    ['^1.29', ['1.29', '1.30', '1.30.2', '1.31']],
    ['^2', ['2.0']],
    ['1.28 - 1.30', ['1.28', '1.29', '1.30', '1.30.2']],
    ['1.28 - 1.30.0', ['1.28', '1.29', '1.30']],
    ['1.27 || 1.31', ['1.27', '1.31']],
    ['<1.28 || >=1.31', ['1.27', '1.31', '2.0']],
    ['~1.28 || 1.30 - 1.31', ['1.28', '1.30', '1.30.2', '1.31']],
  ])('%s', (range, expected) => {
    const r = parseVersionRange(range);
    expect(VERSIONS.filter((v) => versionInRange(v, r))).toEqual(expected);
  });

  test('^0.x follows semver caret rules for zero majors', () => {
    const r = parseVersionRange('^0.5');
    expect(['0.4', '0.5', '0.5.9', '0.6'].filter((v) => versionInRange(v, r))).toEqual([
      '0.5',
      '0.5.9',
    ]);
  });

  test('an unreadable cluster version matches nothing', () => {
    expect(versionInRange('latest', parseVersionRange('*'))).toBe(false);
  });

  test.each([
    ['banana', 'cannot read "banana"'],
    ['>=1.29 <', 'cannot read "<"'],
    ['1.30 ||', 'empty alternative'],
    ['1.30-1.31', 'cannot read "1.30-1.31"'],
    ['1.2.3.4', 'cannot read "1.2.3.4"'],
  ])('%s is refused with a message naming the part', (range, message) => {
    expect(() => parseVersionRange(range)).toThrow(message);
  });
});
