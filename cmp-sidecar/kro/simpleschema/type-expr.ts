/** The SimpleSchema type grammar: atomic | object | []T | map[string]T | CustomTypeName. */
export type AtomicType = 'string' | 'integer' | 'boolean' | 'float';

export type TypeExpr =
  | { readonly kind: 'atomic'; readonly name: AtomicType }
  | { readonly kind: 'object' }
  | { readonly kind: 'array'; readonly items: TypeExpr }
  | { readonly kind: 'map'; readonly values: TypeExpr }
  | { readonly kind: 'custom'; readonly name: string };

export const MAX_TYPE_DEPTH = 16;
const ATOMIC: ReadonlySet<string> = new Set(['string', 'integer', 'boolean', 'float']);

export type TypeExprResult =
  { readonly ok: true; readonly type: TypeExpr } | { readonly ok: false; readonly message: string };

export function parseTypeExpr(text: string, depth = 0): TypeExprResult {
  if (depth > MAX_TYPE_DEPTH)
    return { ok: false, message: `type nesting deeper than ${MAX_TYPE_DEPTH}: ${text}` };
  const t = text.trim();
  if (ATOMIC.has(t)) return { ok: true, type: { kind: 'atomic', name: t as AtomicType } };
  if (t === 'object') return { ok: true, type: { kind: 'object' } };
  if (t.startsWith('[]')) {
    const inner = t.slice(2);
    if (inner.trim() === '') return { ok: false, message: `empty element type in "${t}"` };
    const items = parseTypeExpr(inner, depth + 1);
    return items.ok ? { ok: true, type: { kind: 'array', items: items.type } } : items;
  }
  if (t.startsWith('map[')) {
    const close = t.indexOf(']');
    if (close < 0) return { ok: false, message: `unclosed map key in "${t}"` };
    if (t.slice(4, close).trim() !== 'string')
      return { ok: false, message: `map key must be string: "${t}"` };
    const inner = t.slice(close + 1);
    if (inner.trim() === '') return { ok: false, message: `map value type is required: "${t}"` };
    const values = parseTypeExpr(inner, depth + 1);
    return values.ok ? { ok: true, type: { kind: 'map', values: values.type } } : values;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) return { ok: false, message: `unknown type: ${t}` };
  return { ok: true, type: { kind: 'custom', name: t } };
}
