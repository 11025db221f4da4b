import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { KroInputObject } from '../../cmp-sidecar/kro/types';

/** `<repo>/../shared`, where CI keeps the reference material beside the clone. */
export const SHARED_DIR = path.resolve(__dirname, '..', '..', '..', 'shared');
export const CRD_DIR = path.join(SHARED_DIR, 'crds');
export const CORPUS_DIR = path.join(SHARED_DIR, 'corpus', 'kro-examples');

/** Parses a YAML stream the way a strict manifest loader does; a syntax error throws naming file:line. */
export function loadYamlObjects(file: string, label = file): KroInputObject[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), {
    lineCounter: lines,
    uniqueKeys: false,
  });
  const out: KroInputObject[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const err = doc.errors[0];
    if (err)
      throw new Error(
        `${label}:${lines.linePos(err.pos[0]).line}: invalid YAML: ${err.message.split('\n')[0] ?? ''}`,
      );
    const obj: unknown = doc.toJS();
    if (obj === null || obj === undefined) continue;
    const offset = doc.contents?.range[0] ?? 0;
    out.push({
      object: obj as Record<string, unknown>,
      source: { file: label, line: lines.linePos(offset).line },
    });
  }
  return out;
}
