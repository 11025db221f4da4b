import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { RenderError } from '../../core/errors';
import { formatBytes, LIMITS } from '../render/limits';
import { decodeText } from '../render/read-text';
import { isMap, type KroInputObject } from './types';

/**
 * Resolves a path declared in eks-overlay.yaml (`kro.rgdPaths`, `kro.crdDirs`) relative to the app directory.
 * `..` may climb toward shared folders of the repository, but the real path (symlinks resolved) must stay inside
 * the repository root; absolute paths are refused.
 */
export async function resolveRepoPath(
  declared: string,
  appDir: string,
  rootDir: string,
  where: string,
): Promise<string | undefined> {
  if (path.isAbsolute(declared) || /^[A-Za-z]:/.test(declared)) {
    throw new RenderError(
      `${where}: ${JSON.stringify(declared)} must be relative to the app directory`,
    );
  }
  const joined = path.resolve(appDir, declared);
  let real: string;
  try {
    real = await realpath(joined);
  } catch {
    return undefined; // missing: the caller decides whether that matters
  }
  const root = await realpath(rootDir);
  const rel = path.relative(root, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new RenderError(`${where}: ${JSON.stringify(declared)} resolves outside the repository`);
  }
  return real;
}

/**
 * Every *.yaml/*.yml under `target` (a file or a directory, recursively, sorted). A symlink below `target` is
 * followed only when its real path stays inside `rootDir`; a link back to a directory being read is a loop. Errors
 * name the entry relative to `labelDir` (the app directory), never an absolute path.
 */
export async function yamlFilesUnder(
  target: string,
  rootDir: string,
  labelDir: string,
): Promise<string[]> {
  const root = await realpath(rootDir);
  const label = (p: string) => path.relative(labelDir, p);
  const out: string[] = [];
  const walk = async (dir: string, realDir: string, ancestors: ReadonlySet<string>) => {
    for (const name of (await readdir(dir)).sort()) {
      const p = path.join(dir, name);
      let real = path.join(realDir, name);
      if ((await lstat(p)).isSymbolicLink()) {
        try {
          real = await realpath(p);
        } catch {
          throw new RenderError(
            `${label(p)}: a symlink that cannot be resolved (dangling or a loop)`,
          );
        }
        const rel = path.relative(root, real);
        if (rel.startsWith('..') || path.isAbsolute(rel))
          throw new RenderError(`${label(p)}: resolves outside the repository`);
      }
      const s = await stat(real);
      if (s.isDirectory()) {
        if (ancestors.has(real))
          throw new RenderError(
            `${label(p)}: a symlink loop (points back to a directory being read)`,
          );
        await walk(p, real, new Set([...ancestors, real]));
      } else if (/\.ya?ml$/.test(name)) out.push(p);
    }
  };
  const st = await stat(target);
  if (st.isFile()) return [target];
  const realTarget = await realpath(target);
  await walk(target, realTarget, new Set([realTarget]));
  return out;
}

/**
 * Refuses a directory of the repository whose entries are symlinks resolving outside it (the CRD directories of
 * `kro.crdDirs`, read flat by the schema lookup, which follows links).
 */
export async function assertEntriesInside(
  dir: string,
  rootDir: string,
  labelDir: string,
): Promise<void> {
  const root = await realpath(rootDir);
  for (const name of await readdir(dir)) {
    const p = path.join(dir, name);
    if (!(await lstat(p)).isSymbolicLink()) continue;
    const real = await realpath(p).catch(() => undefined);
    const rel = real === undefined ? undefined : path.relative(root, real);
    if (rel === undefined || rel.startsWith('..') || path.isAbsolute(rel))
      throw new RenderError(
        `${path.relative(labelDir, p)}: ${real === undefined ? 'a symlink that cannot be resolved' : 'resolves outside the repository'}`,
      );
  }
}

/** Parses a YAML stream into objects with their document line; a syntax error fails naming file:line. */
export function parseYamlObjects(text: string, label: string): KroInputObject[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  if (!Array.isArray(docs)) return [];
  const out: KroInputObject[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const line = lines.linePos(err.pos[0]).line;
      throw new RenderError(`${label}:${line}: invalid YAML: ${err.message.split('\n')[0] ?? ''}`, {
        file: label,
        line,
      });
    }
    let obj: unknown;
    try {
      obj = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      // yaml refuses alias bombs here ("Excessive alias count") and deep recursion overflows the stack.
      const line = lines.linePos(doc.contents?.range[0] ?? 0).line;
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new RenderError(`${label}:${line}: cannot read this YAML document: ${why ?? ''}`, {
        file: label,
        line,
      });
    }
    if (!isMap(obj)) continue;
    const offset = doc.contents?.range[0] ?? 0;
    out.push({ object: obj, source: { file: label, line: lines.linePos(offset).line } });
  }
  return out;
}

export async function readYamlObjects(file: string, label: string): Promise<KroInputObject[]> {
  return parseYamlObjects(await readYamlText(file, label), label);
}

/** The text of a YAML file, within the per-file size limit. */
export async function readYamlText(file: string, label: string): Promise<string> {
  const size = (await stat(file)).size;
  if (size > LIMITS.maxFileBytes)
    throw new RenderError(
      `${label}: ${formatBytes(size)} is over the limit of ${formatBytes(LIMITS.maxFileBytes)} per file`,
      { file: label },
    );
  return decodeText(await readFile(file), label);
}
