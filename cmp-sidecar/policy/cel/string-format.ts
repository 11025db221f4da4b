/**
 * ext.Strings `format` and `strings.quote` (cel-go ext/strings.go, version 1+): printf-like verbs `%s %d %f %e %b
 * %x %X %o` with an optional precision (`%.2f`), `%%` for a percent sign.
 */
function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(asText).join(', ')}]`;
  if (v instanceof Map)
    return `{${[...v.entries()].map(([k, x]) => `${asText(k)}: ${asText(x)}`).join(', ')}}`;
  if (typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${asText(x)}`)
      .join(', ')}}`;
  // Symbols, functions and undefined do not occur in CEL values.
  return '';
}

function integer(v: unknown, verb: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new Error(`error during formatting: ${verb} expects an integer, got ${typeof v}`);
}

function float(v: unknown, verb: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new Error(`error during formatting: ${verb} expects a number, got ${typeof v}`);
}

export function formatString(template: string, args: readonly unknown[]): string {
  let next = 0;
  const take = (verb: string): unknown => {
    if (next >= args.length) throw new Error(`index ${next} out of range for format verb %${verb}`);
    return args[next++];
  };
  return template.replace(
    /%(?:\.(\d+))?([sdfebxXo%])/g,
    (_m, precision: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      const v = take(verb);
      const p = precision === undefined ? undefined : Number(precision);
      switch (verb) {
        case 's':
          return asText(v);
        case 'd':
          return integer(v, '%d').toString();
        case 'f':
          return float(v, '%f').toFixed(p ?? 6);
        case 'e': {
          const [m = '', e = '0'] = float(v, '%e')
            .toExponential(p ?? 6)
            .split('e');
          const exp = Number(e);
          return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
        }
        case 'b':
          return integer(v, '%b').toString(2);
        case 'o':
          return integer(v, '%o').toString(8);
        default: {
          const hex =
            typeof v === 'string'
              ? Buffer.from(v, 'utf8').toString('hex')
              : integer(v, `%${verb}`).toString(16);
          return verb === 'X' ? hex.toUpperCase() : hex;
        }
      }
    },
  );
}

/** Go's strconv.Quote for valid UTF-8 text. */
export function quote(s: string): string {
  const escapes: Record<string, string> = {
    '\u0007': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\u000b': '\\v',
    '\\': '\\\\',
    '"': '\\"',
  };
  let out = '"';
  for (const ch of s) {
    const e = escapes[ch];
    if (e !== undefined) out += e;
    else if (ch < ' ' || ch === '\u007f')
      out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
