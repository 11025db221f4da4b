/**
 * Values of the Kubernetes IP, CIDR and URL CEL libraries (policy-cel.md §A.11), parsed as Go's netip and net/url
 * parse them: IPv4 without leading zeros, IPv6 without zones, IPv4-mapped IPv6 refused by `ip()`; a CIDR may have
 * host bits set (netip.ParsePrefix accepts it; `masked()` clears them); a URL is an absolute URI or path.
 */
export class IPAddress {
  constructor(
    readonly bytes: readonly number[],
    readonly text: string,
  ) {}
  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }
}

export class CIDRPrefix {
  constructor(
    readonly ip: IPAddress,
    readonly prefixLength: number,
  ) {}
}

export class ParsedURL {
  constructor(
    readonly scheme: string,
    readonly host: string,
    readonly path: string,
    readonly query: string,
  ) {}
}

function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIPv6(s: string): number[] | undefined {
  if (s.includes('%')) return undefined; // zones are refused
  let tail: number[] = [];
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = v4;
    text = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const rest = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || rest === undefined) return undefined;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function canonical(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // RFC 5952: the longest run of two or more zero groups becomes "::" (the first such run on a tie).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Parses an address; `allowMapped` is false for `ip()` (Kubernetes refuses IPv4-mapped IPv6 there). */
export function parseIP(s: string, allowMapped = false): IPAddress {
  const bytes = s.includes(':') ? parseIPv6(s) : parseIPv4(s);
  if (bytes === undefined)
    throw new Error(`IP Address ${JSON.stringify(s)} parse error during conversion from string`);
  const mapped =
    bytes.length === 16 &&
    bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff;
  if (mapped && !allowMapped) throw new Error('IPv4-mapped IPv6 addresses are not allowed');
  return new IPAddress(bytes, canonical(bytes));
}

export function isIP(s: string): boolean {
  try {
    parseIP(s);
    return true;
  } catch {
    return false;
  }
}

export function isCanonicalIP(s: string): boolean {
  return parseIP(s).text === s;
}

function prefixOf(bytes: readonly number[], n: number): number[] {
  return bytes.map((b, i) => {
    const bits = Math.max(0, Math.min(8, n - i * 8));
    return bits === 8 ? b : b & ((0xff << (8 - bits)) & 0xff);
  });
}

export const ipPredicates = {
  isUnspecified: (ip: IPAddress) => ip.bytes.every((b) => b === 0),
  isLoopback: (ip: IPAddress) =>
    ip.family === 4
      ? ip.bytes[0] === 127
      : ip.bytes.slice(0, 15).every((b) => b === 0) && ip.bytes[15] === 1,
  isLinkLocalMulticast: (ip: IPAddress) =>
    ip.family === 4
      ? ip.bytes[0] === 224 && ip.bytes[1] === 0 && ip.bytes[2] === 0
      : ip.bytes[0] === 0xff && ((ip.bytes[1] ?? 0) & 0x0f) === 0x02,
  isLinkLocalUnicast: (ip: IPAddress) =>
    ip.family === 4
      ? ip.bytes[0] === 169 && ip.bytes[1] === 254
      : ip.bytes[0] === 0xfe && ((ip.bytes[1] ?? 0) & 0xc0) === 0x80,
  isGlobalUnicast: (ip: IPAddress) => {
    if (ipPredicates.isUnspecified(ip) || ipPredicates.isLoopback(ip)) return false;
    if (ipPredicates.isLinkLocalUnicast(ip)) return false;
    if (ip.family === 4) return !(ip.bytes[0]! >= 224) && !ip.bytes.every((b) => b === 255);
    return ip.bytes[0] !== 0xff;
  },
};

export function parseCIDR(s: string): CIDRPrefix {
  const slash = s.indexOf('/');
  const bad = new Error(
    `network address parse error during conversion from string: ${JSON.stringify(s)}`,
  );
  if (slash < 0) throw bad;
  const ip = parseIP(s.slice(0, slash), true);
  const len = s.slice(slash + 1);
  if (!/^(0|[1-9]\d*)$/.test(len) || Number(len) > ip.bytes.length * 8) throw bad;
  return new CIDRPrefix(ip, Number(len));
}

export function isCIDR(s: string): boolean {
  try {
    parseCIDR(s);
    return true;
  } catch {
    return false;
  }
}

export function masked(c: CIDRPrefix): CIDRPrefix {
  const bytes = prefixOf(c.ip.bytes, c.prefixLength);
  return new CIDRPrefix(new IPAddress(bytes, canonical(bytes)), c.prefixLength);
}

export function cidrString(c: CIDRPrefix): string {
  return `${c.ip.text}/${c.prefixLength}`;
}

export function containsIP(c: CIDRPrefix, ip: IPAddress): boolean {
  if (ip.family !== c.ip.family) return false;
  const a = prefixOf(c.ip.bytes, c.prefixLength);
  const b = prefixOf(ip.bytes, c.prefixLength);
  return a.every((x, i) => x === b[i]);
}

export function containsCIDR(c: CIDRPrefix, other: CIDRPrefix): boolean {
  return other.prefixLength >= c.prefixLength && containsIP(c, other.ip);
}

const URI = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;

export function parseURL(s: string): ParsedURL {
  if (s.startsWith('/')) {
    const m = /^([^?#]*)(?:\?([^#]*))?(?:#.*)?$/.exec(s);
    return new ParsedURL('', '', m?.[1] ?? s, m?.[2] ?? '');
  }
  const m = URI.exec(s);
  if (m === null)
    throw new Error(`URL ${JSON.stringify(s)} must be an absolute URI or an absolute path`);
  const authority = m[2] ?? '';
  const host = authority.includes('@')
    ? authority.slice(authority.lastIndexOf('@') + 1)
    : authority;
  return new ParsedURL(m[1] ?? '', host, m[3] ?? '', m[4] ?? '');
}

export function isURL(s: string): boolean {
  try {
    parseURL(s);
    return true;
  } catch {
    return false;
  }
}

export function hostname(u: ParsedURL): string {
  if (u.host.startsWith('[')) return u.host.slice(1, u.host.indexOf(']'));
  const colon = u.host.lastIndexOf(':');
  return colon < 0 ? u.host : u.host.slice(0, colon);
}

export function port(u: ParsedURL): string {
  const end = u.host.startsWith('[') ? u.host.indexOf(']') + 1 : 0;
  const colon = u.host.indexOf(':', end);
  return colon < 0 ? '' : u.host.slice(colon + 1);
}

/** Go's url.ParseQuery: `+` is a space, percent-escapes decoded, every key a list of values. */
export function query(u: ParsedURL): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (u.query === '') return out;
  const decode = (t: string): string => {
    try {
      return decodeURIComponent(t.replace(/\+/g, ' '));
    } catch {
      return t;
    }
  };
  for (const part of u.query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decode(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decode(part.slice(eq + 1));
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}
