import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EKS_DEFAULTS } from '../plugins/cluster-sources/eks-config';
import { CONFIG_TABLES, renderConfigReference, renderTable } from './config-reference';

const README_PATH = path.join(__dirname, '..', 'manifests', 'README.md');
const readme = readFileSync(README_PATH, 'utf8');

/** The Default cell of one variable's row in the checked-in README. */
function defaultInReadme(name: string): string | undefined {
  const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` `));
  return row?.split('|')[2]?.trim();
}

describe('the configuration reference in manifests/README.md', () => {
  test('equals the tables generated from the config modules (run `npm run docs:config` after changing one)', () => {
    expect(renderConfigReference(readme)).toBe(readme);
  });

  test('shows the defaults the EKS source really uses', () => {
    expect(defaultInReadme('EKS_CALL_TIMEOUT_MS')).toBe(`\`${EKS_DEFAULTS.callTimeoutMs}\``);
    expect(defaultInReadme('EKS_MAX_ATTEMPTS')).toMatch(
      new RegExp(`^\`${EKS_DEFAULTS.maxAttempts}\``),
    );
  });

  test.each([
    ['generator', 'generator-service/config.ts'],
    ['registrar', 'generator-service/registrar/config.ts'],
    ['eks', 'plugins/cluster-sources/eks-config.ts'],
  ])('the %s table lists every variable %s reads', (table, file) => {
    const source = readFileSync(path.join(__dirname, '..', file), 'utf8');
    const read = new Set<string>();
    for (const re of [
      /env\[['"]([A-Z][A-Z0-9_]+)['"]\]/g,
      /\(\s*(?:env\s*,\s*)?['"]([A-Z][A-Z0-9_]+)['"]/g,
    ]) {
      for (const m of source.matchAll(re)) read.add(m[1]!);
    }
    // Set by Kubernetes or the AWS SDK's own conventions, documented as such next to the tables.
    const external = /^(AWS_|HOSTNAME$)/;
    const listed = CONFIG_TABLES[table]!.map((v) => v.name);
    expect(read.size).toBeGreaterThan(3);
    expect(listed).toEqual(expect.arrayContaining([...read].filter((n) => !external.test(n))));
  });

  test('every variable is listed once across the tables', () => {
    const names = Object.values(CONFIG_TABLES).flatMap((vars) => vars.map((v) => v.name));
    expect(names.length).toBe(new Set(names).size);
  });

  test('a table whose markers are missing is an error, not a table left unchecked', () => {
    const withoutEks = readme.replace('<!-- config-table:start eks -->', '');
    expect(() => renderConfigReference(withoutEks)).toThrow(/markers for: eks/);
  });

  test('a pipe in a description cannot break the table', () => {
    const table = renderTable([{ name: 'X', description: 'a | b' }]);
    expect(table).toContain('a \\| b');
    expect(table.split('\n')).toHaveLength(3);
  });
});
