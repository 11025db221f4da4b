/**
 * A source path or a symlink leading out of the repository (Argo CD refuses both): the preview shows the Application
 * as an error naming the path or file and reads nothing outside the checkout, so a secret planted beside the
 * repository appears nowhere in the report (JSON or markdown) or on stderr.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { run } from '../../cmp-sidecar/cli';
import type { AppEntry, PreviewReport } from '../../cmp-sidecar/preview/model';
import { REPO_URL, buildFixtureRepo } from './fixture';
import type { FixtureRepo } from './fixture';

const SECRET = 'PLANTED-c0ffee-secret';

let repo: FixtureRepo;

const listAppSet = (
  name: string,
  elements: readonly [string, string][],
  plugin = '',
) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: ${name}
  namespace: argocd
spec:
  goTemplate: true
  generators:
    - list:
        elements:
${elements.map(([app, p]) => `          - { name: ${app}, path: '${p}' }`).join('\n')}
  template:
    metadata:
      name: '{{ .name }}'
    spec:
      project: default
      source:
        repoURL: ${REPO_URL}
        targetRevision: main
        path: '{{ .path }}'${plugin}
      destination:
        name: in-cluster
        namespace: escape
`;

const secretYaml = `apiVersion: v1
kind: Secret
metadata:
  name: planted
  namespace: escape
stringData:
  password: ${SECRET}
`;

beforeAll(() => {
  repo = buildFixtureRepo();
  // Beside the repository (the fixture's top directory): what no render may read.
  const outside = path.join(path.dirname(repo.dir), 'outside');
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret.yaml'), secretYaml);
  // A YAML error message quotes the offending line: this file must not even be parsed.
  writeFileSync(path.join(outside, 'broken.yaml'), `token: ${SECRET}: [\n`);
  const kust = path.join(path.dirname(repo.dir), 'kust');
  mkdirSync(kust);
  writeFileSync(path.join(kust, 'secret.yaml'), secretYaml);
  writeFileSync(path.join(kust, 'kustomization.yaml'), 'resources:\n  - secret.yaml\n');

  const inRepo = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(repo.dir, rel)), { recursive: true });
    writeFileSync(path.join(repo.dir, rel), text);
  };
  inRepo(
    'apps/leak/ok.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: escape\n',
  );
  symlinkSync(path.join(outside, 'secret.yaml'), path.join(repo.dir, 'apps/leak/z-link.yaml'));
  mkdirSync(path.join(repo.dir, 'apps/leak-broken'));
  symlinkSync(path.join(outside, 'broken.yaml'), path.join(repo.dir, 'apps/leak-broken/bad.yaml'));
  symlinkSync(outside, path.join(repo.dir, 'apps/outside'));
  inRepo('apps/kust-link/kustomization.yaml', 'resources:\n  - secret.yaml\n');
  symlinkSync(path.join(outside, 'secret.yaml'), path.join(repo.dir, 'apps/kust-link/secret.yaml'));
  inRepo(
    'fleet/escape.yaml',
    listAppSet('escape', [
      ['up-three', '../../..'],
      ['up-dir', '../outside'],
      ['up-kustomize', '../kust'],
      ['linked-dir', 'apps/outside'],
      ['linked-file', 'apps/leak'],
      ['linked-broken', 'apps/leak-broken'],
      ['kustomize-linked-file', 'apps/kust-link'],
    ]),
  );
  inRepo(
    'fleet/escape-plugin.yaml',
    listAppSet(
      'escape-plugin',
      [['up-plugin', '../outside']],
      '\n        plugin:\n          name: eks-overlay-v1',
    ),
  );
});

afterAll(() => repo.cleanup());

async function preview(format: 'json' | 'markdown') {
  let stdout = '';
  let stderr = '';
  const code = await run(
    [
      'preview',
      '--base',
      'head',
      '--fleet',
      repo.fleetFile,
      '--format',
      format,
      '--appsets',
      'fleet/escape*.yaml',
    ],
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
      cwd: repo.dir,
    },
  );
  return { code, stdout, stderr };
}

describe('sources leaving the repository', () => {
  let apps: Map<string, AppEntry>;
  let json: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    json = await preview('json');
    const report = JSON.parse(json.stdout) as PreviewReport;
    apps = new Map(report.applications.map((a): [string, AppEntry] => [a.name, a]));
  });

  test('a source path out of the checkout is an error naming the path, whatever renders it', () => {
    expect(json.code).toBe(1);
    for (const [name, p] of <const>[
      ['up-three', '../../..'],
      ['up-dir', '../outside'],
      ['up-kustomize', '../kust'],
      ['up-plugin', '../outside'],
    ]) {
      expect(apps.get(name)).toMatchObject({
        status: 'error',
        error: `source path ${p} leaves the repository`,
      });
    }
  });

  test('a source path through a symlink to a directory outside is refused the same way', () => {
    expect(apps.get('linked-dir')).toMatchObject({
      status: 'error',
      error: 'source path apps/outside leaves the repository',
    });
  });

  test('a directory holding a symlink to a file outside is an error naming the file, never its contents', () => {
    expect(apps.get('linked-file')).toMatchObject({
      status: 'error',
      error: 'apps/leak/z-link.yaml: symlink leaves the repository',
    });
    expect(apps.get('linked-broken')).toMatchObject({
      status: 'error',
      error: 'apps/leak-broken/bad.yaml: symlink leaves the repository',
    });
  });

  test('kustomize, at its default load restrictor, refuses a symlinked file from outside its root', () => {
    const entry = apps.get('kustomize-linked-file');
    expect(entry?.status).toBe('error');
    expect(entry?.error).toMatch(/apps\/kust-link\/secret\.yaml' is not in or below/);
  });

  test('the planted secret appears nowhere: JSON report, markdown report, stderr', async () => {
    const markdown = await preview('markdown');
    expect(markdown.code).toBe(1);
    for (const text of [json.stdout, json.stderr, markdown.stdout, markdown.stderr]) {
      expect(text).not.toContain(SECRET);
    }
    expect(markdown.stdout).toContain('source path ../outside leaves the repository');
  });
});
