import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SourceUnavailableError } from '../../core/errors';
import { createJsonLogger, silentLogger } from '../../core/logger';
import { fileSource, parseFleetYaml } from './file';

const CLUSTER = (name: string, extra = '') => `  - clusterName: ${name}
    accountId: "012345678901"
    region: eu-west-1
    version: "1.30"
    endpoint: https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com
${extra}`;

const issuesOf = (text: string): string[] => {
  const r = parseFleetYaml(text, 'fleet.yaml');
  if (!('issues' in r)) throw new Error('expected issues');
  return r.issues;
};

describe('parseFleetYaml', () => {
  test('a minimal entry gets derived and default fields', () => {
    const r = parseFleetYaml(`clusters:\n${CLUSTER('a')}`, 'fleet.yaml');
    expect(r).toEqual({
      fleet: {
        addonDefaults: {},
        records: [
          {
            clusterName: 'a',
            accountId: '012345678901',
            region: 'eu-west-1',
            arn: 'arn:aws:eks:eu-west-1:012345678901:cluster/a',
            version: '1.30',
            platformVersion: '',
            status: 'ACTIVE',
            endpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
            oidcIssuer: '',
            vpcId: '',
            tags: {},
            caData: '',
          },
        ],
      },
    });
  });

  test.each<[string, string, string]>([
    [
      'an unquoted account id (YAML would drop the leading zero)',
      `clusters:\n  - clusterName: a\n    accountId: 012345678901\n    region: eu-west-1\n    version: "1.30"\n    endpoint: https://x.example.com\n`,
      'fleet.yaml:3:16: clusters[0].accountId: must be a string (quote it, e.g. accountId: "012345678901"; YAML reads unquoted digits as a number and drops leading zeros)',
    ],
    [
      'an unquoted version (YAML reads 1.30 as 1.3)',
      `clusters:\n  - clusterName: a\n    accountId: "012345678901"\n    region: eu-west-1\n    version: 1.30\n    endpoint: https://x.example.com\n`,
      'fleet.yaml:5:14: clusters[0].version: must be a string (quote it, e.g. version: "1.30"; YAML reads 1.30 as the number 1.3)',
    ],
    [
      'an unknown key',
      `clusters:\n${CLUSTER('a', '    regoin: x\n')}`,
      'fleet.yaml:7:5: clusters[0]: unknown key "regoin"',
    ],
    [
      'a missing key',
      `clusters:\n  - clusterName: a\n    accountId: "012345678901"\n    version: "1.30"\n    endpoint: https://x.example.com\n`,
      'fleet.yaml:2:5: clusters[0]: missing key "region"',
    ],
    ['a YAML syntax error', `clusters:\n  - clusterName: [a\n`, 'fleet.yaml:3:1:'],
    [
      'a tag value that is not a string',
      `clusters:\n${CLUSTER('a', '    tags:\n      cost-center: 4711\n')}`,
      'fleet.yaml:8:20: clusters[0].tags.cost-center: must be a string (quote it)',
    ],
    [
      'an account id that is not 12 digits',
      `clusters:\n${CLUSTER('a').replace('012345678901', '1234')}`,
      'fleet.yaml:3:16: clusters[0].accountId: "1234" is not a 12-digit AWS account id',
    ],
    [
      'an unknown top-level key',
      `cluster:\n${CLUSTER('a')}`,
      'fleet.yaml:1:1: unknown top-level key "cluster"',
    ],
    ['an empty file', ``, 'fleet.yaml:1:1: file is empty'],
    [
      'an unquoted add-on version key',
      `clusters: []\naddonDefaults:\n  1.30: { vpc-cni: v1 }\n`,
      'fleet.yaml:3:3: addonDefaults: key 1.3 must be a quoted Kubernetes minor version',
    ],
  ])('%s is reported with file:line:col and key', (_case, text, expected) => {
    expect(issuesOf(text).join('\n')).toContain(expected);
  });

  test.each<[string, string, string]>([
    [
      'a bad endpoint (refused by the cluster model)',
      `clusters:\n${CLUSTER('a').replace(/endpoint: .*/, 'endpoint: ftp://x')}${CLUSTER('b')}`,
      'fleet.yaml:2:5: clusters[0]: arn:aws:eks:eu-west-1:012345678901:cluster/a: endpoint "ftp://x" is not an http(s) URL',
    ],
    [
      'a reserved tag the generator cannot use',
      `clusters:\n${CLUSTER('a', '    tags: { argocd-eks-plugins/upgrade-weight: 50% }\n')}${CLUSTER('b')}`,
      'fleet.yaml:2:5: clusters[0]: arn:aws:eks:eu-west-1:012345678901:cluster/a: tag argocd-eks-plugins/upgrade-weight must be an integer 0-100, got "50%"',
    ],
    [
      'duplicate fleet names',
      `clusters:\n${CLUSTER('a')}${CLUSTER('b', '    tags: { argocd-eks-plugins/name: a }\n')}`,
      'duplicate cluster name "a" at fleet.yaml:2:5: clusters[0], fleet.yaml:7:5: clusters[1]',
    ],
  ])(
    '%s is a warning with file:line:col (the registry quarantines that cluster); the file still loads',
    (_case, text, expected) => {
      const r = parseFleetYaml(text, 'fleet.yaml');
      if (!('fleet' in r)) throw new Error(`expected a fleet: ${r.issues.join('; ')}`);
      expect(r.fleet.records).toHaveLength(2);
      expect(r.warnings?.join('\n')).toContain(expected);
    },
  );

  test('every problem is reported at once', () => {
    const text = `clusters:\n  - clusterName: a\n    accountId: 1\n    version: 1.30\n    endpoint: https://x.example.com\n    bogus: 1\n`;
    expect(issuesOf(text)).toHaveLength(4);
  });

  test('addonDefaults are read per minor version', () => {
    const r = parseFleetYaml(
      `clusters:\n${CLUSTER('a')}addonDefaults:\n  "1.30":\n    vpc-cni: v1.18.3-eksbuild.1\n`,
      'f',
    );
    expect('fleet' in r && r.fleet.addonDefaults).toEqual({
      '1.30': { 'vpc-cni': 'v1.18.3-eksbuild.1' },
    });
  });
});

describe('fileSource', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fleet-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const ctx = { signal: new AbortController().signal, log: silentLogger };

  test('loads the file into one part file:<path>', async () => {
    const file = path.join(dir, 'fleet.yaml');
    writeFileSync(file, `clusters:\n${CLUSTER('a')}`);
    const src = fileSource({ path: file, log: silentLogger, now: () => 42 });
    const load = await src.load(ctx);
    expect(load.records.map((r) => r.clusterName)).toEqual(['a']);
    expect(load.parts).toEqual([{ id: `file:${file}`, lastSuccessAt: 42, lastError: undefined }]);
  });

  test('a broken file keeps the last good fleet, reports the error on the part, and logs why', async () => {
    const file = path.join(dir, 'fleet.yaml');
    const logs: string[] = [];
    writeFileSync(file, `clusters:\n${CLUSTER('a')}`);
    let clock = 1;
    const src = fileSource({
      path: file,
      log: createJsonLogger({ write: (l: string) => logs.push(l) }),
      now: () => clock,
    });
    await src.load(ctx);
    clock = 2;
    writeFileSync(file, `clusters:\n  - clusterName: [broken\n`);
    const load = await src.load(ctx);
    expect(load.records.map((r) => r.clusterName)).toEqual(['a']);
    expect(load.parts[0]?.lastSuccessAt).toBe(1);
    expect(load.parts[0]?.lastError).toContain(`${file}:3:1:`);
    expect(logs.join('')).toContain('keeping the last good fleet');
  });

  test('an unchanged broken file is a failure on every re-read: the part keeps its error and each read logs it', async () => {
    const file = path.join(dir, 'fleet.yaml');
    const logs: string[] = [];
    writeFileSync(file, `clusters:\n${CLUSTER('a')}`);
    const src = fileSource({
      path: file,
      log: createJsonLogger({ write: (l: string) => logs.push(l) }),
      now: () => 1,
    });
    const good = await src.load(ctx);
    writeFileSync(file, `clusters:\n  - clusterName: [broken\n`);
    for (let i = 0; i < 3; i++) {
      const load = await src.load(ctx);
      expect(load.records).toBe(good.records);
      expect(load.parts[0]?.lastError).toContain(`${file}:3:1:`);
    }
    expect(logs.filter((l) => l.includes('keeping the last good fleet'))).toHaveLength(3);
  });

  test('a cluster with a bad reserved tag does not hold back the file: it loads, with a warning naming the line', async () => {
    const file = path.join(dir, 'fleet.yaml');
    const logs: string[] = [];
    writeFileSync(
      file,
      `clusters:\n${CLUSTER('a', '    tags: { argocd-eks-plugins/upgrade-color: purple }\n')}${CLUSTER('b')}`,
    );
    const src = fileSource({
      path: file,
      log: createJsonLogger({ write: (l: string) => logs.push(l) }),
    });
    const load = await src.load(ctx);
    expect(load.records.map((r) => r.clusterName)).toEqual(['a', 'b']);
    expect(load.parts[0]?.lastError).toBeUndefined();
    expect(logs.join('')).toContain('fleet file has clusters the registry quarantines');
    expect(logs.join('')).toContain(`${file}:2:5: clusters[0]`);
    await src.load(ctx); // unchanged: not warned again
    expect(logs.filter((l) => l.includes('quarantines'))).toHaveLength(1);
  });

  test('an unchanged file answers with the same fleet (same records array) and a fresh success time', async () => {
    const file = path.join(dir, 'fleet.yaml');
    writeFileSync(file, `clusters:\n${CLUSTER('a')}`);
    let clock = 1;
    const src = fileSource({ path: file, log: silentLogger, now: () => clock });
    const first = await src.load(ctx);
    clock = 2;
    const again = await src.load(ctx);
    expect(again.records).toBe(first.records);
    expect(again.addonDefaults).toBe(first.addonDefaults);
    expect(again.parts[0]?.lastSuccessAt).toBe(2);

    writeFileSync(file, `clusters:\n${CLUSTER('a')}${CLUSTER('b')}`);
    const changed = await src.load(ctx);
    expect(changed.records).not.toBe(first.records);
    expect(changed.records.map((r) => r.clusterName)).toEqual(['a', 'b']);
  });

  test('restoring the last good bytes after a broken file clears the error', async () => {
    const file = path.join(dir, 'fleet.yaml');
    const good = `clusters:\n${CLUSTER('a')}`;
    const logs: string[] = [];
    writeFileSync(file, good);
    let clock = 1;
    const src = fileSource({
      path: file,
      log: createJsonLogger({ write: (l: string) => logs.push(l) }),
      now: () => clock,
    });
    const first = await src.load(ctx);
    clock = 2;
    writeFileSync(file, `clusters:\n  - clusterName: [broken\n`);
    expect((await src.load(ctx)).parts[0]?.lastError).toBeDefined();
    clock = 3;
    writeFileSync(file, good);
    const restored = await src.load(ctx);
    expect(restored.records).toBe(first.records);
    expect(restored.parts).toEqual([
      { id: `file:${file}`, lastSuccessAt: 3, lastError: undefined },
    ]);
    expect(logs.join('')).toContain('fleet file is valid again');
  });

  test('the first load of a broken or missing file rejects (never an empty fleet)', async () => {
    const src = fileSource({ path: path.join(dir, 'missing.yaml'), log: silentLogger });
    await expect(src.load(ctx)).rejects.toBeInstanceOf(SourceUnavailableError);
    await expect(src.load(ctx)).rejects.toThrow('cannot read the fleet file');
  });

  test('watch notices a ConfigMap-style ..data symlink swap, and load reads the new content', async () => {
    // Kubernetes layout: fleet.yaml -> ..data/fleet.yaml, ..data -> ..<timestamp>/
    mkdirSync(path.join(dir, '..v1'));
    writeFileSync(path.join(dir, '..v1', 'fleet.yaml'), `clusters:\n${CLUSTER('a')}`);
    symlinkSync('..v1', path.join(dir, '..data'));
    symlinkSync('..data/fleet.yaml', path.join(dir, 'fleet.yaml'));
    const src = fileSource({
      path: path.join(dir, 'fleet.yaml'),
      log: silentLogger,
      pollIntervalMs: 50,
    });
    expect((await src.load(ctx)).records.map((r) => r.clusterName)).toEqual(['a']);

    const changed = new Promise<void>((resolve) => {
      const stop = src.watch?.(() => {
        stop?.();
        resolve();
      });
    });
    mkdirSync(path.join(dir, '..v2'));
    writeFileSync(
      path.join(dir, '..v2', 'fleet.yaml'),
      `clusters:\n${CLUSTER('a')}${CLUSTER('b')}`,
    );
    symlinkSync('..v2', path.join(dir, '..data_tmp'));
    renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    await changed;
    expect((await src.load(ctx)).records.map((r) => r.clusterName)).toEqual(['a', 'b']);
  });

  test('watch notices an in-place rewrite', async () => {
    const file = path.join(dir, 'fleet.yaml');
    writeFileSync(file, `clusters:\n${CLUSTER('a')}`);
    const src = fileSource({ path: file, log: silentLogger, pollIntervalMs: 50 });
    const changed = new Promise<void>((resolve) => {
      const stop = src.watch?.(() => {
        stop?.();
        resolve();
      });
    });
    writeFileSync(file, `clusters:\n${CLUSTER('a')}${CLUSTER('c')}`);
    await changed;
    expect((await src.load(ctx)).records.map((r) => r.clusterName)).toEqual(['a', 'c']);
  });
});
