/**
 * A small semver range matcher for Kubernetes versions ("1.30", "1.30.2"), following node-semver's range grammar
 * for the forms operators write: comparators (`>=1.29 <1.31`), partial and X-ranges (`1.30`, `1.30.x`, `1.x`, `*`),
 * tilde (`~1.30`), caret (`^1`), hyphen ranges (`1.28 - 1.30`) and `||`. Pre-release tags are not supported
 * because EKS versions have none.
 */
export type Version = readonly [number, number, number];

type Op = '<' | '<=' | '>' | '>=' | '=';
interface Comparator {
  readonly op: Op;
  readonly version: Version;
}

/** Alternatives (`||`), each a conjunction of comparators; an empty conjunction matches everything. */
export interface VersionRange {
  readonly text: string;
  readonly alternatives: readonly (readonly Comparator[])[];
}

/** A partial version: missing or wildcard parts are undefined. */
type Partial3 = readonly [number | undefined, number | undefined, number | undefined];

const PARTIAL = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/;

function parsePartial(text: string): Partial3 | undefined {
  const m = PARTIAL.exec(text);
  if (!m) return undefined;
  const parts: (number | undefined)[] = [];
  let wild = false;
  for (const p of [m[1], m[2], m[3]]) {
    // Everything after a wildcard is a wildcard too (`1.x.3` means `1.x`).
    if (wild || p === undefined || /^[xX*]$/.test(p)) {
      wild = true;
      parts.push(undefined);
    } else {
      parts.push(Number(p));
    }
  }
  return [parts[0], parts[1], parts[2]];
}

/** Parses a cluster version such as `1.30` or `v1.30.2` (missing parts are 0); undefined if it is not one. */
export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const ANY: readonly Comparator[] = [];

/** Comparators for a bare partial version: `1.30` means `>=1.30.0 <1.31.0`. */
function xRange(p: Partial3): Comparator[] {
  const [ma, mi, pa] = p;
  if (ma === undefined) return [];
  if (mi === undefined)
    return [
      { op: '>=', version: [ma, 0, 0] },
      { op: '<', version: [ma + 1, 0, 0] },
    ];
  if (pa === undefined)
    return [
      { op: '>=', version: [ma, mi, 0] },
      { op: '<', version: [ma, mi + 1, 0] },
    ];
  return [{ op: '=', version: [ma, mi, pa] }];
}

function tilde(p: Partial3): Comparator[] {
  const [ma, mi, pa] = p;
  if (ma === undefined) return [];
  if (mi === undefined) return xRange(p);
  return [
    { op: '>=', version: [ma, mi, pa ?? 0] },
    { op: '<', version: [ma, mi + 1, 0] },
  ];
}

function caret(p: Partial3): Comparator[] {
  const [ma, mi, pa] = p;
  if (ma === undefined) return [];
  const lower: Version = [ma, mi ?? 0, pa ?? 0];
  let upper: Version;
  if (ma > 0 || mi === undefined) upper = [ma + 1, 0, 0];
  else if (mi > 0 || pa === undefined) upper = [0, mi + 1, 0];
  else upper = [0, 0, pa + 1];
  return [
    { op: '>=', version: lower },
    { op: '<', version: upper },
  ];
}

/** `op` applied to a partial version, with node-semver's rules for the missing parts. */
function primitive(op: Op, p: Partial3): Comparator[] {
  const [ma, mi, pa] = p;
  if (ma === undefined) return op === '<' || op === '>' ? [{ op: '<', version: [0, 0, 0] }] : [];
  if (op === '=') return xRange(p);
  const full: Version = [ma, mi ?? 0, pa ?? 0];
  const complete = mi !== undefined && pa !== undefined;
  if (complete) return [{ op, version: full }];
  // Partial bounds round to the edge of the named range: `>1.29` is `>=1.30.0`, `<=1.30` is `<1.31.0`.
  const next: Version = mi === undefined ? [ma + 1, 0, 0] : [ma, mi + 1, 0];
  switch (op) {
    case '>=':
      return [{ op: '>=', version: full }];
    case '<':
      return [{ op: '<', version: full }];
    case '>':
      return [{ op: '>=', version: next }];
    case '<=':
      return [{ op: '<', version: next }];
  }
}

/**
 * Parses a range. Throws a SyntaxError whose message names the part that could not be read.
 */
export function parseVersionRange(text: string): VersionRange {
  const alternatives = text.split('||').map((alt) => parseConjunction(alt.trim(), text));
  return { text, alternatives };
}

function parseConjunction(src: string, whole: string): readonly Comparator[] {
  if (src === '') {
    if (whole.trim() === '') return ANY;
    if (whole.includes('||')) throw new SyntaxError(`"${whole}": empty alternative around "||"`);
    return ANY;
  }
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(src);
  if (hyphen) {
    const from = partialOrThrow(hyphen[1] ?? '', whole);
    const to = partialOrThrow(hyphen[2] ?? '', whole);
    return [...primitive('>=', from), ...primitive('<=', to)];
  }
  // Allow a space between an operator and its version (`>= 1.29`), as node-semver does.
  const tokens = src.replace(/(<=|>=|<|>|=|~|\^)\s+/g, '$1').split(/\s+/);
  const out: Comparator[] = [];
  for (const token of tokens) {
    const m = /^(<=|>=|<|>|=|~>?|\^)?(.*)$/.exec(token);
    const op = m?.[1];
    const p = partialOrThrow(m?.[2] ?? '', whole, token);
    if (op === undefined) out.push(...xRange(p));
    else if (op === '~' || op === '~>') out.push(...tilde(p));
    else if (op === '^') out.push(...caret(p));
    else out.push(...primitive(op as Op, p));
  }
  return out;
}

function partialOrThrow(text: string, whole: string, token = text): Partial3 {
  const p = parsePartial(text);
  if (!p) {
    throw new SyntaxError(
      `"${whole}": cannot read "${token}" (expected a version such as 1.30, 1.30.x, >=1.29, ~1.30, ^1 or 1.28 - 1.30)`,
    );
  }
  return p;
}

function satisfies(v: Version, c: Comparator): boolean {
  const d = compareVersions(v, c.version);
  switch (c.op) {
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
    case '>':
      return d > 0;
    case '>=':
      return d >= 0;
    case '=':
      return d === 0;
  }
}

/** True when `version` (e.g. "1.30") is inside `range`; an unreadable version matches nothing. */
export function versionInRange(version: string, range: VersionRange): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  return range.alternatives.some((all) => all.every((c) => satisfies(v, c)));
}
