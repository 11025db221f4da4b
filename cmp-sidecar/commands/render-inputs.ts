import { readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, InputError } from '../../core/errors';
import type { CommonOptions } from '../options';
import { isInside } from '../render/inside';
import type { ArgoEnv } from '../render/types';
import type { Io } from '../io';

/**
 * What a render takes from the command line besides its options: the app and root directories, and the cluster
 * contexts of --context files (render and validate replace ARGOCD_ENV_CLUSTER_CONTEXT with them).
 */

export interface Dirs {
  readonly appDir: string;
  readonly rootDir: string;
}

/**
 * The app directory (the command's argument, else the working directory Argo CD runs us in) and the root no
 * file may escape: --root, else the repository root when ARGOCD_APP_SOURCE_PATH tells where the app sits in it
 * (Argo CD extracts the whole repository and runs us in `<repo>/<source.path>`), else the app directory itself.
 */
export async function resolveDirs(opts: CommonOptions, io: Io, env: ArgoEnv): Promise<Dirs> {
  const appDir = await realDir(path.resolve(io.cwd, opts.dir ?? '.'), 'app directory');
  if (opts.root !== undefined) {
    const rootDir = await realDir(path.resolve(io.cwd, opts.root), '--root');
    if (!isInside(appDir, rootDir))
      throw new InputError(`the app directory is not inside --root ${opts.root}`);
    return { appDir, rootDir };
  }
  const source = path.posix
    .normalize(env.sourcePath.replace(/\\/g, '/'))
    .replace(/^\.\/|\/+$/g, '');
  if (
    source !== '' &&
    source !== '.' &&
    !source.startsWith('..') &&
    !path.posix.isAbsolute(source)
  ) {
    const suffix = path.sep + source.split('/').join(path.sep);
    if (appDir.endsWith(suffix))
      return { appDir, rootDir: appDir.slice(0, -suffix.length) || path.sep };
  }
  return { appDir, rootDir: appDir };
}

/** The real path of a directory named on the command line; a usage error when it is missing or not one. */
export async function realDir(p: string, what: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(p);
  } catch {
    throw new InputError(`${what} ${p} does not exist`);
  }
  if (!(await stat(real)).isDirectory()) throw new InputError(`${what} ${p} is not a directory`);
  return real;
}

export interface NamedContext {
  readonly name: string;
  /** The context as JSON, as ARGOCD_ENV_CLUSTER_CONTEXT would carry it. */
  readonly json: string;
}

/**
 * Reads a --context file: one context object or a list of them (JSON or YAML). A generator parameter set is
 * accepted too: its `clusterContext` string is the same data, so it is dropped.
 */
export async function readContextFile(file: string, io: Io): Promise<NamedContext[]> {
  let parsed: unknown;
  try {
    parsed = parse(await readFile(path.resolve(io.cwd, file), 'utf8'));
  } catch (e) {
    throw new ConfigError([`--context ${file}: ${(e as Error).message.split('\n')[0] ?? ''}`], {
      cause: e,
    });
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.map((item: unknown, i) => {
    const where = Array.isArray(parsed) ? `${file}[${i}]` : file;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new ConfigError([`--context ${where}: a cluster context must be an object`]);
    }
    const { clusterContext: _dropped, ...context } = item as Record<string, unknown>;
    const name = typeof context['name'] === 'string' ? `${where} (${context['name']})` : where;
    return { name, json: JSON.stringify(context) };
  });
}

/** The env with ARGOCD_ENV_CLUSTER_CONTEXT replaced by a --context. */
export function withContext(env: ArgoEnv, context: NamedContext | undefined): ArgoEnv {
  if (context === undefined) return env;
  return { ...env, userEnv: { ...env.userEnv, CLUSTER_CONTEXT: context.json } };
}
