import { Range, coerce } from 'semver';

/**
 * The `kubernetesVersion` parameter: a node-semver range over a cluster's Kubernetes version ("1.30", "1.30.2"),
 * in the forms operators write: comparators (`>=1.29 <1.31`), partial and X-ranges (`1.30`, `1.30.x`, `1.x`, `*`),
 * tilde (`~1.30`), caret (`^1`), hyphen ranges (`1.28 - 1.30`) and `||`.
 *
 * node-semver gives the meaning; the syntax is checked here first, because a refusal must name the part that
 * could not be read, and node-semver reads some texts as something other than a refusal: an empty alternative
 * (`1.30 ||`) as "any version", a pre-release tag as a version (EKS versions have none).
 */
export interface VersionRange {
  readonly text: string;
  readonly range: Range;
}

/** Loose: a cluster version part with a leading zero (`1.030`) reads as its number. */
const LOOSE = { loose: true } as const;

const PART = String.raw`(?:\d+|[xX*])`;
const PARTIAL = new RegExp(String.raw`^v?${PART}(?:\.${PART}){0,2}$`);
const COMPARATOR = new RegExp(String.raw`^(<=|>=|<|>|=|~>?|\^)?(v?${PART}(?:\.${PART}){0,2})$`);
/** Everything after a wildcard is a wildcard too (`1.x.3` means `1.x`); node-semver refuses the tail. */
const AFTER_WILDCARD = /([xX*])(?:\.(?:\d+|[xX*]))+$/;
/** A cluster version such as `1.30` or `v1.30.2` (missing parts are 0). */
const CLUSTER_VERSION = /^v?\d+(?:\.\d+){0,2}$/;

/** Parses a range. Throws a SyntaxError whose message names the part that could not be read. */
export function parseVersionRange(text: string): VersionRange {
  const alternatives = text.split('||').map((alt) => canonicalAlternative(alt.trim(), text));
  try {
    return { text, range: new Range(alternatives.join(' || ')) };
  } catch {
    // Unreachable in practice: what node-semver refuses was refused above, naming the part it could not read.
    throw cannotRead(text, text);
  }
}

/** True when `version` (e.g. "1.30") is inside `range`; an unreadable version matches nothing. */
export function versionInRange(version: string, range: VersionRange): boolean {
  const trimmed = version.trim();
  if (!CLUSTER_VERSION.test(trimmed)) return false;
  const v = coerce(trimmed, LOOSE);
  return v !== null && range.range.test(v);
}

/** One `||` alternative, checked, in a spelling node-semver reads as we mean it. */
function canonicalAlternative(src: string, whole: string): string {
  if (src === '') {
    if (whole.trim() !== '' && whole.includes('||')) {
      throw new SyntaxError(`"${whole}": empty alternative around "||"`);
    }
    return '*';
  }
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(src);
  if (hyphen) {
    const [from = '', to = ''] = [hyphen[1], hyphen[2]];
    return `${partialOrThrow(from, whole)} - ${partialOrThrow(to, whole)}`;
  }
  // Allow a space between an operator and its version (`>= 1.29`), as node-semver does.
  const tokens = src.replace(/(<=|>=|<|>|=|~|\^)\s+/g, '$1').split(/\s+/);
  return tokens
    .map((token) => {
      const m = COMPARATOR.exec(token);
      if (!m) throw cannotRead(whole, token);
      return (
        (m[1] ?? '') + canonicalNumbers((m[2] ?? '').replace(AFTER_WILDCARD, '$1'), whole, token)
      );
    })
    .join(' ');
}

function partialOrThrow(text: string, whole: string): string {
  if (!PARTIAL.test(text)) throw cannotRead(whole, text);
  return canonicalNumbers(text.replace(AFTER_WILDCARD, '$1'), whole, text);
}

/**
 * Version parts without leading zeros (`1.030` is `1.30`), which node-semver refuses, or in loose mode takes
 * `^00.1` for a major above 0. node-semver holds a part, and the next one up (`1.30` ends before `1.31`), as an
 * exact integer: a part from 2^53 - 1 on is no Kubernetes version.
 */
function canonicalNumbers(partial: string, whole: string, token: string): string {
  return partial.replace(/\d+/g, (digits) => {
    const n = Number(digits);
    if (!(n < Number.MAX_SAFE_INTEGER)) throw cannotRead(whole, token);
    return String(n);
  });
}

function cannotRead(whole: string, token: string): SyntaxError {
  return new SyntaxError(
    `"${whole}": cannot read "${token}" (expected a version such as 1.30, 1.30.x, >=1.29, ~1.30, ^1 or 1.28 - 1.30)`,
  );
}
