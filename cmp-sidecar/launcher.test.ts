/**
 * The launcher of dist/eks-overlay.cjs compiles the embedded CLI bundle with a V8 code cache. The cache is an
 * optimisation only: whatever state it is in (absent, valid, corrupt, unwritable, not ours, turned off) the
 * render's stdout, stderr and exit code are those of a run without it.
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
import {
  CACHE_DIR_ENV,
  CODE_CACHE_ENV,
  codeCacheFor,
  launch,
  readEmbeddedSource,
} from './launcher';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildEksOverlay, embed } = require('./build-launcher.cjs') as {
  buildEksOverlay: (outdir: string, common: object) => Promise<unknown>;
  embed: (launcherJs: string, bundleJs: string, hash: string) => string;
};

const HASH = 'ab'.repeat(32);
let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'eks-overlay-launcher-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('codeCacheFor', () => {
  test('is off with EKS_OVERLAY_CODE_CACHE=off', () => {
    expect(codeCacheFor(HASH, { [CODE_CACHE_ENV]: 'off' })).toBeUndefined();
  });

  test('keys the file by bundle name, hash, Node version and architecture', () => {
    const cache = codeCacheFor(HASH, { [CACHE_DIR_ENV]: tmp })!;
    expect(path.dirname(cache.file)).toBe(tmp);
    expect(path.basename(cache.file)).toBe(
      `eks-overlay.cjs-${HASH.slice(0, 32)}-${process.version}-${process.arch}-${process.platform}.v8cache`,
    );
  });

  test("writing one removes the same bundle's caches of other hashes, not other bundles'", () => {
    const env = { [CACHE_DIR_ENV]: tmp };
    const old = codeCacheFor('cd'.repeat(32), env)!;
    const provider = codeCacheFor('ef'.repeat(32), env, 'secret-provider-aws.cjs')!;
    expect(old.write(Buffer.from('old'))).toBe(true);
    expect(provider.write(Buffer.from('provider'))).toBe(true);
    const current = codeCacheFor(HASH, env)!;
    expect(current.write(Buffer.from('new'))).toBe(true);
    expect(readdirSync(tmp).sort()).toEqual(
      [path.basename(current.file), path.basename(provider.file)].sort(),
    );
  });

  test('defaults to a per-user directory under the temporary directory', () => {
    const cache = codeCacheFor(HASH, {})!;
    expect(path.dirname(path.dirname(cache.file))).toBe(os.tmpdir());
    expect(path.basename(path.dirname(cache.file))).toMatch(/^eks-overlay-cache-/);
  });

  test('writes atomically into a private directory and reads back', () => {
    const dir = path.join(tmp, 'cache');
    const cache = codeCacheFor(HASH, { [CACHE_DIR_ENV]: dir })!;
    expect(cache.read()).toBeUndefined();
    expect(cache.write(Buffer.from('compiled'))).toBe(true);
    expect(cache.read()?.toString()).toBe('compiled');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(cache.file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([path.basename(cache.file)]);
  });

  test('ignores a directory or file others may write (a cache is code)', () => {
    const dir = path.join(tmp, 'cache');
    const cache = codeCacheFor(HASH, { [CACHE_DIR_ENV]: dir })!;
    expect(cache.write(Buffer.from('compiled'))).toBe(true);
    chmodSync(cache.file, 0o666);
    expect(cache.read()).toBeUndefined();
    chmodSync(cache.file, 0o600);
    chmodSync(dir, 0o777);
    expect(cache.read()).toBeUndefined();
    expect(cache.write(Buffer.from('other'))).toBe(false);
  });

  test('a write that cannot happen reports false and throws nothing', () => {
    const notADir = path.join(tmp, 'file');
    writeFileSync(notADir, 'x');
    const cache = codeCacheFor(HASH, { [CACHE_DIR_ENV]: notADir })!;
    expect(cache.read()).toBeUndefined();
    expect(cache.write(Buffer.from('compiled'))).toBe(false);
    const missingParent = codeCacheFor(HASH, { [CACHE_DIR_ENV]: path.join(tmp, 'a', 'b') })!;
    expect(missingParent.write(Buffer.from('compiled'))).toBe(false);
  });
});

describe('embedding (build-launcher.cjs) and readEmbeddedSource', () => {
  test('give back the bundle exactly, whatever its lines hold', () => {
    const source =
      '"use strict";\nconst t = `a\n*/ // b\n\n`;\nconst r = /µs|ms/;\n//# sourceMappingURL=x.map\n';
    const file = path.join(tmp, 'eks-overlay.cjs');
    writeFileSync(file, embed('/* launcher */', source, HASH));
    expect(readEmbeddedSource(file)).toBe(source);
  });

  test.each(['a\r\nb', 'a\u2028b', 'a\u2029b'])(
    'refuse a line end other than \\n: %j',
    (source) => {
      expect(() => embed('', source, HASH)).toThrow(/line ends otherwise/);
    },
  );
});

describe('launch', () => {
  test('runs the bundle as the host module, with its require, __filename and __dirname', () => {
    const host = {
      module: { exports: {} as Record<string, unknown> },
      require: (id: string) => `required ${id}`,
      filename: path.join(tmp, 'eks-overlay.cjs'),
    };
    const outcome = launch(
      {
        source:
          "'use strict'; module.exports.seen = [require('x'), __filename, __dirname, this === exports];",
        hash: HASH,
      },
      host,
      { [CODE_CACHE_ENV]: 'off' },
      ['--version'],
    );
    expect(outcome).toBe('off');
    expect(host.module.exports['seen']).toEqual(['required x', host.filename, tmp, true]);
  });
});

describe('dist/eks-overlay.cjs with its code cache (built as build.mjs does)', () => {
  let bundles: SourceBundles | undefined;
  let dist: string;
  beforeAll(async () => {
    // dist/ as build.mjs lays it out: the AWS provider bundle, and beside it eks-overlay.cjs in its launcher.
    bundles = await bundleSources(['secret-provider-aws'], 'eks-overlay-launcher-dist-');
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

  test('miss, then hit, then a corrupt file is rejected and rewritten: the same render every time', () => {
    const cwd = app();
    const cacheDir = path.join(tmp, 'cache');
    const env = { [CACHE_DIR_ENV]: cacheDir };
    const off = generate(cwd, { [CODE_CACHE_ENV]: 'off' });
    expect(off).toMatchObject({ code: 0, cache: 'off' });
    expect(off.stdout).toMatch(/region: eu-west-1/);
    expect(existsSync(cacheDir)).toBe(false);

    const miss = generate(cwd, env);
    expect(miss).toEqual({ ...off, cache: 'miss' });
    const [file] = readdirSync(cacheDir);
    expect(file).toMatch(/\.v8cache$/);

    expect(generate(cwd, env)).toEqual({ ...off, cache: 'hit' });

    writeFileSync(path.join(cacheDir, file!), 'not a code cache');
    expect(generate(cwd, env)).toEqual({ ...off, cache: 'rejected' });
    expect(readFileSync(path.join(cacheDir, file!)).length).toBeGreaterThan(1000);
    expect(generate(cwd, env)).toEqual({ ...off, cache: 'hit' });
    expect(readdirSync(cacheDir)).toEqual([file]);
  });

  test('an unusable cache directory changes nothing', () => {
    const cwd = app();
    const off = generate(cwd, { [CODE_CACHE_ENV]: 'off' });
    const notADir = path.join(tmp, 'not-a-dir');
    writeFileSync(notADir, 'x');
    expect(generate(cwd, { [CACHE_DIR_ENV]: notADir })).toEqual({ ...off, cache: 'miss' });
    expect(readFileSync(notADir, 'utf8')).toBe('x');
  });

  test('a failed render writes no cache and fails exactly as without one', () => {
    const cwd = app();
    const cacheDir = path.join(tmp, 'cache');
    const env = { ARGOCD_ENV_CLUSTER_CONTEXT: '{}' };
    const off = generate(cwd, { ...env, [CODE_CACHE_ENV]: 'off' });
    expect(off.code).toBe(1);
    expect(off.stdout).toBe('');
    expect(generate(cwd, { ...env, [CACHE_DIR_ENV]: cacheDir })).toEqual({ ...off, cache: 'miss' });
    expect(existsSync(cacheDir)).toBe(false);
  });

  test('inline secrets: the AWS provider bundle beside the launcher gets its own code cache', async () => {
    const fake = new SecretsManagerFake('111122223333', 'eu-west-1');
    await fake.start();
    try {
      fake.addSecret('prod/db', { password: 'pw-launcher' });
      const cwd = app();
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
        new Promise<{ code: number | null; stdout: string; caches: string[] }>(
          (resolve, reject) => {
            const child = spawn(
              process.execPath,
              [path.join(dist, 'eks-overlay.cjs'), 'generate'],
              {
                cwd,
                env: {
                  PATH: process.env['PATH'] ?? '',
                  HOME: tmp,
                  ARGOCD_APP_NAME: 'app',
                  ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify({ aws: { region: 'eu-west-1' } }),
                  EKS_OVERLAY_LOG_LEVEL: 'debug',
                  ...env,
                  ...extra,
                },
              },
            );
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            child.on('error', reject);
            child.on('close', (code) =>
              resolve({
                code,
                stdout,
                caches: [...stderr.matchAll(/code cache (\w+ for [\w.-]+)/g)].map((m) => m[1]!),
              }),
            );
          },
        );
      const off = await run({ [CODE_CACHE_ENV]: 'off' });
      expect(off.code).toBe(0);
      expect(off.stdout).toMatch(/password: pw-launcher/);
      expect(await run({ [CACHE_DIR_ENV]: cacheDir })).toEqual({
        ...off,
        caches: ['miss for eks-overlay.cjs', 'miss for secret-provider-aws.cjs'],
      });
      expect(readdirSync(cacheDir)).toHaveLength(2);
      // A code cache holds compiled code from the bundles' sources, never a value seen at run time.
      for (const f of readdirSync(cacheDir)) {
        const bytes = readFileSync(path.join(cacheDir, f));
        expect(bytes.includes('pw-launcher')).toBe(false);
        expect(bytes.includes(Buffer.from('pw-launcher', 'utf16le'))).toBe(false);
      }
      expect(await run({ [CACHE_DIR_ENV]: cacheDir })).toEqual({
        ...off,
        caches: ['hit for eks-overlay.cjs', 'hit for secret-provider-aws.cjs'],
      });
      expect(fake.count('BatchGetSecretValue')).toBe(3);
    } finally {
      await fake.stop();
    }
  }, 60_000);
});
