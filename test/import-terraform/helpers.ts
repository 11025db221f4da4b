import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runInProcess, tempDir, type CliResult } from '../cmp/helpers';
import { SHARED_DIR } from '../manifests/manifest-tree';

export const CRDS = path.join(SHARED_DIR, 'crds');

export interface ImportRun extends CliResult {
  readonly dir: string;
  /** The files of --out (name → text), when it was written. */
  readonly files: Record<string, string>;
  /** Every file in the working directory afterwards (to find leftovers of a failed run). */
  readonly leftovers: string[];
  readonly reportJson: string | undefined;
}

/** Writes `state` as s.json in a fresh directory and runs `import terraform s.json <args>` there. */
export async function importState(state: string, args: readonly string[] = []): Promise<ImportRun> {
  const { dir, cleanup } = tempDir('tf-import-');
  try {
    writeFileSync(path.join(dir, 's.json'), state);
    const r = await runInProcess(['import', 'terraform', 's.json', ...args], { cwd: dir });
    const out = args.includes('--out')
      ? path.join(dir, args[args.indexOf('--out') + 1]!)
      : undefined;
    const files: Record<string, string> = {};
    if (out && existsSync(out))
      for (const f of readdirSync(out).sort()) files[f] = readFileSync(path.join(out, f), 'utf8');
    const reportFile = args.includes('--report')
      ? path.join(dir, args[args.indexOf('--report') + 1]!)
      : undefined;
    const reportJson =
      reportFile && existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : undefined;
    return { ...r, dir, files, leftovers: readdirSync(dir).sort(), reportJson };
  } finally {
    cleanup();
  }
}

export type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations: Record<string, string> };
  spec: Record<string, unknown>;
};

export function objectsOf(run: ImportRun): Obj[] {
  const texts =
    Object.keys(run.files).length > 0
      ? Object.entries(run.files)
          .filter(([f]) => f.endsWith('.yaml'))
          .map(([, t]) => t)
      : [run.stdout];
  return texts.flatMap((t) => parseAllDocuments(t).map((d) => d.toJS() as Obj));
}

export function find(objects: readonly Obj[], kind: string, name: string): Obj {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o)
    throw new Error(
      `no ${kind}/${name} among ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`,
    );
  return o;
}
