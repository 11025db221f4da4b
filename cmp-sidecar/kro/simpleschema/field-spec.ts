/**
 * Splits a SimpleSchema field string `"<type> | marker=value marker=\"quoted value\""` into its type text and
 * markers. Values are bare words, double-quoted strings (with `\"` escapes), or words holding `{...}`/`[...]`
 * groups that may contain spaces.
 */
export interface Marker {
  readonly key: string;
  readonly value: string;
}

export interface FieldSpec {
  readonly typeText: string;
  readonly markers: readonly Marker[];
}

export type FieldSpecResult =
  | { readonly ok: true; readonly spec: FieldSpec }
  | { readonly ok: false; readonly message: string };

export function parseFieldSpec(text: string): FieldSpecResult {
  const bar = text.indexOf('|');
  const typeText = (bar < 0 ? text : text.slice(0, bar)).trim();
  if (typeText === '') return { ok: false, message: `empty type in "${text}"` };
  if (bar < 0) return { ok: true, spec: { typeText, markers: [] } };
  const markers: Marker[] = [];
  const rest = text.slice(bar + 1);
  let i = 0;
  while (i < rest.length) {
    while (i < rest.length && /\s/.test(rest[i] ?? '')) i++;
    if (i >= rest.length) break;
    const keyStart = i;
    while (i < rest.length && rest[i] !== '=' && !/\s/.test(rest[i] ?? '')) i++;
    const key = rest.slice(keyStart, i);
    if (rest[i] !== '=')
      return { ok: false, message: `marker "${key}" has no value (expected ${key}=<value>)` };
    i++;
    const value = readValue(rest, i);
    if (!value.ok) return { ok: false, message: `marker "${key}": ${value.message}` };
    markers.push({ key, value: value.value });
    i = value.end;
  }
  return { ok: true, spec: { typeText, markers } };
}

type ValueResult = { ok: true; value: string; end: number } | { ok: false; message: string };

function readValue(s: string, start: number): ValueResult {
  if (s[start] === '"') {
    let out = '';
    for (let j = start + 1; j < s.length; j++) {
      const c = s[j];
      if (c === '\\' && j + 1 < s.length) {
        out += s[j + 1];
        j++;
      } else if (c === '"') {
        return { ok: true, value: out, end: j + 1 };
      } else {
        out += c;
      }
    }
    return { ok: false, message: 'unclosed quote' };
  }
  const stack: string[] = [];
  let j = start;
  for (; j < s.length; j++) {
    const c = s[j] ?? '';
    // An unquoted value runs on over spaces until the next `key=` (kro accepts `default=two words`).
    if (
      stack.length === 0 &&
      /\s/.test(c) &&
      (/^\s*$/.test(s.slice(j)) || /^\s+[A-Za-z]+=/.test(s.slice(j)))
    )
      break;
    if (c === '{' || c === '[') stack.push(c === '{' ? '}' : ']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return { ok: false, message: `unbalanced "${c}"` };
    } else if (c === '"') {
      const close = s.indexOf('"', j + 1);
      if (close < 0) return { ok: false, message: 'unclosed quote' };
      j = close;
    }
  }
  if (stack.length > 0)
    return { ok: false, message: `unclosed "${stack[stack.length - 1] === '}' ? '{' : '['}"` };
  return { ok: true, value: s.slice(start, j).trim(), end: j };
}
