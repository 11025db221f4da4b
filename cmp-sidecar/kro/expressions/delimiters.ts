/**
 * Splits a string field into literal text and `${...}` expressions the way kro does: an expression ends at the
 * `}` that balances brace depth (braces inside double-quoted CEL strings do not count); a `${` inside an
 * expression is only allowed right after a `"` (the documented escape `${"${VAR}"}`); an unclosed `${` is text.
 */
export interface EmbeddedExpression {
  /** The CEL source between `${` and the closing `}`. */
  readonly text: string;
  /** Offset of `${` in the field value. */
  readonly offset: number;
}

export type FieldExpressions =
  | { readonly kind: 'literal' }
  | { readonly kind: 'standalone'; readonly expression: EmbeddedExpression }
  | { readonly kind: 'template'; readonly expressions: readonly EmbeddedExpression[] }
  | { readonly kind: 'invalid'; readonly message: string };

export function scanExpressions(value: string): FieldExpressions {
  const found: EmbeddedExpression[] = [];
  let i = 0;
  while (i < value.length) {
    const open = value.indexOf('${', i);
    if (open < 0) break;
    const end = findClose(value, open + 2);
    if (end === 'nested') {
      return {
        kind: 'invalid',
        message: `nested expressions are not allowed unless inside string literals: ${value}`,
      };
    }
    if (end < 0) break; // unclosed: the rest is literal text
    found.push({ text: value.slice(open + 2, end), offset: open });
    i = end + 1;
  }
  if (found.length === 0) return { kind: 'literal' };
  const first = found[0];
  if (found.length === 1 && first && first.offset === 0 && value.length === first.text.length + 3) {
    return { kind: 'standalone', expression: first };
  }
  return { kind: 'template', expressions: found };
}

function findClose(s: string, from: number): number | 'nested' {
  let depth = 1;
  let inString = false;
  for (let j = from; j < s.length; j++) {
    const c = s[j];
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '$' && s[j + 1] === '{' && s[j - 1] !== '"') return 'nested';
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

export function hasExpression(value: unknown): boolean {
  return typeof value === 'string' && scanExpressions(value).kind !== 'literal';
}

export function isStandaloneExpression(value: unknown): boolean {
  return typeof value === 'string' && scanExpressions(value).kind === 'standalone';
}
