import { readFileSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, isAppError } from '../../core/errors';
import { fieldLine } from '../kro/field-lines';
import { parseYamlObjects, readYamlObjects, readYamlText } from '../kro/reference-files';
import type { ParsedPolicyCache } from './parsed-cache';
import type { ContextObject } from './types';

/** A file or directory of policies, and how its files are named in messages. */
export interface PolicyPath {
  /** Absolute path. */
  readonly path: string;
  /** How messages name it (relative to the app directory for an app's policies). */
  readonly label: string;
  /** Files found below it must stay inside this directory (real paths); undefined: no confinement. */
  readonly confineTo?: string;
}

/**
 * Every YAML document of the given files and directories (recursively, sorted), with file:line. Names starting
 * with "." are skipped: a ConfigMap volume holds each file twice, once under its `..data` link. A path that does
 * not exist or YAML that cannot be read is a ConfigError naming the file.
 */
export async function readPolicyDocuments(
  paths: readonly PolicyPath[],
  cache?: ParsedPolicyCache,
): Promise<ContextObject[]> {
  const out: ContextObject[] = [];
  const problems: string[] = [];
  for (const p of paths) {
    let files: { file: string; label: string }[];
    try {
      files = await yamlFiles(p);
    } catch (e) {
      problems.push(isAppError(e) ? e.message : `${p.label}: cannot be read (${code(e)})`);
      continue;
    }
    for (const f of files) {
      try {
        // The text is read again only to point a message at a field (error paths).
        const text = (): string => readFileSync(f.file, 'utf8');
        const docs =
          cache === undefined
            ? await readYamlObjects(f.file, f.label)
            : cache.documents(await readYamlText(f.file, f.label), f.label, parseYamlObjects);
        out.push(...withSources(docs, f.label, text));
      } catch (e) {
        problems.push(isAppError(e) ? e.message : `${f.label}: cannot be read (${code(e)})`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/** The documents of one YAML text, each with its file:line (a syntax error names the line). */
export function parsePolicyText(text: string, label: string): ContextObject[] {
  return withSources(parseYamlObjects(text, label), label, () => text);
}

function withSources(
  docs: readonly { object: Record<string, unknown>; source?: { file: string; line?: number } }[],
  label: string,
  text: () => string,
): ContextObject[] {
  return docs.map((d) => {
    const line = d.source?.line;
    return {
      object: d.object,
      source: d.source ?? { file: label },
      locate: (fieldPath: string) => fieldLine(text(), line, fieldPath),
    };
  });
}

function code(e: unknown): string {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' ? c : e instanceof Error ? e.message : String(e);
}

async function yamlFiles(p: PolicyPath): Promise<{ file: string; label: string }[]> {
  const st = await stat(p.path).catch(() => undefined);
  if (st === undefined) throw new ConfigError([`${p.label}: policy path does not exist`]);
  if (st.isFile()) return [{ file: p.path, label: p.label }];
  const out: { file: string; label: string }[] = [];
  const confine = p.confineTo === undefined ? undefined : await realpath(p.confineTo);
  const walk = async (dir: string, label: string, depth: number): Promise<void> => {
    if (depth > 20) throw new ConfigError([`${label}: directories nested too deep`]);
    for (const name of (await readdir(dir)).sort()) {
      if (name.startsWith('.')) continue;
      const file = path.join(dir, name);
      const fileLabel = path.join(label, name);
      if (confine !== undefined) {
        const real = await realpath(file).catch(() => undefined);
        const rel = real === undefined ? '..' : path.relative(confine, real);
        if (rel.startsWith('..') || path.isAbsolute(rel))
          throw new ConfigError([`${fileLabel}: resolves outside the repository`]);
      }
      const s = await stat(file).catch(() => undefined);
      if (s?.isDirectory()) await walk(file, fileLabel, depth + 1);
      else if (s?.isFile() && /\.(ya?ml|json)$/.test(name)) out.push({ file, label: fileLabel });
    }
  };
  await walk(p.path, p.label, 0);
  return out;
}
