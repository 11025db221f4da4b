import { createHash } from 'node:crypto';
import { parseAllDocuments, stringify } from 'yaml';

/** A rendered manifest stream, keyed by group/kind/namespace/name (the identity Argo CD tracks a resource by). */
export type ObjectMap = Map<string, unknown>;

export function objectKey(o: Record<string, unknown>): string {
  const apiVersion = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const metadata = (o['metadata'] ?? {}) as { namespace?: unknown; name?: unknown };
  const ns = typeof metadata.namespace === 'string' ? metadata.namespace : '';
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const kind = typeof o['kind'] === 'string' ? o['kind'] : '';
  return `${group || 'core'}/${kind}/${ns || '-'}/${name}`;
}

/** Parses a YAML stream into its objects; a duplicate identity keeps both (suffixed) so nothing is hidden. */
export function parseObjects(yaml: string): ObjectMap {
  const out: ObjectMap = new Map();
  for (const doc of parseAllDocuments(yaml)) {
    const value: unknown = doc.toJS();
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    let key = objectKey(value as Record<string, unknown>);
    for (let i = 2; out.has(key); i++) key = `${objectKey(value as Record<string, unknown>)}#${i}`;
    out.set(key, value);
  }
  return out;
}

/** YAML with map keys sorted, so key order alone never shows as a change. */
function canonicalYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, lineWidth: 0 });
}

/**
 * The semantic diff of two renders: per object (sorted by key) added, removed or changed, each changed object as
 * unified YAML hunks. Empty when the objects are equal (formatting and key order aside).
 */
export function diffRenders(base: ObjectMap, head: ObjectMap): string {
  const keys = [...new Set([...base.keys(), ...head.keys()])].sort();
  const parts: string[] = [];
  for (const key of keys) {
    const a = base.has(key) ? canonicalYaml(base.get(key)) : undefined;
    const b = head.has(key) ? canonicalYaml(head.get(key)) : undefined;
    if (a === b) continue;
    const header =
      a === undefined ? `+++ added ${key}` : b === undefined ? `--- removed ${key}` : `~~~ ${key}`;
    parts.push(`${header}\n${unifiedDiff(a ?? '', b ?? '')}`);
  }
  return parts.join('');
}

export function diffHash(diff: string): string {
  return createHash('sha256').update(diff).digest('hex').slice(0, 12);
}

const CONTEXT = 3;
const MAX_CELLS = 4_000_000;

/** Unified hunks (`@@ -a,n +b,m @@`) between two texts, line-wise, with three lines of context. */
export function unifiedDiff(a: string, b: string): string {
  const x = a === '' ? [] : a.replace(/\n$/, '').split('\n');
  const y = b === '' ? [] : b.replace(/\n$/, '').split('\n');
  const ops = lineOps(x, y);
  // Hunks: runs of changes with up to CONTEXT lines around them, merged when they touch.
  const out: string[] = [];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]?.op === ' ') {
      i++;
      continue;
    }
    const start = Math.max(0, i - CONTEXT);
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end]?.op !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next]?.op === ' ') next++;
      if (next < ops.length && next - end <= 2 * CONTEXT) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + CONTEXT);
    const hunk = ops.slice(start, stop);
    const first = ops[start];
    const aStart = first?.ai ?? 0;
    const bStart = first?.bi ?? 0;
    const aLen = hunk.filter((o) => o.op !== '+').length;
    const bLen = hunk.filter((o) => o.op !== '-').length;
    out.push(
      `@@ -${aLen === 0 ? aStart : aStart + 1},${aLen} +${bLen === 0 ? bStart : bStart + 1},${bLen} @@\n`,
    );
    for (const o of hunk) out.push(`${o.op}${o.line}\n`);
    i = stop;
  }
  return out.join('');
}

interface Op {
  readonly op: ' ' | '-' | '+';
  readonly line: string;
  /** Lines of a and b before this one. */
  readonly ai: number;
  readonly bi: number;
}

/** An edit script by longest common subsequence (common prefix and suffix first); whole replacement when huge. */
function lineOps(x: readonly string[], y: readonly string[]): Op[] {
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let suf = 0;
  while (
    suf < x.length - pre &&
    suf < y.length - pre &&
    x[x.length - 1 - suf] === y[y.length - 1 - suf]
  )
    suf++;
  const xm = x.slice(pre, x.length - suf);
  const ym = y.slice(pre, y.length - suf);
  const ops: Op[] = [];
  for (let k = 0; k < pre; k++) ops.push({ op: ' ', line: x[k] ?? '', ai: k, bi: k });
  const n = xm.length;
  const m = ym.length;
  if (n * m > MAX_CELLS) {
    xm.forEach((l, k) => ops.push({ op: '-', line: l, ai: pre + k, bi: pre }));
    ym.forEach((l, k) => ops.push({ op: '+', line: l, ai: pre + n, bi: pre + k }));
  } else {
    const lcs = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] =
          xm[i] === ym[j]
            ? (lcs[(i + 1) * (m + 1) + j + 1] ?? 0) + 1
            : Math.max(lcs[(i + 1) * (m + 1) + j] ?? 0, lcs[i * (m + 1) + j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && xm[i] === ym[j]) {
        ops.push({ op: ' ', line: xm[i] ?? '', ai: pre + i, bi: pre + j });
        i++;
        j++;
      } else if (
        i < n &&
        (j === m || (lcs[(i + 1) * (m + 1) + j] ?? 0) >= (lcs[i * (m + 1) + j + 1] ?? 0))
      ) {
        // Deletions first, as diff(1) prints them.
        ops.push({ op: '-', line: xm[i] ?? '', ai: pre + i, bi: pre + j });
        i++;
      } else {
        ops.push({ op: '+', line: ym[j] ?? '', ai: pre + i, bi: pre + j });
        j++;
      }
    }
  }
  for (let k = 0; k < suf; k++) {
    ops.push({
      op: ' ',
      line: x[x.length - suf + k] ?? '',
      ai: x.length - suf + k,
      bi: y.length - suf + k,
    });
  }
  return ops;
}
