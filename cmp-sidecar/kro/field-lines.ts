import { isMap as isYamlMap, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Node, Pair } from 'yaml';

/**
 * Finds the line of a field (`spec.resources[3].template.spec.clusterName`) inside the YAML document that starts
 * at `docLine` (or the first document), so a finding points at the field rather than the document. Returns the
 * line of the deepest part of the path present in the file (overlays may have added the rest elsewhere).
 */
export function fieldLine(
  text: string,
  docLine: number | undefined,
  fieldPath: string,
): number | undefined {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  if (!Array.isArray(docs)) return undefined;
  const doc =
    docLine === undefined
      ? docs[0]
      : docs.find(
          (d) => d.contents !== null && lines.linePos(d.contents.range[0]).line === docLine,
        );
  let node: Node | null | undefined = doc?.contents;
  if (!node) return undefined;
  let line = lines.linePos(node.range?.[0] ?? 0).line;
  for (const seg of splitPath(fieldPath)) {
    let next: Node | undefined;
    if (typeof seg === 'number' && isSeq(node)) next = node.items[seg] as Node | undefined;
    else if (typeof seg === 'string' && isYamlMap(node)) {
      const items: Pair<unknown, unknown>[] = node.items;
      const pair: Pair<unknown, unknown> | undefined = items.find(
        (p) => (p.key as { value?: unknown } | null)?.value === seg,
      );
      if (pair) {
        const keyNode = pair.key as Node;
        line = lines.linePos(keyNode.range?.[0] ?? 0).line;
        next = (pair.value as Node | null) ?? undefined;
        if (!next) return line;
        node = next;
        continue;
      }
    }
    if (!next) return line;
    node = next;
    line = lines.linePos(node.range?.[0] ?? 0).line;
  }
  return line;
}

/** `a.b[2]["x.y"]` → ['a', 'b', 2, 'x.y']. */
export function splitPath(p: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const m of p.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}
