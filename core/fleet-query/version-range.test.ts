import { parseVersionRange, versionInRange } from './version-range';

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
    ['~>1.30', ['1.30', '1.30.2']],
    ['>=\t1.29  <1.31', ['1.29', '1.30', '1.30.2']],
    ['1.28  -\t1.29', ['1.28', '1.29']],
    ['1.30||1.31', ['1.30', '1.30.2', '1.31']],
    ['* - 1.28', ['1.27', '1.28']],
    ['1.30 - *', ['1.30', '1.30.2', '1.31', '2.0']],
    ['>=*', VERSIONS],
    ['>*', []],
    ['<*', []],
    ['<=1.x', ['1.27', '1.28', '1.29', '1.30', '1.30.2', '1.31']],
    ['<1.x', []],
    // A number after a wildcard is a wildcard too.
    ['1.x.3', ['1.27', '1.28', '1.29', '1.30', '1.30.2', '1.31']],
    ['*.1', VERSIONS],
    // Leading zeros read as the number.
    ['1.030', ['1.30', '1.30.2']],
    ['^01.029', ['1.29', '1.30', '1.30.2', '1.31']],
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

  test('^00.1 is a zero major, as ^0.1 is', () => {
    const r = parseVersionRange('^00.1');
    expect(['0.1', '0.1.5', '0.2', '1.0'].filter((v) => versionInRange(v, r))).toEqual([
      '0.1',
      '0.1.5',
    ]);
  });

  test.each(['v1.30', ' 1.30 ', '01.030', '1.30.0'])(
    'the cluster version %p reads as 1.30',
    (version) => {
      expect(versionInRange(version, parseVersionRange('1.30'))).toBe(true);
      expect(versionInRange(version, parseVersionRange('1.31'))).toBe(false);
    },
  );

  test.each(['latest', '', '1.30-eks', 'eks-1.30', '1.30.2.1', '1.x'])(
    'the unreadable cluster version %p matches nothing',
    (version) => {
      expect(versionInRange(version, parseVersionRange('*'))).toBe(false);
    },
  );

  test.each([
    ['banana', 'cannot read "banana"'],
    ['>=1.29 <', 'cannot read "<"'],
    ['1.30 ||', 'empty alternative'],
    ['1.30-1.31', 'cannot read "1.30-1.31"'],
    ['1.2.3.4', 'cannot read "1.2.3.4"'],
    ['||', 'empty alternative'],
    ['|| 1.30', 'empty alternative'],
    ['1.30 |', 'cannot read "|"'],
    ['>>1', 'cannot read ">>1"'],
    ['=>1.29', 'cannot read "=>1.29"'],
    ['>=1 - 2', 'cannot read ">=1"'],
    ['1 - 2 - 3', 'cannot read "-"'],
    // node-semver reads these; EKS versions have no pre-release tag or build.
    ['1.30.0-rc.1', 'cannot read "1.30.0-rc.1"'],
    ['>=1.30.0+build', 'cannot read ">=1.30.0+build"'],
    // No Kubernetes version reaches 2^53.
    ['>=9007199254740991', 'cannot read ">=9007199254740991"'],
  ])('%s is refused with a message naming the part', (range, message) => {
    expect(() => parseVersionRange(range)).toThrow(message);
  });

  test('a refusal quotes the whole range and says what is expected', () => {
    expect(() => parseVersionRange('>=1.29 banana')).toThrow(
      new SyntaxError(
        '">=1.29 banana": cannot read "banana" (expected a version such as 1.30, 1.30.x, >=1.29, ~1.30, ^1 or 1.28 - 1.30)',
      ),
    );
    expect(() => parseVersionRange('1.30 || ')).toThrow(
      new SyntaxError('"1.30 || ": empty alternative around "||"'),
    );
  });
});
