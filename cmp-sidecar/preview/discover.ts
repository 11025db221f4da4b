import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** One ApplicationSet found in the repository at one revision. */
export interface FoundApplicationSet {
  /** Repository-relative, `/`-separated path of the file. */
  readonly file: string;
  readonly name: string;
  readonly object: Record<string, unknown>;
}

/** A file that should hold ApplicationSets but cannot be read as YAML: the preview names it and fails. */
export interface UnreadableFile {
  readonly file: string;
  readonly problem: string;
}

const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/** Every `.yaml`/`.yml` file of the checkout (relative, `/`-separated, sorted), hidden directories skipped. */
export async function yamlFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(child);
      } else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(child);
    }
  };
  await walk('');
  return out.sort();
}

/**
 * The ApplicationSets of a checkout: every YAML file holding a document `kind: ApplicationSet`, or, with `globs`,
 * only the files matching one of them (path.matchesGlob over the repository-relative path).
 */
export async function findApplicationSets(
  root: string,
  globs: readonly string[],
): Promise<{ found: FoundApplicationSet[]; unreadable: UnreadableFile[] }> {
  const found: FoundApplicationSet[] = [];
  const unreadable: UnreadableFile[] = [];
  for (const file of await yamlFiles(root)) {
    if (globs.length > 0 && !globs.some((g) => path.posix.matchesGlob(file, g))) continue;
    const text = await readFile(path.join(root, file), 'utf8');
    if (!/^kind:\s*["']?ApplicationSet["']?\s*$/m.test(text)) continue;
    const docs = parseAllDocuments(text, { prettyErrors: false });
    const list = Array.isArray(docs) ? docs : [docs];
    for (const doc of list) {
      if (doc.errors.length > 0) {
        unreadable.push({ file, problem: doc.errors.map((e) => e.message).join('; ') });
        continue;
      }
      const object: unknown = doc.toJS({ maxAliasCount: 100 });
      if (typeof object !== 'object' || object === null || Array.isArray(object)) continue;
      const o = object as Record<string, unknown>;
      if (o['kind'] !== 'ApplicationSet') continue;
      const metadata = (o['metadata'] ?? {}) as { name?: unknown };
      const name = typeof metadata.name === 'string' ? metadata.name : '';
      if (name === '') {
        unreadable.push({ file, problem: 'an ApplicationSet without metadata.name' });
        continue;
      }
      found.push({ file, name, object: o });
    }
  }
  return { found, unreadable };
}
