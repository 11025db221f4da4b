/**
 * The entry point of the shipped dist/eks-overlay.cjs (assembled by build.mjs): the CLI bundle is embedded as a
 * string and compiled here with a V8 code cache, so a `generate` does not parse and compile ~800 KB of JavaScript
 * again in every process (Argo CD runs one process per Application and revision).
 *
 * The cache is an optimisation only; nothing about it may ever change or fail a render:
 *  - it lives in $EKS_OVERLAY_CACHE_DIR, else <tmpdir>/eks-overlay-cache-<uid> (the sidecar's root file system is
 *    read-only; /tmp is writable), and EKS_OVERLAY_CODE_CACHE=off turns it off;
 *  - a file is keyed by the bundle's content hash, the Node version and the architecture, so a changed bundle
 *    never meets an old cache (V8 itself checks only the source length);
 *  - it is read only from a directory and a file owned by this user and not writable by others (code cache is
 *    code), and ignored when unreadable or rejected by V8;
 *  - it is written after a successful render (so it holds the functions a render compiles, not only the top
 *    level), atomically (a private temporary file renamed into place), and any write error is ignored.
 */
import type * as Crypto from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

export const CACHE_DIR_ENV = 'EKS_OVERLAY_CACHE_DIR';
export const CODE_CACHE_ENV = 'EKS_OVERLAY_CODE_CACHE';

/** Commands whose successful run compiles what later renders need: only they write a cache. */
const CACHE_WRITING_COMMANDS = new Set(['generate', 'render', 'validate']);

export interface EmbeddedBundle {
  /** The CommonJS source of the CLI bundle. */
  readonly source: string;
  /** Hex digest of `source`, computed at build time. */
  readonly hash: string;
}

/**
 * The line after which build-launcher.cjs appends the CLI bundle to the launcher, every line commented out with
 * `//`: V8 skips comments far faster than it scans an 800 KB string literal, and the launcher reads them back.
 */
export const BUNDLE_MARKER = '//# eks-overlay: the CLI bundle follows, each line commented out';

/** The bundle embedded in `file` after BUNDLE_MARKER. */
export function readEmbeddedSource(file: string): string {
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf(`\n${BUNDLE_MARKER}\n`);
  if (at < 0) throw new Error(`${file} holds no embedded bundle`);
  return text
    .slice(at + BUNDLE_MARKER.length + 2)
    .split('\n')
    .map((line) => line.slice(2))
    .join('\n');
}

/** The CommonJS module the launcher itself was loaded as: the bundle runs as if it were that file. */
export interface HostModule {
  readonly module: { exports: unknown };
  readonly require: (id: string) => unknown;
  readonly filename: string;
}

export type CacheOutcome = 'off' | 'miss' | 'hit' | 'rejected';

export interface CodeCache {
  readonly file: string;
  read(): Buffer | undefined;
  write(data: Buffer): boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

export function launch(
  bundle: EmbeddedBundle,
  host: HostModule,
  env: Env = process.env,
  argv: readonly string[] = process.argv.slice(2),
): CacheOutcome {
  const writeCache = CACHE_WRITING_COMMANDS.has(argv[0] ?? '');
  const compiled = compileCached(bundle.source, bundle.hash, host.filename, env, writeCache);
  compiled.run(
    host.module,
    siblingBundleRequire(host.require, path.dirname(host.filename), env),
    host.filename,
  );
  return compiled.outcome;
}

type Require = (id: string) => unknown;

interface Compiled {
  readonly outcome: CacheOutcome;
  run(module: { exports: unknown }, require: Require, filename: string): void;
}

/** Compiles a CommonJS source with its code cache; the cache is (re)written at a successful exit when asked. */
function compileCached(
  source: string,
  hash: string,
  filename: string,
  env: Env,
  writeOnExit: boolean,
): Compiled {
  const cache = codeCacheFor(hash, env, path.basename(filename));
  const cachedData = cache?.read();
  const script = new vm.Script(wrapCommonJs(source), {
    filename,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const outcome: CacheOutcome =
    cache === undefined
      ? 'off'
      : cachedData === undefined
        ? 'miss'
        : script.cachedDataRejected === true
          ? 'rejected'
          : 'hit';
  if (debugEnabled(env)) {
    process.stderr.write(
      `eks-overlay: debug: code cache ${outcome} for ${path.basename(filename)}${cache ? ` (${cache.file})` : ''}\n`,
    );
  }
  if (cache !== undefined && outcome !== 'hit' && writeOnExit) {
    process.once('exit', (code) => {
      if (code !== 0) return;
      try {
        cache.write(script.createCachedData());
      } catch {
        // An optimisation only: never let it change the exit.
      }
    });
  }
  return {
    outcome,
    run(module, require, file) {
      const wrapper = script.runInThisContext() as (
        exports: unknown,
        require: Require,
        module: { exports: unknown },
        filename: string,
        dirname: string,
      ) => void;
      wrapper.call(module.exports, module.exports, require, module, file, path.dirname(file));
    },
  };
}

/**
 * The bundle's `require`: the host's, except for a `.cjs` bundle beside the launcher (the inline secrets provider,
 * secret-provider-aws.cjs: ~800 KB of AWS SDK), which is compiled with its own code cache too, keyed by its
 * content. Anything else, or a sibling that cannot be read, goes to the host's require unchanged (so a missing
 * file still fails with MODULE_NOT_FOUND). Properties such as `require.extensions` are the host's.
 */
function siblingBundleRequire(hostRequire: Require, dir: string, env: Env): Require {
  const loaded = new Map<string, unknown>();
  const wrapped: Require = (id) => {
    if (!path.isAbsolute(id) || path.dirname(id) !== dir || !id.endsWith('.cjs'))
      return hostRequire(id);
    if (loaded.has(id)) return loaded.get(id);
    let source: string;
    try {
      source = fs.readFileSync(id, 'utf8');
    } catch {
      return hostRequire(id);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createHash } = require('node:crypto') as typeof Crypto;
    const hash = createHash('sha256').update(source).digest('hex');
    const module = { exports: {} as unknown };
    compileCached(source, hash, id, env, true).run(module, createRequire(id), id);
    loaded.set(id, module.exports);
    return module.exports;
  };
  return Object.assign(wrapped, hostRequire);
}

/** What Node's CommonJS loader wraps a module in (the bundle keeps its own line numbers: no line is added). */
function wrapCommonJs(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
}

function debugEnabled(env: Env): boolean {
  return (env['ARGOCD_ENV_EKS_OVERLAY_LOG_LEVEL'] ?? env['EKS_OVERLAY_LOG_LEVEL']) === 'debug';
}

/**
 * The cache of the bundle `name` (the file's base name) with content `hash`, or undefined when turned off. Never
 * throws. Writing one removes that bundle's caches of other hashes (an upgraded bundle leaves no stale file).
 */
export function codeCacheFor(
  hash: string,
  env: Env,
  name = 'eks-overlay.cjs',
): CodeCache | undefined {
  if (env[CODE_CACHE_ENV] === 'off' || !/^[0-9a-f]{8,128}$/.test(hash)) return undefined;
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const dir =
    env[CACHE_DIR_ENV] !== undefined && env[CACHE_DIR_ENV] !== ''
      ? path.resolve(env[CACHE_DIR_ENV])
      : path.join(os.tmpdir(), `eks-overlay-cache-${uid ?? 'user'}`);
  const prefix = `${name.replace(/[^\w.-]/g, '_')}-`;
  const file = path.join(
    dir,
    `${prefix}${hash.slice(0, 32)}-${process.version}-${process.arch}-${process.platform}.v8cache`,
  );
  return {
    file,
    read: () => readPrivate(dir, file, uid),
    write: (data) => writePrivate(dir, file, uid, data) && removeOthers(dir, file, prefix),
  };
}

/** Only our own, not group- or world-writable, directory and regular file count: a cache is code. */
function isPrivate(st: fs.Stats, uid: number | undefined): boolean {
  return (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

function readPrivate(dir: string, file: string, uid: number | undefined): Buffer | undefined {
  try {
    const d = fs.lstatSync(dir);
    if (!d.isDirectory() || !isPrivate(d, uid)) return undefined;
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile() || !isPrivate(st, uid) || st.size === 0) return undefined;
      return fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Removes the other caches of the same bundle name (other hashes or Node versions). */
function removeOthers(dir: string, keep: string, prefix: string): true {
  try {
    for (const f of fs.readdirSync(dir)) {
      if (f.startsWith(prefix) && f.endsWith('.v8cache') && f !== path.basename(keep))
        fs.unlinkSync(path.join(dir, f));
    }
  } catch {
    // best effort
  }
  return true;
}

function writePrivate(dir: string, file: string, uid: number | undefined, data: Buffer): boolean {
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
    const d = fs.lstatSync(dir);
    if (!d.isDirectory() || !isPrivate(d, uid)) return false;
    fs.writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}
