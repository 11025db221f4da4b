/**
 * Go value semantics the Argo CD emulation needs: `fmt` `%v` and `%q` text, `strings.TrimSpace`,
 * `strconv.Atoi`, and `encoding/json` encoding. JavaScript's own conversions differ from Go's in small,
 * observable ways (exponent form, whitespace sets, error texts), and the emulation must show what
 * Argo CD shows.
 *
 * Value model shared by the emulation (what a Go `map[string]any` decoded from JSON holds):
 * - string, boolean, `null` (Go nil), number (Go float64), arrays, plain objects;
 * - `bigint`: a Go `int` (template integer constants, `len` results);
 * - {@link RawJson}: an `apiextensionsv1.JSON` (the values of a plugin generator's `input.parameters`),
 *   which Go keeps as raw bytes, not as a decoded value.
 */

/** An `apiextensionsv1.JSON`: raw JSON bytes that Go never decodes (see argocd-contract.md A6). */
export class RawJson {
  constructor(readonly raw: string) {}
  /** JSON.stringify sees the decoded value, as json.Marshal emits the raw bytes. */
  toJSON(): unknown {
    return JSON.parse(this.raw) as unknown;
  }
}

export type GoValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | RawJson
  | readonly GoValue[]
  | { readonly [key: string]: GoValue };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawJson);
}

/**
 * `fmt.Sprintf("%v", f)` for a float64 (strconv 'g' with shortest digits): exponent form when the decimal
 * exponent is < -4 or >= 6, with at least two exponent digits. `1234567` → `1.234567e+06`.
 */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // Shortest round-trip digits are the same in Go and JavaScript; only the layout differs.
  const [mantissa = '', expText = '0'] = f.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(f); // JavaScript writes plain decimals for 1e-5 <= |f| < 1e21
}

/**
 * `fmt.Sprint(v)` / `%v` for the value model. Maps print as `map[k:v ...]` with sorted keys, slices as
 * `[a b]`, nil as `<nil>`, a RawJson as Go prints the struct `{Raw []byte}`: `{[123 34 ...]}`.
 */
export function formatGoV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatGoFloat(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof RawJson) return `{[${[...Buffer.from(v.raw, 'utf8')].join(' ')}]}`;
  if (Array.isArray(v)) return `[${v.map(formatGoV).join(' ')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort(compareGoStrings);
    return `map[${keys.map((k) => `${k}:${formatGoV(v[k])}`).join(' ')}]`;
  }
  throw new TypeError(`formatGoV: unsupported value ${typeof v}`);
}

/** Go compares strings bytewise (UTF-8); JavaScript's default sort compares UTF-16 units. */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** `strconv.Quote` (what `%q` prints for a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
      default:
    }
    if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (isGoPrintable(cp)) out += ch;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

function isGoPrintable(cp: number): boolean {
  // unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
  return cp === 0x20 || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(cp));
}

/** Characters `strings.TrimSpace` removes (unicode.IsSpace), which is not JavaScript's trim() set. */
const GO_SPACE =
  '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'gu');

export function goTrimSpace(s: string): string {
  return s.replace(GO_TRIM, '');
}

/** `strconv.Atoi` on a 64-bit platform, with Go's error texts. */
export function goAtoi(s: string): { value: number } | { error: string } {
  if (!/^[+-]?[0-9]+$/.test(s))
    return { error: `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax` };
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) {
    return { error: `strconv.Atoi: parsing ${goQuote(s)}: value out of range` };
  }
  return { value: Number(n) };
}

export interface GoJsonEncodeOptions {
  /** json.Marshal escapes <, > and & as \u003c...; an Encoder with SetEscapeHTML(false) does not. */
  readonly escapeHTML: boolean;
}

/**
 * `encoding/json` output for the value model: map keys sorted, no spaces, Go's string escapes (U+2028 and
 * U+2029 always escaped, \b and \f short forms since Go 1.22), float64 in Go's JSON layout.
 */
export function encodeGoJson(v: unknown, opts: GoJsonEncodeOptions): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return encodeGoJsonString(v, opts);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`json: unsupported value: ${formatGoFloat(v)}`);
    return Object.is(v, -0) ? '-0' : JSON.stringify(v); // same layout as Go's float encoder
  }
  if (v instanceof RawJson) return compactGoJson(v.raw, opts);
  if (Array.isArray(v)) return `[${v.map((x) => encodeGoJson(x, opts)).join(',')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort(compareGoStrings);
    return `{${keys.map((k) => `${encodeGoJsonString(k, opts)}:${encodeGoJson(v[k], opts)}`).join(',')}}`;
  }
  throw new TypeError(`encodeGoJson: unsupported value ${typeof v}`);
}

/** json.Marshal re-compacts a Marshaler's bytes; keys keep their stored order. */
function compactGoJson(raw: string, opts: GoJsonEncodeOptions): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] ?? '';
    if (inString) {
      if (ch === '\\') {
        out += ch + (raw[i + 1] ?? '');
        i++;
        continue;
      }
      if (ch === '"') inString = false;
      out += escapeHtmlChar(ch, opts);
      continue;
    }
    if (ch === '"') inString = true;
    if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r') continue;
    out += ch;
  }
  return out;
}

function escapeHtmlChar(ch: string, opts: GoJsonEncodeOptions): string {
  if (opts.escapeHTML && (ch === '<' || ch === '>' || ch === '&')) {
    return `\\u00${ch.charCodeAt(0).toString(16)}`;
  }
  if (ch === '\u2028') return '\\u2028';
  if (ch === '\u2029') return '\\u2029';
  return ch;
}

export function encodeGoJsonString(s: string, opts: GoJsonEncodeOptions): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (cp < 0x20) out += `\\u00${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff)
      out += '\\ufffd'; // a lone surrogate is invalid UTF-8 in Go
    else out += escapeHtmlChar(ch, opts);
  }
  return out + '"';
}
