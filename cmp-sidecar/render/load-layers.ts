import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { RenderError } from '../../core/errors';
import { CONFIG_FILE } from '../config';
import { at } from './parse-documents';
import type { SourceRef } from './stages';

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

/** Files a layer never renders: the plugin's own config and kustomize's, so one tree can serve both tools. */
const SKIPPED_FILES = new Set([
  CONFIG_FILE,
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
]);

/**
 * Checks a (templated) layer path: relative, without `..`, and not resolving (through symlinks) outside the root.
 * Returns the files of the layer (every *.yaml / *.yml directly in it, sorted by name), or undefined when the
 * directory does not exist (the layer is skipped).
 */
export async function readLayer(
  layer: string,
  where: SourceRef,
  roots: LayerRoots,
): Promise<LayerFile[] | undefined> {
  const fail = (why: string): never => {
    throw new RenderError(`${at(where)}: layer ${JSON.stringify(layer)} ${why}`, where);
  };
  checkRelativePath(layer, fail);
  const full = path.resolve(roots.appDir, layer);
  let real: string;
  try {
    real = await realpath(full);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return fail(`cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!isInside(real, roots.rootDir)) fail('resolves outside the repository (symlink)');
  if (!(await stat(real)).isDirectory()) fail('is not a directory');

  const names = (await readdir(real))
    .filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.') && !SKIPPED_FILES.has(n))
    .sort();
  const files: LayerFile[] = [];
  const rel = path.relative(roots.appDir, full).split(path.sep).join('/');
  for (const name of names) {
    const file = rel === '' ? name : `${rel}/${name}`;
    const realFile = await realpath(path.join(real, name));
    if (!isInside(realFile, roots.rootDir)) {
      throw new RenderError(`${file}: resolves outside the repository (symlink); refused`, {
        file,
      });
    }
    if (!(await stat(realFile)).isFile()) continue;
    files.push({ file, text: await readFile(realFile, 'utf8') });
  }
  return files;
}

function checkRelativePath(p: string, fail: (why: string) => never): void {
  if (p.includes('\0')) fail('contains a NUL byte');
  if (path.isAbsolute(p) || p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p)) {
    fail('must be relative to the app directory (absolute paths are refused)');
  }
  if (p.split(/[\\/]/).some((seg) => seg === '..'))
    fail('must not contain ".." (paths stay inside the app)');
}

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
