/**
 * Argo CD's SanitizeName (applicationset/utils): lowercase; every character outside [-a-z0-9.] becomes '-';
 * truncated to 253; leading and trailing '-' and '.' trimmed. E.g. `production_01/west` → `production-01-west`.
 *
 * Lowercasing is Go's `strings.ToLower`, one code point to one code point (`unicode.ToLower`), not JavaScript's
 * `toLowerCase`, which follows SpecialCasing: it turns `İ` (U+0130) into two code points, `i` and a combining dot,
 * so `İprod` would become `i-prod` where Argo CD computes `iprod`, and would collide with the distinct name
 * `i\u0307prod`. The character class is matched case-sensitively: a `/i` flag would let Unicode case folding
 * accept the Kelvin sign or `ſ` as ASCII letters.
 */
export function sanitizeName(name: string): string {
  const lowered = goToLower(name);
  const replaced = lowered.replace(/[^-a-z0-9.]/gu, '-');
  // After the replacement every character is ASCII, so 253 characters are Go's 253 bytes.
  const truncated = replaced.length > 253 ? replaced.slice(0, 253) : replaced;
  return truncated.replace(/^[-.]+/, '').replace(/[-.]+$/, '');
}

/** U+0130: the only code point whose lowercase is one code point in Go (`i`) and two in JavaScript. */
const CAPITAL_I_WITH_DOT = '\u0130';

/**
 * Go's `strings.ToLower`: each code point mapped on its own by the simple lowercase mapping. A single code point
 * has no context, so JavaScript's final-sigma rule cannot apply either; only U+0130 needs its simple mapping.
 */
export function goToLower(s: string): string {
  if (/^\p{ASCII}*$/u.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += ch === CAPITAL_I_WITH_DOT ? 'i' : ch.toLowerCase();
  return out;
}
