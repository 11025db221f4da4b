/**
 * dist/eks-overlay.cjs turns on Node's compile cache before loading the CLI bundle. The cache is an optimisation
 * only: whatever state it is in (absent, filled, unusable, not ours, turned off) the render's stdout, stderr and
 * exit code are those of a run without it.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { common } from '../build-options.cjs';
import { SecretsManagerFake } from '../test/fakes/aws-secrets-manager/server';
import { bundleSources, type SourceBundles } from '../test/helpers/bundle';
import { CACHE_DIR_ENV, CODE_CACHE_ENV, cacheDirFor } from './compile-cache';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildEksOverlay } = require('./build-launcher.cjs') as {
  buildEksOverlay: (outdir: string, common: object) => Promise<unknown>;
};

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'eks-overlay-compile-cache-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('cacheDirFor', () => {
  test('is off with EKS_OVERLAY_CODE_CACHE=off', () => {
    expect(cacheDirFor({ [CODE_CACHE_ENV]: 'off', [CACHE_DIR_ENV]: tmp })).toBeUndefined();
  });

  test('is EKS_OVERLAY_CACHE_DIR when set, else a per-user directory under the temporary directory', () => {
    expect(cacheDirFor({ [CACHE_DIR_ENV]: tmp })).toBe(tmp);
    const dflt = cacheDirFor({})!;
    expect(path.dirname(dflt)).toBe(os.tmpdir());
    expect(path.basename(dflt)).toMatch(/^eks-overlay-cache-/);
  });
});

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('dist/eks-overlay.cjs', () => {
  let bundles: SourceBundles | undefined;
  let dist: string;
  beforeAll(async () => {
    // dist/ as build.mjs lays it out: the AWS provider bundle, eks-overlay.cjs and the CLI bundle it loads.
    bundles = await bundleSources(['secret-provider-aws'], 'eks-overlay-entry-dist-');
    dist = bundles.dir;
    await buildEksOverlay(dist, { ...common, logLevel: 'silent' });
  }, 120_000);
  afterAll(() => bundles?.remove());

  function app(): string {
    const dir = path.join(tmp, 'app');
    mkdirSync(path.join(dir, 'base'), { recursive: true });
    writeFileSync(path.join(dir, 'eks-overlay.yaml'), 'layers:\n  - base\n');
    writeFileSync(
      path.join(dir, 'base', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  region: "{{cluster.aws.region}}"\n',
    );
    return dir;
  }

  function generate(cwd: string, env: Record<string, string>) {
    const r = spawnSync(process.execPath, [path.join(dist, 'eks-overlay.cjs'), 'generate'], {
      cwd,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: tmp,
        ARGOCD_APP_NAME: 'app',
        ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify({ aws: { region: 'eu-west-1' } }),
        EKS_OVERLAY_LOG_LEVEL: 'debug',
        ...env,
      },
      encoding: 'utf8',
    });
    const [first, ...rest] = r.stderr.split('\n');
    return {
      code: r.status,
      stdout: r.stdout,
      cache: /code cache (\w+)/.exec(first ?? '')?.[1],
      stderr: rest.join('\n'),
    };
  }

  test('off, then on: the cache fills on the first run and the render is the same every time', () => {
    const cwd = app();
    const cacheDir = path.join(tmp, 'cache');
    const env = { [CACHE_DIR_ENV]: cacheDir };
    const off = generate(cwd, { [CODE_CACHE_ENV]: 'off' });
    expect(off).toMatchObject({ code: 0, cache: 'off' });
    expect(off.stdout).toMatch(/region: eu-west-1/);
    expect(existsSync(cacheDir)).toBe(false);

    expect(generate(cwd, env)).toEqual({ ...off, cache: 'on' });
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    const cached = filesUnder(cacheDir);
    expect(cached.length).toBeGreaterThan(0);
    expect(generate(cwd, env)).toEqual({ ...off, cache: 'on' });
    expect(filesUnder(cacheDir)).toEqual(cached);
  });

  test('an unusable cache directory changes nothing', () => {
    const cwd = app();
    const off = generate(cwd, { [CODE_CACHE_ENV]: 'off' });
    const notADir = path.join(tmp, 'not-a-dir');
    writeFileSync(notADir, 'x');
    expect(generate(cwd, { [CACHE_DIR_ENV]: notADir })).toEqual({ ...off, cache: 'unusable' });
    expect(readFileSync(notADir, 'utf8')).toBe('x');
  });

  test('a cache directory others can write to is not used (a code cache is code)', () => {
    const cwd = app();
    const off = generate(cwd, { [CODE_CACHE_ENV]: 'off' });
    const shared = path.join(tmp, 'world-writable');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(generate(cwd, { [CACHE_DIR_ENV]: shared })).toEqual({ ...off, cache: 'unusable' });
    expect(filesUnder(shared)).toEqual([]);
  });

  test('a failed render fails exactly as without the cache', () => {
    const cwd = app();
    const cacheDir = path.join(tmp, 'cache');
    const env = { ARGOCD_ENV_CLUSTER_CONTEXT: '{}' };
    const off = generate(cwd, { ...env, [CODE_CACHE_ENV]: 'off' });
    expect(off.code).toBe(1);
    expect(off.stdout).toBe('');
    expect(generate(cwd, { ...env, [CACHE_DIR_ENV]: cacheDir })).toEqual({ ...off, cache: 'on' });
  });

  test('inline secrets: the AWS provider bundle is cached too, and no cache holds a secret value', async () => {
    const fake = new SecretsManagerFake('111122223333', 'eu-west-1');
    await fake.start();
    try {
      fake.addSecret('prod/db', { password: 'pw-compile-cache' });
      const cwd = app();
      const plainDir = path.join(tmp, 'plain');
      expect(generate(cwd, { [CACHE_DIR_ENV]: plainDir }).code).toBe(0);
      writeFileSync(
        path.join(cwd, 'eks-overlay.yaml'),
        'layers:\n  - base\nsecrets:\n  mode: inline\n',
      );
      writeFileSync(
        path.join(cwd, 'base', 'secret.yaml'),
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: <path:prod/db#password>\n',
      );
      const cacheDir = path.join(tmp, 'cache');
      const env = {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key',
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      const run = (extra: Record<string, string>) =>
        new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
          const child = spawn(process.execPath, [path.join(dist, 'eks-overlay.cjs'), 'generate'], {
            cwd,
            env: {
              PATH: process.env['PATH'] ?? '',
              HOME: tmp,
              ARGOCD_APP_NAME: 'app',
              ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify({ aws: { region: 'eu-west-1' } }),
              ...env,
              ...extra,
            },
          });
          let stdout = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stdout }));
        });
      const off = await run({ [CODE_CACHE_ENV]: 'off' });
      expect(off.code).toBe(0);
      expect(off.stdout).toMatch(/password: pw-compile-cache/);
      expect(await run({ [CACHE_DIR_ENV]: cacheDir })).toEqual(off);
      // One entry more than a render that never loads the provider: the provider bundle's.
      expect(filesUnder(cacheDir).length).toBe(filesUnder(plainDir).length + 1);
      // A code cache holds compiled code from the bundles' sources, never a value seen at run time.
      for (const f of filesUnder(cacheDir)) {
        const bytes = readFileSync(path.join(cacheDir, f));
        expect(bytes.includes('pw-compile-cache')).toBe(false);
        expect(bytes.includes(Buffer.from('pw-compile-cache', 'utf16le'))).toBe(false);
      }
      expect(await run({ [CACHE_DIR_ENV]: cacheDir })).toEqual(off);
    } finally {
      await fake.stop();
    }
  }, 60_000);
});
