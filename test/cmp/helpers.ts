import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { run } from '../../cmp-sidecar/cli';

export const REPO_ROOT = path.resolve(__dirname, '../..');

/** Writes files (path → content) under dir, creating folders. */
export function writeTree(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(dir, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with a memory io. */
export async function runInProcess(
  argv: readonly string[],
  opts: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  let writes = 0;
  const code = await run(argv, {
    cwd: opts.cwd,
    env: opts.env ?? {},
    stdout: {
      write: (s: string) => {
        writes++;
        stdout += s;
      },
    },
    stderr: { write: (s: string) => (stderr += s) },
  });
  if (writes > 1) throw new Error(`stdout was written ${writes} times; the CLI must write it once`);
  return { code, stdout, stderr };
}

/**
 * Parses a generate stdout the way Argo CD does (argocd-contract.md §B7): one trailing newline trimmed, a YAML
 * stream split into documents, empty and null documents skipped, every document an object with `kind`, objects
 * with an `items` list expanded (`items: null` dropped). Parsed as YAML 1.1 (sigs.k8s.io/yaml), and the result
 * must equal a YAML 1.2 parse, so no scalar changes type between parsers.
 */
export function parseLikeArgoCd(stdout: string): Record<string, unknown>[] {
  const text = stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout;
  if (text.trimStart().startsWith('{'))
    throw new Error('JSON output is not expected from eks-overlay');
  const parse = (version: '1.1' | '1.2'): unknown[] =>
    parseAllDocuments(text, { version }).map((d) => {
      if (d.errors.length > 0)
        throw new Error(`failed to unmarshal manifest: ${d.errors[0]!.message}`);
      return d.toJS() as unknown;
    });
  const yaml11 = parse('1.1');
  const yaml12 = parse('1.2');
  expect(yaml11).toEqual(yaml12);
  const out: Record<string, unknown>[] = [];
  for (const doc of yaml11) {
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== 'object' || Array.isArray(doc))
      throw new Error('failed to unmarshal manifest: not an object');
    const obj = doc as Record<string, unknown>;
    if (typeof obj['kind'] !== 'string' || obj['kind'] === '')
      throw new Error('Object has no kind');
    if ('items' in obj) {
      if (Array.isArray(obj['items'])) out.push(...(obj['items'] as Record<string, unknown>[]));
      continue;
    }
    out.push(obj);
  }
  return out;
}
