/**
 * The entry of the shipped dist/eks-overlay.cjs turns on Node's compile cache (`module.enableCompileCache`) before
 * it loads the CLI bundle, so a `generate` does not compile the whole bundle from scratch in every process
 * (Argo CD runs one process per Application and revision); the inline secrets provider bundle loaded later is
 * cached too. It replaced a hand-made V8 code-cache launcher that was no faster (cmp-sidecar/README.md,
 * "Measured"), so the simpler one stayed.
 *
 * The cache is an optimisation only; nothing about it may ever change or fail a render:
 *  - it lives in $EKS_OVERLAY_CACHE_DIR, else <tmpdir>/eks-overlay-cache-<uid> (the sidecar's root file system is
 *    read-only; /tmp is writable), and EKS_OVERLAY_CODE_CACHE=off turns it off;
 *  - it is used only from a directory owned by this user and not writable by others (a code cache is code, and
 *    Node checks only that an entry matches its source, not who wrote it);
 *  - Node keys entries by its version and each file's content, so a changed bundle never meets an old entry;
 *  - any problem (an unusable directory, a failed write) leaves the cache off or unwritten, silently.
 */
import * as fs from 'node:fs';
import { constants, enableCompileCache } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

export const CACHE_DIR_ENV = 'EKS_OVERLAY_CACHE_DIR';
export const CODE_CACHE_ENV = 'EKS_OVERLAY_CODE_CACHE';

type Env = Readonly<Record<string, string | undefined>>;

/** `on`: modules loaded from now on use and fill the cache; `unusable`: the directory is not ours, or Node refused. */
export type CacheOutcome = 'off' | 'on' | 'unusable';

/** The cache directory, or undefined when the cache is turned off. */
export function cacheDirFor(env: Env): string | undefined {
  if (env[CODE_CACHE_ENV] === 'off') return undefined;
  const configured = env[CACHE_DIR_ENV];
  if (configured !== undefined && configured !== '') return path.resolve(configured);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return path.join(os.tmpdir(), `eks-overlay-cache-${uid}`);
}

/** Enables Node's compile cache in the private cache directory. Never throws. */
export function enableCodeCache(env: Env = process.env): CacheOutcome {
  const dir = cacheDirFor(env);
  let outcome: CacheOutcome = 'off';
  if (dir !== undefined) {
    outcome = 'unusable';
    try {
      if (privateDirectory(dir)) {
        const { status } = enableCompileCache(dir);
        if (status !== constants.compileCacheStatus.FAILED) outcome = 'on';
      }
    } catch {
      // An optimisation only.
    }
  }
  const level = env['ARGOCD_ENV_EKS_OVERLAY_LOG_LEVEL'] ?? env['EKS_OVERLAY_LOG_LEVEL'];
  if (level === 'debug') {
    process.stderr.write(
      `eks-overlay: debug: code cache ${outcome}${dir === undefined ? '' : ` (${dir})`}\n`,
    );
  }
  return outcome;
}

/** Creates `dir` (0700) if needed; true only for a real directory of ours that no one else can write to. */
export function privateDirectory(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  const st = fs.lstatSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}
