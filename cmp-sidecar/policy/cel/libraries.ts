import { Optional } from '@marcbachmann/cel-js';
import type { Environment } from '@marcbachmann/cel-js';
import { registerTwoVariableComprehensions } from './comprehensions';
import { Format, FORMATS } from './formats';
import { formatString, quote } from './string-format';
import { charge } from './meter';
import { find, findAll, matches } from './regex';
import * as net from './net';
import * as q from './quantity';

/**
 * The Kubernetes CEL extension libraries (policy-cel.md §A.11) the CEL library lacks, registered on an environment:
 * Regex (RE2), Lists, Sets, the ext.Strings functions it does not have, and Quantity. Receiver-style `matches`
 * cannot be replaced in the library, so compiled expressions call `k8sMatches` instead (./compile.ts renames it).
 */
export const RE2_MATCHES = 'k8sMatches';

class SetsNamespace {}
class IPNamespace {}
class FormatNamespace {}
class StringsNamespace {}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a === b ? 0 : a < b ? -1 : 1;
  if (
    (typeof a === 'number' || typeof a === 'bigint') &&
    (typeof b === 'number' || typeof b === 'bigint')
  ) {
    const x = Number(a);
    const y = Number(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (typeof a === 'string' && typeof b === 'string') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof q.Quantity && b instanceof q.Quantity) return Number(a.compareTo(b));
  throw new Error('no such overload');
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (
    (typeof a === 'number' || typeof a === 'bigint') &&
    (typeof b === 'number' || typeof b === 'bigint')
  )
    return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}

function traverse(list: readonly unknown[]): void {
  charge(list.length);
}

function sum(list: readonly unknown[]): unknown {
  traverse(list);
  if (list.length === 0) return 0n;
  if (list.every((x) => typeof x === 'bigint'))
    return (list as bigint[]).reduce((s, x) => s + x, 0n);
  if (list.every((x) => typeof x === 'number'))
    return (list as number[]).reduce((s, x) => s + x, 0);
  throw new Error('no such overload: sum on mixed or non-numeric list');
}

function extreme(list: readonly unknown[], sign: 1 | -1, name: string): unknown {
  traverse(list);
  if (list.length === 0) throw new Error(`${name} called on empty list`);
  let best = list[0];
  for (const x of list) if (compare(x, best) * sign > 0) best = x;
  return best;
}

function codePoints(s: string): string[] {
  return Array.from(s);
}

export function registerKubernetesLibraries(env: Environment): void {
  // Regex (RE2 semantics).
  env.registerFunction(`string.${RE2_MATCHES}(string): bool`, (s: string, re: string) => {
    charge(Math.ceil((s.length * re.length) / 100));
    return matches(s, re);
  });
  env.registerFunction('matches(string, string): bool', (s: string, re: string) => matches(s, re));
  env.registerFunction('string.find(string): string', (s: string, re: string) => {
    charge(Math.ceil((s.length * re.length) / 100));
    return find(s, re);
  });
  env.registerFunction('string.findAll(string): list<string>', (s: string, re: string) => {
    charge(Math.ceil((s.length * re.length) / 100));
    return findAll(s, re);
  });
  env.registerFunction(
    'string.findAll(string, int): list<string>',
    (s: string, re: string, n: bigint) => {
      charge(Math.ceil((s.length * re.length) / 100));
      return findAll(s, re, Number(n));
    },
  );

  // Lists.
  env.registerFunction('list.isSorted(): bool', (l: unknown[]) => {
    traverse(l);
    for (let i = 1; i < l.length; i++) if (compare(l[i - 1], l[i]) > 0) return false;
    return true;
  });
  env.registerFunction('list.sum(): dyn', (l: unknown[]) => sum(l));
  env.registerFunction('list.min(): dyn', (l: unknown[]) => extreme(l, -1, 'min'));
  env.registerFunction('list.max(): dyn', (l: unknown[]) => extreme(l, 1, 'max'));
  env.registerFunction('list.indexOf(dyn): int', (l: unknown[], x: unknown) => {
    traverse(l);
    return BigInt(l.findIndex((y) => equal(x, y)));
  });
  env.registerFunction('list.lastIndexOf(dyn): int', (l: unknown[], x: unknown) => {
    traverse(l);
    for (let i = l.length - 1; i >= 0; i--) if (equal(x, l[i])) return BigInt(i);
    return -1n;
  });

  // Sets (ext): sets.contains(a, b), sets.equivalent(a, b), sets.intersects(a, b).
  env.registerType('SetsNamespace', SetsNamespace);
  env.registerConstant('sets', 'SetsNamespace', new SetsNamespace());
  const has = (l: readonly unknown[], x: unknown): boolean => l.some((y) => equal(x, y));
  env.registerFunction(
    'SetsNamespace.contains(list, list): bool',
    (_: unknown, a: unknown[], b: unknown[]) => {
      charge(a.length * b.length);
      return b.every((x) => has(a, x));
    },
  );
  env.registerFunction(
    'SetsNamespace.equivalent(list, list): bool',
    (_: unknown, a: unknown[], b: unknown[]) => {
      charge(a.length * b.length);
      return b.every((x) => has(a, x)) && a.every((x) => has(b, x));
    },
  );
  env.registerFunction(
    'SetsNamespace.intersects(list, list): bool',
    (_: unknown, a: unknown[], b: unknown[]) => {
      charge(a.length * b.length);
      return b.some((x) => has(a, x));
    },
  );

  // ext.Strings (version 2) functions the library lacks.
  env.registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
    const cps = codePoints(s);
    const n = Number(i);
    if (n < 0 || n > cps.length) throw new Error(`index out of range: ${n}`);
    return cps[n] ?? '';
  });
  env.registerFunction(
    'string.replace(string, string): string',
    (s: string, a: string, b: string) => {
      charge(Math.ceil(s.length / 10));
      return s.split(a).join(b);
    },
  );
  env.registerFunction(
    'string.replace(string, string, int): string',
    (s: string, a: string, b: string, n: bigint) => {
      charge(Math.ceil(s.length / 10));
      const limit = Number(n);
      if (limit < 0) return s.split(a).join(b);
      const parts = s.split(a);
      if (parts.length - 1 <= limit) return parts.join(b);
      return parts.slice(0, limit + 1).join(b) + a + parts.slice(limit + 1).join(a);
    },
  );

  env.registerFunction('string.format(list): string', (s: string, args: unknown[]) => {
    charge(args.length + Math.ceil(s.length / 10));
    return formatString(s, args);
  });
  env.registerType('StringsNamespace', StringsNamespace);
  env.registerConstant('strings', 'StringsNamespace', new StringsNamespace());
  env.registerFunction('StringsNamespace.quote(string): string', (_: unknown, s: string) =>
    quote(s),
  );

  // Quantity.
  env.registerType('Quantity', { ctor: q.Quantity, fields: {} } as never);
  env.registerFunction('quantity(string): Quantity', (s: string) => q.parseQuantity(s));
  env.registerFunction('isQuantity(string): bool', (s: string) => q.isQuantity(s));
  env.registerFunction('Quantity.sign(): int', (a: q.Quantity) => q.sign(a));
  env.registerFunction('Quantity.isInteger(): bool', (a: q.Quantity) => q.isInteger(a));
  env.registerFunction('Quantity.asInteger(): int', (a: q.Quantity) => q.asInteger(a));
  env.registerFunction('Quantity.asApproximateFloat(): double', (a: q.Quantity) =>
    q.asApproximateFloat(a),
  );
  env.registerFunction('Quantity.compareTo(Quantity): int', (a: q.Quantity, b: q.Quantity) =>
    a.compareTo(b),
  );
  env.registerFunction(
    'Quantity.isGreaterThan(Quantity): bool',
    (a: q.Quantity, b: q.Quantity) => a.compareTo(b) > 0n,
  );
  env.registerFunction(
    'Quantity.isLessThan(Quantity): bool',
    (a: q.Quantity, b: q.Quantity) => a.compareTo(b) < 0n,
  );
  env.registerFunction('Quantity.add(Quantity): Quantity', (a: q.Quantity, b: q.Quantity) =>
    q.add(a, b),
  );
  env.registerFunction('Quantity.add(int): Quantity', (a: q.Quantity, b: bigint) => q.add(a, b));
  env.registerFunction('Quantity.sub(Quantity): Quantity', (a: q.Quantity, b: q.Quantity) =>
    q.sub(a, b),
  );
  env.registerFunction('Quantity.sub(int): Quantity', (a: q.Quantity, b: bigint) => q.sub(a, b));

  registerNetLibraries(env);
  registerFormatLibrary(env);
  registerTwoVariableComprehensions(env);
}

/** IP and CIDR (Kubernetes 1.30+) and URL. */
function registerNetLibraries(env: Environment): void {
  env.registerType('IP', { ctor: net.IPAddress, fields: {} } as never);
  env.registerType('CIDR', { ctor: net.CIDRPrefix, fields: {} } as never);
  env.registerType('URL', { ctor: net.ParsedURL, fields: {} } as never);
  env.registerType('IPNamespace', IPNamespace);
  env.registerConstant('ip', 'IPNamespace', new IPNamespace());
  env.registerFunction('ip(string): IP', (s: string) => net.parseIP(s));
  env.registerFunction('isIP(string): bool', (s: string) => net.isIP(s));
  env.registerFunction('IPNamespace.isCanonical(string): bool', (_: unknown, s: string) =>
    net.isCanonicalIP(s),
  );
  env.registerFunction('IP.family(): int', (a: net.IPAddress) => BigInt(a.family));
  for (const [name, fn] of Object.entries(net.ipPredicates))
    env.registerFunction(`IP.${name}(): bool`, (a: net.IPAddress) => fn(a));
  env.registerFunction('IP.string(): string', (a: net.IPAddress) => a.text);
  env.registerFunction('string(IP): string', (a: net.IPAddress) => a.text);

  env.registerFunction('cidr(string): CIDR', (s: string) => net.parseCIDR(s));
  env.registerFunction('isCIDR(string): bool', (s: string) => net.isCIDR(s));
  env.registerFunction('CIDR.containsIP(IP): bool', (c: net.CIDRPrefix, a: net.IPAddress) =>
    net.containsIP(c, a),
  );
  env.registerFunction('CIDR.containsIP(string): bool', (c: net.CIDRPrefix, a: string) =>
    net.containsIP(c, net.parseIP(a)),
  );
  env.registerFunction('CIDR.containsCIDR(CIDR): bool', (c: net.CIDRPrefix, o: net.CIDRPrefix) =>
    net.containsCIDR(c, o),
  );
  env.registerFunction('CIDR.containsCIDR(string): bool', (c: net.CIDRPrefix, o: string) =>
    net.containsCIDR(c, net.parseCIDR(o)),
  );
  env.registerFunction('CIDR.ip(): IP', (c: net.CIDRPrefix) => c.ip);
  env.registerFunction('CIDR.masked(): CIDR', (c: net.CIDRPrefix) => net.masked(c));
  env.registerFunction('CIDR.prefixLength(): int', (c: net.CIDRPrefix) => BigInt(c.prefixLength));
  env.registerFunction('CIDR.string(): string', (c: net.CIDRPrefix) => net.cidrString(c));
  env.registerFunction('string(CIDR): string', (c: net.CIDRPrefix) => net.cidrString(c));

  env.registerFunction('url(string): URL', (s: string) => net.parseURL(s));
  env.registerFunction('isURL(string): bool', (s: string) => net.isURL(s));
  env.registerFunction('URL.getScheme(): string', (u: net.ParsedURL) => u.scheme);
  env.registerFunction('URL.getHost(): string', (u: net.ParsedURL) => u.host);
  env.registerFunction('URL.getHostname(): string', (u: net.ParsedURL) => net.hostname(u));
  env.registerFunction('URL.getPort(): string', (u: net.ParsedURL) => net.port(u));
  env.registerFunction('URL.getEscapedPath(): string', (u: net.ParsedURL) => u.path);
  env.registerFunction('URL.getQuery(): map<string, list<string>>', (u: net.ParsedURL) =>
    net.query(u),
  );
}

/** Format (Kubernetes 1.31+): `format.named(name)`, `format.<name>()`, `<Format>.validate(s)`. */
function registerFormatLibrary(env: Environment): void {
  env.registerType('Format', { ctor: Format, fields: {} } as never);
  env.registerType('FormatNamespace', FormatNamespace);
  env.registerConstant('format', 'FormatNamespace', new FormatNamespace());
  env.registerFunction(
    'FormatNamespace.named(string): optional<Format>',
    (_: unknown, name: string) => {
      const validate = Object.hasOwn(FORMATS, name) ? FORMATS[name] : undefined;
      return validate === undefined ? Optional.none() : Optional.of(new Format(name, validate));
    },
  );
  for (const [name, validate] of Object.entries(FORMATS))
    env.registerFunction(`FormatNamespace.${name}(): Format`, () => new Format(name, validate));
  env.registerFunction(
    'Format.validate(string): optional<list<string>>',
    (f: Format, s: string) => {
      const problems = f.validate(s);
      return problems.length === 0 ? Optional.none() : Optional.of(problems);
    },
  );
}
