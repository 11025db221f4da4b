import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDirFor, privateDirectory } from '../compile-cache';
import type { KroInputObject } from '../kro/types';

/**
 * Parsed policy files kept between processes. Argo CD runs one eks-overlay process per render, and each would parse
 * the same sidecar-wide policy YAML again (~40 ms for 20 policies, where JSON takes a few): the documents of a file
 * are stored as JSON in eks-overlay's private cache directory (the compile cache's: EKS_OVERLAY_CACHE_DIR, else
 * <tmpdir>/eks-overlay-cache-<uid>; EKS_OVERLAY_CODE_CACHE=off turns both off), under the same rules:
 *  - used only from a directory of ours that no one else can write to (an entry decides what a policy says);
 *  - keyed by the SHA-256 of the file's text and this format, so a changed file never meets an old entry;
 *  - only documents whose JSON form is exact are stored (no `.inf`, `.nan`, -0, `__proto__` key);
 *  - a YAML error is never stored (the file is parsed again and the error named as usual);
 *  - any problem (unreadable or malformed entry, failed write) means parsing, silently.
 */
const FORMAT = 'policy-yaml-1';

export type ParseYaml = (text: string, label: string) => KroInputObject[];

export interface ParsedPolicyCache {
  /** The documents of `text`: from the cache, else parsed by `parse` (and stored when exact). */
  documents(text: string, label: string, parse: ParseYaml): KroInputObject[];
}

interface Entry {
  readonly object: Record<string, unknown>;
  readonly line?: number;
}

export function openParsedPolicyCache(
  env: Readonly<Record<string, string | undefined>>,
): ParsedPolicyCache | undefined {
  const root = cacheDirFor(env);
  if (root === undefined) return undefined;
  try {
    const dir = path.join(root, FORMAT);
    if (!privateDirectory(root) || !privateDirectory(dir)) return undefined;
    return { documents: (text, label, parse) => documents(dir, text, label, parse) };
  } catch {
    return undefined;
  }
}

function documents(dir: string, text: string, label: string, parse: ParseYaml): KroInputObject[] {
  const file = path.join(dir, `${createHash('sha256').update(text).digest('hex')}.json`);
  const stored = readEntries(file);
  if (stored !== undefined)
    return stored.map((e) => ({
      object: e.object,
      source: e.line === undefined ? { file: label } : { file: label, line: e.line },
    }));
  const docs = parse(text, label);
  const entries: Entry[] = docs.map((d) =>
    d.source?.line === undefined ? { object: d.object } : { object: d.object, line: d.source.line },
  );
  if (entries.every((e) => exactInJson(e.object))) writeEntries(file, entries);
  return docs;
}

function readEntries(file: string): Entry[] | undefined {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!Array.isArray(parsed)) return undefined;
    const ok = parsed.every(
      (e: unknown) =>
        isPlainObject(e) &&
        isPlainObject(e['object']) &&
        (e['line'] === undefined || Number.isInteger(e['line'])),
    );
    return ok ? (parsed as Entry[]) : undefined;
  } catch {
    return undefined;
  }
}

function writeEntries(file: string, entries: readonly Entry[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(entries), { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // An optimisation only.
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** True when JSON.parse(JSON.stringify(v)) gives back exactly `v`. */
function exactInJson(v: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every((x) => exactInJson(x, depth + 1));
  if (!isPlainObject(v)) return false;
  return Object.keys(v).every((k) => k !== '__proto__' && exactInJson(v[k], depth + 1));
}
