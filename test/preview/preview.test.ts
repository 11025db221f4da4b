/**
 * `eks-overlay preview` against a fleet repository built here (git init, two commits: test/preview/fixture.ts),
 * in process through `run`, as CI runs it: every status, grouping, skipping by input hash, removal, a failing
 * render, unsupported sources, inline secrets by reference, the generator-url mode against the real generator over
 * HTTP, bad input, and the markdown as a golden file (rewritten only with UPDATE_GOLDEN=1).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cmp-sidecar/cli';
import type { AppEntry, PreviewReport } from '../../cmp-sidecar/preview/model';
import { parseFleetYaml } from '../../plugins/cluster-sources/fleet-yaml';
import { expectMatchesGolden } from '../cmp/golden';
import { startGenerator } from '../helpers/generator';
import type { StartedGenerator } from '../helpers/generator';
import { FLEET_YAML, REPO_URL, buildFixtureRepo } from './fixture';
import type { FixtureRepo } from './fixture';

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let repo: FixtureRepo;
let tmp: string;
const savedTmp = process.env['TMPDIR'];

beforeAll(() => {
  repo = buildFixtureRepo();
  // The preview's checkouts go here, so the test can see that none is left behind.
  tmp = mkdtempSync(path.join(tmpdir(), 'preview-tmp-'));
  process.env['TMPDIR'] = tmp;
});

afterAll(() => {
  if (savedTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = savedTmp;
  rmSync(tmp, { recursive: true, force: true });
  repo.cleanup();
});

async function preview(args: readonly string[], cwd = repo.dir): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const code = await run(['preview', ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd,
  });
  return { code, stdout, stderr };
}

const byName = (report: PreviewReport) =>
  new Map(report.applications.map((a): [string, AppEntry] => [`${a.applicationSet}/${a.name}`, a]));

describe('--fleet: base against head of the fixture repository', () => {
  let ran: Ran;
  let report: PreviewReport;
  let apps: Map<string, AppEntry>;

  beforeAll(async () => {
    ran = await preview([
      '--base',
      'base',
      '--head',
      'head',
      '--fleet',
      repo.fleetFile,
      '--format',
      'json',
    ]);
    report = JSON.parse(ran.stdout) as PreviewReport;
    apps = byName(report);
  });

  test('a failed render makes the exit 1, with the report on stdout', () => {
    expect(ran.code).toBe(1);
    expect(report.summary.applications).toEqual({
      added: 2,
      removed: 1,
      changed: 3,
      unchanged: 3,
      error: 2,
      notPreviewed: 2,
    });
  });

  test('an Application whose ApplicationSet is gone is removed (what Argo CD would delete)', () => {
    expect(apps.get('legacy/legacy-dev-euw1')).toMatchObject({
      status: 'removed',
      cluster: 'dev-euw1',
    });
  });

  test('a failing render is an error with eks-overlay message (file:line) and the cluster', () => {
    const e = apps.get('web/web-dev-euw1');
    expect(e).toMatchObject({ status: 'error', cluster: 'dev-euw1' });
    expect(e?.error).toContain(
      'envs/dev/config.yaml:7: unknown variable cluster.metadata.labels.loglevel',
    );
  });

  test('a template function outside the emulation is an error naming the ApplicationSet, field and function', () => {
    const e = apps.get('odd/(ApplicationSet)');
    expect(e?.status).toBe('error');
    expect(e?.error).toContain(
      'fleet/odd.yaml (head): not previewable: ApplicationSet "odd": spec.template: metadata.name',
    );
    expect(e?.error).toContain('function "toYaml" is not supported');
  });

  test('the same change on two clusters is one diff group, shown once with both clusters', () => {
    const a = apps.get('web/web-prod-euw1');
    const b = apps.get('web/web-prod-use1');
    expect(a?.status).toBe('changed');
    expect(b?.diffGroup).toBe(a?.diffGroup);
    const group = report.diffGroups.find((g) => g.id === a?.diffGroup);
    expect(group).toMatchObject({ count: 2, clusters: ['prod-euw1', 'prod-use1'] });
    expect(group?.diff).toContain('~~~ apps/Deployment/web/web\n');
    expect(group?.diff).toContain('-  replicas: 3\n+  replicas: 5\n');
  });

  test('Applications whose inputs hash the same at base and head are unchanged without rendering (a layer they do not read changed)', () => {
    expect(apps.get('worker/worker-prod-euw1')).toMatchObject({
      status: 'unchanged',
      skipped: true,
    });
    expect(apps.get('worker/worker-prod-use1')).toMatchObject({
      status: 'unchanged',
      skipped: true,
    });
    expect(report.summary.renders.skipped).toBe(2);
  });

  test('kustomize renders through kubectl and compares equal; a plain directory change is a diff', () => {
    expect(apps.get('extras/kust')).toMatchObject({ status: 'unchanged' });
    const plain = apps.get('extras/plain');
    expect(plain?.status).toBe('changed');
    expect(report.diffGroups.find((g) => g.id === plain?.diffGroup)?.diff).toContain(
      '-  mode: one\n+  mode: two\n',
    );
  });

  test('a new list element is an added Application, rendered', () => {
    const fresh = apps.get('extras/fresh');
    expect(fresh?.status).toBe('added');
    expect(report.diffGroups.find((g) => g.id === fresh?.diffGroup)?.diff).toContain(
      '+++ added core/ConfigMap/extras/fresh',
    );
  });

  test('other sources are listed as not previewed, with the reason', () => {
    expect(apps.get('extras/chart')).toMatchObject({
      status: 'notPreviewed',
      reason: 'Helm source',
    });
    expect(apps.get('extras/elsewhere')).toMatchObject({
      status: 'notPreviewed',
      reason: 'other repository: https://git.example.com/other/repo.git',
    });
  });

  test('inline secrets are previewed by reference (secret id and key), never fetched', () => {
    const vault = apps.get('vault/vault-dev-euw1');
    expect(vault?.status).toBe('added');
    const diff = report.diffGroups.find((g) => g.id === vault?.diffGroup)?.diff ?? '';
    expect(diff).toContain('+  password: <path:prod/db#password>');
  });

  test('no temporary checkout is left behind', () => {
    expect(readdirSync(tmp).filter((n) => n.startsWith('eks-overlay-preview-'))).toEqual([]);
  });
});

test('the markdown comment matches the golden file', async () => {
  const ran = await preview(['--base', 'base', '--head', 'head', '--fleet', repo.fleetFile]);
  expect(ran.code).toBe(1);
  expectMatchesGolden(ran.stdout, path.join(__dirname, '..', 'golden', 'preview', 'fixture.md'));
});

test('without --head the working tree is the head, uncommitted changes included', async () => {
  const file = path.join(repo.dir, 'apps', 'plain', 'cm.yaml');
  const committed = readFileSync(file, 'utf8');
  writeFileSync(file, committed.replace('mode: two', 'mode: three'));
  try {
    const ran = await preview(['--base', 'head', '--fleet', repo.fleetFile, '--format', 'json']);
    const report = JSON.parse(ran.stdout) as PreviewReport;
    expect(report.summary.head).toBe('working tree');
    expect(byName(report).get('extras/plain')?.status).toBe('changed');
    expect(report.summary.applications.changed).toBe(1);
    // Same inputs at both sides: the failing web render of head is skipped, so nothing fails.
    expect(report.summary.applications.error).toBe(1); // the odd ApplicationSet is still unsupported
  } finally {
    writeFileSync(file, committed);
  }
});

describe('--generator-url: the running generator, over HTTP, as Argo CD calls it', () => {
  let gen: StartedGenerator;
  let tokenFile: string;

  beforeAll(async () => {
    const parsed = parseFleetYaml(FLEET_YAML, 'fleet.yaml');
    if (!('fleet' in parsed)) throw new Error('fixture fleet is invalid');
    gen = await startGenerator({ records: [...parsed.fleet.records] });
    tokenFile = path.join(tmp, '..', `token-${process.pid}`);
    mkdirSync(path.dirname(tokenFile), { recursive: true });
    writeFileSync(tokenFile, `${gen.token}\n`);
  });

  afterAll(async () => {
    await gen.close();
    rmSync(tokenFile, { force: true });
  });

  test('gives the same Applications and statuses as the fleet file', async () => {
    const viaUrl = await preview([
      '--base',
      'base',
      '--head',
      'head',
      '--generator-url',
      gen.url,
      '--generator-token-file',
      tokenFile,
      '--format',
      'json',
    ]);
    const viaFile = await preview([
      '--base',
      'base',
      '--head',
      'head',
      '--fleet',
      repo.fleetFile,
      '--format',
      'json',
    ]);
    const statuses = (r: Ran) =>
      (JSON.parse(r.stdout) as PreviewReport).applications.map((a) => [
        a.name,
        a.cluster,
        a.status,
      ]);
    expect(viaUrl.code).toBe(1);
    expect(statuses(viaUrl)).toEqual(statuses(viaFile));
  });

  test('a generator answering non-2xx fails the preview (never "no clusters"), naming the ApplicationSet', async () => {
    const wrong = path.join(tmp, '..', `wrong-token-${process.pid}`);
    writeFileSync(wrong, 'not-the-token');
    try {
      const ran = await preview([
        '--base',
        'base',
        '--head',
        'head',
        '--generator-url',
        gen.url,
        '--generator-token-file',
        wrong,
      ]);
      expect(ran.code).toBe(1);
      expect(ran.stdout).toBe('');
      expect(ran.stderr).toMatch(
        /ApplicationSet \w+ \(fleet\/\w+\.yaml, base\): the fleet source failed: .*HTTP 403; Argo CD would report: .*invalid bearer token/,
      );
      expect(ran.stderr).not.toContain('not-the-token');
    } finally {
      rmSync(wrong, { force: true });
    }
  });

  test('the native clusters generator is previewed from the fleet file, and refused (naming it) with the URL', async () => {
    const file = path.join(repo.dir, 'fleet', 'native.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: ApplicationSet',
        'metadata: { name: native, namespace: argocd }',
        'spec:',
        '  goTemplate: true',
        '  generators: [{ clusters: { selector: { matchLabels: { env: prod } } } }]',
        '  template:',
        "    metadata: { name: 'native-{{ .name }}' }",
        '    spec:',
        '      project: default',
        `      source: { repoURL: '${REPO_URL}', path: apps/plain, targetRevision: main }`,
        "      destination: { server: '{{ .server }}', namespace: extras }",
        '',
      ].join('\n'),
    );
    try {
      const viaFile = await preview([
        '--base',
        'head',
        '--fleet',
        repo.fleetFile,
        '--format',
        'json',
      ]);
      const added = (JSON.parse(viaFile.stdout) as PreviewReport).applications
        .filter((a) => a.applicationSet === 'native')
        .map((a) => [a.name, a.cluster, a.status]);
      expect(added).toEqual([
        ['native-prod-euw1', 'prod-euw1', 'added'],
        ['native-prod-use1', 'prod-use1', 'added'],
      ]);
      const viaUrl = await preview([
        '--base',
        'head',
        '--generator-url',
        gen.url,
        '--generator-token-file',
        tokenFile,
        '--format',
        'json',
      ]);
      const refused = (JSON.parse(viaUrl.stdout) as PreviewReport).applications.find(
        (a) => a.applicationSet === 'native',
      );
      expect(refused?.status).toBe('error');
      expect(refused?.error).toContain(
        "its clusters generator reads Argo CD's cluster Secrets; preview it with --fleet",
      );
    } finally {
      rmSync(file);
    }
  });

  test('a generator that is down fails the preview', async () => {
    const ran = await preview([
      '--base',
      'base',
      '--head',
      'head',
      '--generator-url',
      'http://127.0.0.1:9',
      '--generator-token-file',
      tokenFile,
    ]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain('the fleet source failed');
  });
});

describe('bad input: a clear message and a non-zero exit, nothing on stdout', () => {
  test.each([
    [['--base', 'no-such-ref', '--fleet', 'x'], 2, 'git ref "no-such-ref" does not name a commit'],
    [['--base', 'base'], 2, 'give the fleet as --fleet <file> or as --generator-url'],
    [['--head', 'head', '--fleet', 'f'], 2, '--base <git-ref> is required'],
    [['--base', 'base', '--fleet', 'f', '--format', 'html'], 2, '--format html: markdown or json'],
    [
      ['--base', 'base', '--fleet', '/nonexistent/fleet.yaml'],
      78,
      '--fleet /nonexistent/fleet.yaml: cannot read the fleet file',
    ],
  ])('%j → exit %d', async (args, code, message) => {
    const ran = await preview(args.map((a) => (a === 'x' ? repo.fleetFile : a)));
    expect(ran.code).toBe(code);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain(message);
  });
});

test('--appsets narrows the ApplicationSets previewed', async () => {
  const ran = await preview([
    '--base',
    'base',
    '--head',
    'head',
    '--fleet',
    repo.fleetFile,
    '--format',
    'json',
    '--appsets',
    'fleet/w*.yaml',
  ]);
  const report = JSON.parse(ran.stdout) as PreviewReport;
  expect([...new Set(report.applications.map((a) => a.applicationSet))].sort()).toEqual([
    'web',
    'worker',
  ]);
});

test('an ApplicationSet file that is not valid YAML is an error naming the file', async () => {
  const file = path.join(repo.dir, 'fleet', 'broken.yaml');
  writeFileSync(file, 'kind: ApplicationSet\nmetadata: {name: broken\n');
  try {
    const ran = await preview(['--base', 'head', '--fleet', repo.fleetFile, '--format', 'json']);
    expect(ran.code).toBe(1);
    const report = JSON.parse(ran.stdout) as PreviewReport;
    const entry = report.applications.find((a) => a.applicationSet === 'fleet/broken.yaml');
    expect(entry?.status).toBe('error');
    expect(entry?.error).toMatch(/^fleet\/broken\.yaml \(working tree\): /);
  } finally {
    rmSync(file);
  }
});

test("--policies: a policy slot per Application and in the summary, from the render's report", async () => {
  const policies = mkdtempSync(path.join(tmp, '..', 'policies-'));
  try {
    const ran = await preview([
      '--base',
      'base',
      '--head',
      'head',
      '--fleet',
      repo.fleetFile,
      '--format',
      'json',
      '--policies',
      policies,
    ]);
    const report = JSON.parse(ran.stdout) as PreviewReport;
    // An empty directory: the renders read it, no policy is evaluated (see preview-policies.test.ts for policies).
    expect(report.summary.policy).toBeNull();
    const web = byName(report).get('web/web-prod-euw1');
    expect(web?.policy).toBeNull();
    // Skipped by input hash, the head is still rendered once for the policies.
    expect(byName(report).get('worker/worker-prod-euw1')).toMatchObject({
      status: 'unchanged',
      skipped: true,
    });
    const without = await preview([
      '--base',
      'base',
      '--head',
      'head',
      '--fleet',
      repo.fleetFile,
      '--format',
      'json',
    ]);
    const renders = (r: string) => (JSON.parse(r) as PreviewReport).summary.renders;
    expect(renders(ran.stdout).performed).toBe(renders(without.stdout).performed + 2);
  } finally {
    rmSync(policies, { recursive: true, force: true });
  }
});

test('progress goes to stderr only when stderr is a terminal', async () => {
  const args = [
    'preview',
    '--base',
    'base',
    '--head',
    'head',
    '--fleet',
    repo.fleetFile,
    '--format',
    'json',
  ];
  let tty = '';
  await run(args, {
    stdout: { write: () => true },
    stderr: Object.assign({ write: (s: string) => (tty += s) }, { isTTY: true }),
    env: {},
    cwd: repo.dir,
  });
  expect(tty).toMatch(/\reks-overlay preview: Applications (\d+)\/\1 {2}\d+\/s {2}ETA 0s /);
  let quiet = '';
  await run(args, {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (quiet += s) },
    env: {},
    cwd: repo.dir,
  });
  expect(quiet).toBe('');
});
