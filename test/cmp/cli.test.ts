/** The CLI boundary in-process: exit codes, stdout only on success and written once, usage, render and validate. */
import { spawnSync } from 'node:child_process';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  InputError,
  RenderError,
  ConfigError,
  EmptyRenderError,
  SecretError,
} from '../../core/errors';
import { EXIT, exitCodeFor } from '../../cmp-sidecar/exit';
import { buildCliBundle } from './bundle';
import { parseLikeArgoCd, REPO_ROOT, runInProcess, tempDir, writeTree } from './helpers';

const APP = {
  'eks-overlay.yaml': 'layers: [base, "envs/{{cluster.metadata.labels.env}}"]\n',
  'base/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  region: "{{cluster.aws.region}}"\n',
  'envs/prod/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  tier: prod\n',
};
const PROD = { name: 'prod', metadata: { labels: { env: 'prod' } }, aws: { region: 'us-east-1' } };
const DEV = { name: 'dev', metadata: { labels: { env: 'dev' } }, aws: { region: 'eu-west-1' } };

let app: ReturnType<typeof tempDir>;
beforeEach(() => {
  app = tempDir('eks-overlay-cli-');
  writeTree(app.dir, APP);
});
afterEach(() => app.cleanup());

describe('eks-overlay CLI', () => {
  test('--help and --version print on stdout and exit 0', async () => {
    const help = await runInProcess(['--help'], { cwd: app.dir });
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/Usage:\n {2}eks-overlay generate/);
    expect(help.stdout).toMatch(
      /Exit codes: 0 ok, 1 render error, 2 usage, 70 internal error, 78 configuration error/,
    );
    expect(await runInProcess(['--version'], { cwd: app.dir })).toEqual({
      code: 0,
      stdout: '0.1.0\n',
      stderr: '',
    });
  });

  test.each([
    [['frobnicate']],
    [[]],
    [['render']],
    [['generate', '--context', 'x.json']],
    [['render', '.', '--cluster', 'novalue']],
    [['render', '.', '--bogus']],
    [['render', 'a', 'b']],
  ])('usage errors exit 2 with nothing on stdout: %j', async (argv) => {
    const res = await runInProcess(argv, { cwd: app.dir });
    expect(res.code).toBe(EXIT.usage);
    expect(res.stdout).toBe('');
    expect(res.stderr).not.toBe('');
  });

  test('render <dir> --context file --cluster key=value', async () => {
    writeFileSync(
      path.join(app.dir, 'prod.json'),
      JSON.stringify({ ...PROD, clusterContext: '{}' }),
    );
    const res = await runInProcess(
      ['render', '.', '--context', 'prod.json', '--cluster', 'aws.region=ap-south-1'],
      {
        cwd: app.dir,
      },
    );
    expect(res.stderr).toBe('');
    expect(parseLikeArgoCd(res.stdout)).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        data: { region: 'ap-south-1', tier: 'prod' },
      },
    ]);
  });

  test('validate renders every context and reports every problem; exit code of the first failure', async () => {
    writeFileSync(path.join(app.dir, 'fleet.json'), JSON.stringify([PROD, DEV, { name: 'bare' }]));
    const res = await runInProcess(['validate', '.', '--context', 'fleet.json'], { cwd: app.dir });
    expect(res.code).toBe(EXIT.render);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/ok {3}fleet\.json\[0\] \(prod\): 1 object\(s\)/);
    expect(res.stderr).toMatch(/ok {3}fleet\.json\[1\] \(dev\): 1 object\(s\)/);
    // Layer paths are resolved (and checked) before any file is read.
    expect(res.stderr).toMatch(
      /FAIL fleet\.json\[2\] \(bare\): eks-overlay\.yaml:1: unknown variable cluster\.metadata\.labels\.env/,
    );
    expect(res.stderr).toContain(
      'layer "envs/{{cluster.metadata.labels.env}}" (eks-overlay.yaml:1): present for 1 (fleet.json[0] (prod) → envs/prod); missing for 1 (fleet.json[1] (dev) → envs/dev)\n',
    );
    expect(res.stderr).toMatch(/2 of 3 context\(s\) rendered/);
  });

  test('validate exits 0 and reports on stdout when every context renders', async () => {
    writeFileSync(path.join(app.dir, 'a.json'), JSON.stringify(PROD));
    writeFileSync(
      path.join(app.dir, 'b.yaml'),
      'name: dev\nmetadata: {labels: {env: dev}}\naws: {region: eu-west-1}\n',
    );
    const res = await runInProcess(
      ['validate', '.', '--context', 'a.json', '--context', 'b.yaml'],
      { cwd: app.dir },
    );
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout).toMatch(/2 of 2 context\(s\) rendered/);
  });

  test('a render error exits 1, names file:line, prints nothing on stdout', async () => {
    const res = await runInProcess(['generate'], {
      cwd: app.dir,
      env: {
        ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify({ metadata: { labels: { env: 'prod' } } }),
      },
    });
    expect(res).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(
        /^eks-overlay: error: base\/cm\.yaml:6: unknown variable cluster\.aws\.region/,
      ),
    });
  });

  test('a repeated key: the last wins with a warning on stderr (as Argo CD reads it); yaml.duplicateKeys: error refuses it', async () => {
    const env = { ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify(PROD) };
    writeTree(app.dir, {
      'envs/prod/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  tier: prod\n  tier: gold\n',
    });
    const warned = await runInProcess(['generate'], { cwd: app.dir, env });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(
      /^eks-overlay: warning: envs\/prod\/cm\.yaml:7: duplicate key "tier" in one mapping; the last value wins/,
    );
    expect(parseLikeArgoCd(warned.stdout)[0]).toMatchObject({
      data: { region: 'us-east-1', tier: 'gold' },
    });

    writeTree(app.dir, {
      'eks-overlay.yaml': `${APP['eks-overlay.yaml']}yaml: {duplicateKeys: error}\n`,
    });
    const refused = await runInProcess(['generate'], { cwd: app.dir, env });
    expect(refused).toEqual({
      code: EXIT.render,
      stdout: '',
      stderr: expect.stringMatching(
        /^eks-overlay: error: envs\/prod\/cm\.yaml:7: duplicate key "tier" in one mapping \(refused/,
      ),
    });
  });

  test('a layer written without a template must exist: every missing one is named with its line (78), nothing on stdout', async () => {
    writeTree(app.dir, {
      'eks-overlay.yaml':
        'layers:\n  - bsae\n  - "envs/{{cluster.metadata.labels.env}}"\n  - shared/comon\n',
    });
    const res = await runInProcess(['generate'], {
      cwd: app.dir,
      env: { ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify(DEV) },
    });
    expect(res).toMatchObject({ code: EXIT.config, stdout: '' });
    expect(res.stderr).toMatch(
      /eks-overlay\.yaml:2: layer "bsae" does not exist \(a layer written without a template must exist/,
    );
    expect(res.stderr).toMatch(/eks-overlay\.yaml:4: layer "shared\/comon" does not exist/);
    // The templated layer resolving to envs/dev (absent) is optional: not part of the error.
    expect(res.stderr).not.toMatch(/eks-overlay\.yaml:3|envs\/dev/);
  });

  test('the parameters command refuses an eks-overlay.yaml symlinked out of the app tree (no "[]")', async () => {
    const outside = tempDir('eks-overlay-outside-');
    try {
      writeFileSync(path.join(outside.dir, 'eks-overlay.yaml'), 'layers: [base]\n');
      rmSync(path.join(app.dir, 'eks-overlay.yaml'));
      symlinkSync(
        path.join(outside.dir, 'eks-overlay.yaml'),
        path.join(app.dir, 'eks-overlay.yaml'),
      );
      for (const command of ['parameters', 'generate']) {
        const res = await runInProcess([command], { cwd: app.dir });
        expect(res).toEqual({
          code: EXIT.config,
          stdout: '',
          stderr: expect.stringMatching(
            /eks-overlay\.yaml: is a symlink that resolves outside the repository; refused/,
          ),
        });
      }
    } finally {
      outside.cleanup();
    }
  });

  describe('without a cluster context (ARGOCD_ENV_CLUSTER_CONTEXT absent)', () => {
    const lines = (stderr: string) => stderr.split('\n').filter((l) => l !== '');

    test('a template using cluster gets one error saying which variable Argo CD should set and how (78)', async () => {
      const res = await runInProcess(['generate'], { cwd: app.dir, env: {} });
      expect(res).toMatchObject({ code: EXIT.config, stdout: '' });
      expect(lines(res.stderr)).toEqual([
        'eks-overlay: error: invalid configuration:',
        expect.stringMatching(
          /^ {2}- eks-overlay\.yaml:1: the template uses cluster\.metadata\.labels\.env, but the cluster context is missing: ARGOCD_ENV_CLUSTER_CONTEXT is not set\. Argo CD sets it from the Application's plugin env entry CLUSTER_CONTEXT: in the ApplicationSet template give source\.plugin\.env: \[\{name: CLUSTER_CONTEXT, value: '\{\{ \.clusterContext \}\}'\}\]/,
        ),
      ]);
    });

    test('set but empty: said so', async () => {
      const res = await runInProcess(['generate'], {
        cwd: app.dir,
        env: { ARGOCD_ENV_CLUSTER_CONTEXT: '' },
      });
      expect(res).toMatchObject({ code: EXIT.config, stdout: '' });
      expect(res.stderr).toMatch(/ARGOCD_ENV_CLUSTER_CONTEXT is empty\./);
    });

    test('a default or #if never stands in for the missing context (it would pick the fallback for every cluster)', async () => {
      writeTree(app.dir, {
        'eks-overlay.yaml': 'layers: [base]\n',
        'base/cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  env: "{{default cluster.metadata.labels.env \'dev\'}}"\n',
      });
      const res = await runInProcess(['generate'], { cwd: app.dir, env: {} });
      expect(res).toMatchObject({ code: EXIT.config, stdout: '' });
      expect(res.stderr).toMatch(
        /base\/cm\.yaml:6: the template uses cluster\.metadata\.labels\.env, but the cluster context is missing/,
      );
    });

    test('an app whose templates do not use cluster renders; the cluster map parameter is a context', async () => {
      writeTree(app.dir, {
        'eks-overlay.yaml': 'layers: [base]\n',
        'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "{{app.name}}"\n',
      });
      const plain = await runInProcess(['generate'], {
        cwd: app.dir,
        env: { ARGOCD_APP_NAME: 'web' },
      });
      expect(plain).toMatchObject({ code: 0, stderr: '' });
      writeTree(app.dir, APP);
      const byParameter = await runInProcess(['generate'], {
        cwd: app.dir,
        env: {
          ARGOCD_APP_PARAMETERS: JSON.stringify([
            { map: { 'metadata.labels.env': 'prod', 'aws.region': 'eu-west-1' }, name: 'cluster' },
          ]),
        },
      });
      expect(byParameter).toMatchObject({ code: 0, stderr: '' });
    });
  });

  test('generate needs eks-overlay.yaml: a config error (78)', async () => {
    const other = tempDir('eks-overlay-cli-none-');
    try {
      const res = await runInProcess(['generate'], { cwd: other.dir });
      expect(res).toMatchObject({ code: EXIT.config, stdout: '' });
      expect(res.stderr).toMatch(/eks-overlay\.yaml: cannot be read \(ENOENT\)/);
    } finally {
      other.cleanup();
    }
  });

  test.each<[unknown, number]>([
    [new InputError('x'), 2],
    [new ConfigError(['x']), 78],
    [new RenderError('x'), 1],
    [new EmptyRenderError('x'), 1],
    [new SecretError('x'), 1],
    [new TypeError('bug'), 70],
    ['thrown string', 70],
  ])('exit code for %p is %i', (e, code) => {
    expect(exitCodeFor(e)).toBe(code);
  });
});

describe('the package bin and the bundle', () => {
  test('cmp-sidecar/bin.cjs (the package bin) runs the bundled CLI', () => {
    const res = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'cmp-sidecar/bin.cjs'), '--version'],
      { encoding: 'utf8' },
    );
    expect(res.status).toBe(0);
    expect(res.stdout).toBe('0.1.0\n');
  });

  test('no AWS SDK, Kubernetes client or express is reachable without a dynamic import (the default render is pure)', async () => {
    const bundle = await buildCliBundle();
    try {
      expect(bundle.eagerInputs).toContain('cmp-sidecar/render/pipeline.ts');
      const forbidden = bundle.eagerInputs.filter((i) =>
        /node_modules\/(@aws-sdk|@smithy|@kubernetes|express)\//.test(i),
      );
      expect(forbidden).toEqual([]);
      expect(bundle.inputs.some((i) => i.includes('node_modules/handlebars/'))).toBe(true);
    } finally {
      bundle.cleanup();
    }
  });
});
