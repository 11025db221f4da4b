import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { RenderError } from '../../core/errors';
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

/** Every *.yaml/*.yml under `target` (a file or a directory, recursively, sorted). */
export async function yamlFilesUnder(target: string): Promise<string[]> {
  const st = await stat(target);
  if (st.isFile()) return [target];
  const out: string[] = [];
  for (const name of (await readdir(target)).sort()) {
    const p = path.join(target, name);
    const s = await stat(p);
    if (s.isDirectory()) out.push(...(await yamlFilesUnder(p)));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
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
    const obj: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (!isMap(obj)) continue;
    const offset = doc.contents?.range[0] ?? 0;
    out.push({ object: obj, source: { file: label, line: lines.linePos(offset).line } });
  }
  return out;
}

export async function readYamlObjects(file: string, label: string): Promise<KroInputObject[]> {
  return parseYamlObjects(await readFile(file, 'utf8'), label);
}
