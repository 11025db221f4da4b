import type { Document, LineCounter } from 'yaml';

/**
 * What yaml's parser and composer made of a file, by the file's exact text, for a process that renders many times
 * (`eks-overlay serve`'s workers): Argo CD renders the same files for every cluster of an app, and parsing them is
 * most of a warm render's CPU. Only the composed documents are kept: a pure function of the text and of the kind
 * of file (its parse options are constants of the caller), which the render then walks read-only (templates,
 * limits, duplicate keys and every error are computed again per render), so a hit cannot change a result. Only
 * files that composed without an error are kept. Off unless enabled: a one-shot CLI render would only hold its
 * documents longer.
 */

export interface ParsedYaml {
  readonly docs: readonly Document.Parsed[];
  readonly lines: LineCounter;
}

/** Layer files (a stream of documents) and eks-overlay.yaml (one document) are parsed with different options. */
export type ParsedKind = 'manifests' | 'config';

/** Larger files are parsed one document at a time as ever, never held whole. */
const MAX_ENTRY_CHARS = 256 * 1024;
/** The composed documents weigh about 35 times their text: about 35 MB of heap. */
const MAX_TOTAL_CHARS = 1024 * 1024;

let entries: Map<string, ParsedYaml> | undefined;
let totalChars = 0;

/** Turns the cache on for this thread (a render worker of `eks-overlay serve`). */
export function enableParsedYamlCache(): void {
  entries ??= new Map();
}

export function cachedParse(kind: ParsedKind, text: string): ParsedYaml | undefined {
  const key = `${kind}:${text}`;
  const hit = entries?.get(key);
  if (hit !== undefined) {
    // Most recently used last: the first entry is the one to drop.
    entries!.delete(key);
    entries!.set(key, hit);
  }
  return hit;
}

/** Whether a file of this text may be kept: the caller then collects its documents for `remember`. */
export function cacheable(text: string): boolean {
  return entries !== undefined && text.length <= MAX_ENTRY_CHARS;
}

/** Keeps the documents of a file, every one of which composed without an error. */
export function remember(kind: ParsedKind, text: string, parsed: ParsedYaml): void {
  const key = `${kind}:${text}`;
  if (!cacheable(text) || entries!.has(key)) return;
  entries!.set(key, parsed);
  totalChars += key.length;
  for (const [old] of entries!) {
    if (totalChars <= MAX_TOTAL_CHARS) break;
    entries!.delete(old);
    totalChars -= old.length;
  }
}
