import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { RenderError } from '../../core/errors';
import { CONFIG_FILE } from './config-file';
import { formatBytes, LIMITS, quote } from './limits';
import { at } from './parse-documents';
import { isInside } from './inside';
import { decodeText } from './read-text';
import type { SourceRef } from './types';

export interface LayerFile {
  /** Path relative to the app directory, with forward slashes (`envs/prod/deploy.yaml`). */
  readonly file: string;
  readonly text: string;
}

export interface LayerRoots {
  /** Real path of the app directory. */
  readonly appDir: string;
  /** Real path nothing may resolve outside of (the repository root when known, else the app directory). */
  readonly rootDir: string;
}

/** Bytes read so far by one render, against LIMITS.maxRenderBytes. */
export interface ReadBudget {
  bytes: number;
}

/**
 * The files of a layer: those Argo CD's directory source reads as manifests. JSON is YAML 1.2 (tabs included), so
 * one parser reads both, with the same line numbers, templating and duplicate-key handling.
 */
const MANIFEST_FILE = /\.(ya?ml|json)$/;

/** Files a layer never renders: the plugin's own config and kustomize's, so one tree can serve both tools. */
const SKIPPED_FILES = new Set([
  CONFIG_FILE,
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
]);

/** A layer directory that exists, checked. */
export interface ResolvedLayer {
  /** The (templated) layer path as the render uses it. */
  readonly layer: string;
  /** Its real path (symlinks resolved, inside the root). */
  readonly real: string;
  /** Its path relative to the app directory, with forward slashes ('' for the app directory itself). */
  readonly rel: string;
}

/**
 * Checks a (templated) layer path and reads its files (every *.yaml / *.yml / *.json directly in it, sorted by
 * name), or undefined when the directory does not exist.
 */
export async function readLayer(
  layer: string,
  where: SourceRef,
  roots: LayerRoots,
  budget: ReadBudget = { bytes: 0 },
): Promise<LayerFile[] | undefined> {
  const resolved = await resolveLayer(layer, where, roots);
  return resolved === undefined ? undefined : readLayerFiles(resolved, where, roots, budget);
}

/**
 * Checks a (templated) layer path: relative, without `..`, not a dangling symlink, and not resolving (through
 * symlinks) outside the root. Undefined when the directory does not exist.
 */
export async function resolveLayer(
  layer: string,
  where: SourceRef,
  roots: LayerRoots,
): Promise<ResolvedLayer | undefined> {
  const fail = (why: string): never => {
    throw new RenderError(`${at(where)}: layer ${quote(layer)} ${why}`, where);
  };
  checkRelativePath(layer, fail);
  const full = path.resolve(roots.appDir, layer);
  let real: string;
  try {
    real = await realpath(full);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') {
      const dangling = await danglingLinkOn(roots.appDir, layer);
      if (dangling !== undefined) {
        fail(
          dangling === layer
            ? 'is a dangling symlink; refused'
            : `goes through ${quote(dangling)}, a dangling symlink; refused`,
        );
      }
      return undefined;
    }
    return fail(
      errorCode(e) === 'ELOOP' ? 'is a symlink loop' : `cannot be read (${errorCode(e)})`,
    );
  }
  if (!isInside(real, roots.rootDir)) fail('resolves outside the repository (symlink)');
  if (!(await stat(real)).isDirectory()) fail('is not a directory');
  return { layer, real, rel: path.relative(roots.appDir, full).split(path.sep).join('/') };
}

/** Reads the manifest files of a resolved layer, sorted by name. */
export async function readLayerFiles(
  resolved: ResolvedLayer,
  where: SourceRef,
  roots: LayerRoots,
  budget: ReadBudget = { bytes: 0 },
): Promise<LayerFile[]> {
  const { layer, real, rel } = resolved;
  const fail = (why: string): never => {
    throw new RenderError(`${at(where)}: layer ${quote(layer)} ${why}`, where);
  };
  let entries: string[];
  try {
    entries = await readdir(real);
  } catch (e) {
    return fail(`cannot be listed (${errorCode(e)})`);
  }
  const names = entries
    .filter((n) => MANIFEST_FILE.test(n) && !n.startsWith('.') && !SKIPPED_FILES.has(n))
    .sort();
  const files: LayerFile[] = [];
  for (const name of names) {
    const file = rel === '' ? name : `${rel}/${name}`;
    const text = await readLayerFile(path.join(real, name), file, roots.rootDir, budget);
    if (text !== undefined) files.push({ file, text });
  }
  return files;
}

/**
 * Reads one file of a layer, or undefined when it is not a regular file (a directory named *.yaml, a FIFO).
 * Symlinks are followed only inside the root; loops, dangling links and unreadable files fail naming the file.
 */
async function readLayerFile(
  full: string,
  file: string,
  rootDir: string,
  budget: ReadBudget,
): Promise<string | undefined> {
  const refuse = (why: string): never => {
    throw new RenderError(`${file}: ${why}; refused`, { file });
  };
  let realFile: string;
  try {
    realFile = await realpath(full);
  } catch (e) {
    return refuse(
      errorCode(e) === 'ELOOP'
        ? 'is a symlink loop'
        : errorCode(e) === 'ENOENT'
          ? 'is a dangling symlink'
          : `cannot be resolved (${errorCode(e)})`,
    );
  }
  if (!isInside(realFile, rootDir)) refuse('resolves outside the repository (symlink)');
  const st = await stat(realFile).catch((e: unknown) => refuse(`cannot be read (${errorCode(e)})`));
  if (!st.isFile()) return undefined;
  if (st.size > LIMITS.maxFileBytes) {
    refuse(
      `is ${formatBytes(st.size)}, over the limit of ${formatBytes(LIMITS.maxFileBytes)} per file`,
    );
  }
  budget.bytes += st.size;
  if (budget.bytes > LIMITS.maxRenderBytes) {
    refuse(
      `brings the layer files of this render over the limit of ${formatBytes(LIMITS.maxRenderBytes)}`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(realFile);
  } catch (e) {
    return refuse(`cannot be read (${errorCode(e)})`);
  }
  // The size may have changed since stat (a growing file): the limit holds for what was read.
  if (bytes.length > LIMITS.maxFileBytes) refuse(`is over ${formatBytes(LIMITS.maxFileBytes)}`);
  return decodeText(bytes, file);
}

/**
 * The first segment of `rel` (below `base`) that is a symlink to nothing, or undefined when the path simply does
 * not exist. A missing layer may be optional; a layer that is a broken link is a mistake in the repository.
 */
async function danglingLinkOn(base: string, rel: string): Promise<string | undefined> {
  const segments = rel.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
  for (let i = 1; i <= segments.length; i++) {
    const partial = segments.slice(0, i).join('/');
    const full = path.join(base, partial);
    const st = await lstat(full).catch(() => undefined);
    if (st === undefined) return undefined; // a plain missing segment: nothing further exists either
    if (!st.isSymbolicLink()) continue;
    try {
      await realpath(full);
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return i === segments.length ? rel : partial;
    }
  }
  return undefined;
}

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException | undefined)?.code ?? 'error';
}

function checkRelativePath(p: string, fail: (why: string) => never): void {
  if (p.includes('\0')) fail('contains a NUL byte');
  if (path.isAbsolute(p) || p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p)) {
    fail('must be relative to the app directory (absolute paths are refused)');
  }
  if (p.split(/[\\/]/).some((seg) => seg === '..'))
    fail('must not contain ".." (paths stay inside the app)');
}
