/**
 * The up-front check of what the suites need beyond `npm ci` (test/environment/requirements.cjs): suites are
 * listed under what they use, a missing need names its suites and why in one line, and CI never skips for a tool.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface Need {
  readonly kind: 'reference data' | 'tool';
  readonly why: string;
  readonly suites: readonly string[];
}
interface Missing extends Need {
  readonly name: string;
}
interface Result {
  readonly missing: readonly Missing[];
  readonly failing: readonly Missing[];
  readonly skipped: readonly Missing[];
  readonly skippedSuites: readonly string[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requirements = require('./requirements.cjs') as {
  NEEDS: Record<string, Need>;
  REPO_ROOT: string;
  checkRequirements(
    env: Record<string, string | undefined>,
    isAvailable: (name: string) => boolean,
  ): Result;
  ignorePatterns(result: Result): string[];
  report(result: Result): string[];
  summary(result: Result): string | undefined;
};
const { NEEDS, REPO_ROOT } = requirements;

/** What a suite's source shows it uses: the helpers that read ../shared, kubectl, lua5.1, chromium. */
const USES: Record<string, RegExp> = {
  shared:
    /\bSHARED_DIR\b|\bSHARED\b|\bCRD_DIR\b|\bCORPUS_DIR\b|\bCRDS_DIR\b|crdValidator|esoSchemaErrors|loadPluginVectors|validateObject|crdKinds|hasCrdSchema/,
  kubectl: /'kubectl'|kustomizeBuild|installObjects/,
  'lua5.1': /'lua5\.1'/,
  git: /execFileSync\('git'|buildFixtureRepo/,
  chromium: /launchChromium|puppeteer-core'/,
};

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) return [];
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(full);
    return e.name.endsWith('.test.ts') ? [path.relative(REPO_ROOT, full)] : [];
  });
}

describe('what the suites need', () => {
  const suites = testFiles(REPO_ROOT).filter((s) => s !== 'test/environment/requirements.test.ts');

  test.each(Object.keys(USES))('every suite that uses %s is listed under it', (name) => {
    const using = suites.filter((s) =>
      USES[name]!.test(readFileSync(path.join(REPO_ROOT, s), 'utf8')),
    );
    expect(using.length).toBeGreaterThan(0);
    expect(NEEDS[name]!.suites).toEqual(expect.arrayContaining(using));
  });

  test('every listed suite exists', () => {
    for (const need of Object.values(NEEDS)) {
      for (const s of need.suites)
        expect([s, existsSync(path.join(REPO_ROOT, s))]).toEqual([s, true]);
    }
  });
});

describe('a missing need', () => {
  const without =
    (...absent: string[]) =>
    (name: string) =>
      !absent.includes(name);

  test('is reported in one line naming its suites and why, and those suites are not run', () => {
    const result = requirements.checkRequirements({}, without('lua5.1', 'shared'));
    const lines = requirements.report(result);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^not run: \d+ suites, because \.\.\/shared is absent \(reference data/,
    );
    expect(lines[0]).toContain('test/contract/plugin-generator-vectors.test.ts');
    expect(lines[1]).toBe(
      'not run: 1 suite, because lua5.1 is not on the PATH (apt-get install lua5.1): test/kro/health-checks.test.ts',
    );
    expect(requirements.summary(result)).toMatch(
      /not run for want of shared \(\d+ suites\), lua5\.1 \(1 suite\)/,
    );
    const ignored = requirements.ignorePatterns(result).map((p) => new RegExp(p));
    const health = path.join(REPO_ROOT, 'test/kro/health-checks.test.ts');
    expect(ignored.some((re) => re.test(health))).toBe(true);
    expect(ignored.some((re) => re.test(path.join(REPO_ROOT, 'core/names.test.ts')))).toBe(false);
  });

  test('with CI=true a missing tool fails the run instead of skipping; absent reference data is still skipped', () => {
    const result = requirements.checkRequirements({ CI: 'true' }, without('kubectl', 'shared'));
    expect(result.failing.map((m) => m.name)).toEqual(['kubectl']);
    expect(result.skipped.map((m) => m.name)).toEqual(['shared']);
    expect(
      requirements
        .ignorePatterns(result)
        .map((p) => new RegExp(p))
        .some((re) => re.test(path.join(REPO_ROOT, 'test/manifests/kustomize-builds.test.ts'))),
    ).toBe(false);
  });

  test('nothing missing: nothing said, nothing skipped', () => {
    const result = requirements.checkRequirements({ CI: 'true' }, () => true);
    expect(requirements.report(result)).toEqual([]);
    expect(requirements.summary(result)).toBeUndefined();
    expect(requirements.ignorePatterns(result)).toEqual([]);
  });
});
