/**
 * The subset of Kubernetes JSONPath templates that the `jsonPath` modifier accepts: text and `{...}` blocks, each
 * block a string literal (`{':'}`) or a path of `.field`, `['field']` and `[index]` steps (`{.a.b[0]}`). Filters,
 * wildcards, ranges and recursive descent are refused: they cannot be mapped to an ExternalSecret property, and a
 * smaller language is easier to reason about in both modes.
 */

export type PathStep = string | number;

export type JsonPathPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'path'; readonly steps: readonly PathStep[] };

export class JsonPathSyntaxError extends Error {}

export function parseJsonPath(template: string): JsonPathPart[] {
  const parts: JsonPathPart[] = [];
  let i = 0;
  let text = '';
  const flushText = () => {
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
  };
  while (i < template.length) {
    const ch = template[i]!;
    if (ch !== '{') {
      text += ch;
      i++;
      continue;
    }
    const close = findBlockEnd(template, i + 1);
    const body = template.slice(i + 1, close).trim();
    i = close + 1;
    const literal = /^(['"])(.*)\1$/s.exec(body);
    if (literal) {
      text += literal[2]!;
      continue;
    }
    flushText();
    parts.push({ kind: 'path', steps: parsePath(body) });
  }
  flushText();
  if (!parts.some((p) => p.kind === 'path'))
    throw new JsonPathSyntaxError(`jsonPath template ${JSON.stringify(template)} selects nothing`);
  return parts;
}

function findBlockEnd(s: string, from: number): number {
  let quote: string | undefined;
  for (let j = from; j < s.length; j++) {
    const c = s[j];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '}') return j;
    else if (c === '{') break;
  }
  throw new JsonPathSyntaxError(`jsonPath template ${JSON.stringify(s)} has an unclosed "{"`);
}

function parsePath(body: string): PathStep[] {
  const unsupported = () =>
    new JsonPathSyntaxError(
      `jsonPath expression {${body}} is not supported (use .field, ['field'] and [index] steps only)`,
    );
  let rest = body;
  if (rest.startsWith('$')) rest = rest.slice(1);
  if (rest === '' || rest === '.') return [];
  const steps: PathStep[] = [];
  while (rest !== '') {
    let m: RegExpExecArray | null;
    if ((m = /^\.([A-Za-z0-9_-]+)/.exec(rest))) steps.push(m[1]!);
    else if ((m = /^\[\s*'([^']*)'\s*\]/.exec(rest)) || (m = /^\[\s*"([^"]*)"\s*\]/.exec(rest)))
      steps.push(m[1]!);
    else if ((m = /^\[\s*(\d+)\s*\]/.exec(rest))) steps.push(Number(m[1]));
    else throw unsupported();
    rest = rest.slice(m[0].length);
  }
  return steps;
}

/** Follows `steps` through a parsed JSON/YAML value; undefined when a step does not exist. */
export function selectPath(value: unknown, steps: readonly PathStep[]): unknown {
  let cur: unknown = value;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur) || step >= cur.length) return undefined;
      cur = cur[step] as unknown;
    } else {
      if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(cur, step)) return undefined;
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return cur;
}

/** How a selected value prints: strings raw, scalars as JSON text, objects and lists as compact JSON. */
export function printSelected(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The same steps as a gjson path, the syntax ESO's AWS provider uses for `remoteRef.property`. */
export function toGjsonPath(steps: readonly PathStep[]): string {
  return steps.map((s) => (typeof s === 'number' ? String(s) : escapeGjsonKey(s))).join('.');
}

export function escapeGjsonKey(key: string): string {
  return key.replace(/[\\.*?|#@]/g, (c) => `\\${c}`);
}

export function printPath(steps: readonly PathStep[]): string {
  return steps.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
}
