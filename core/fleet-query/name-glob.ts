/** Shell-style name globs: `*` matches any run of characters, `?` exactly one; everything else is literal. */
export interface NameGlob {
  readonly pattern: string;
  test(name: string): boolean;
}

/** The `names` globs of one request, compiled into one matcher: a name matches when any glob does. */
export interface NameMatcher {
  test(name: string): boolean;
  /** Code points of the distinct globs holding `*` or `?`: what a match can cost per name character. */
  readonly wildcardCodePoints: number;
  /** How many distinct globs hold `*` or `?`. */
  readonly wildcardGlobs: number;
}

interface CompiledGlob {
  readonly codePoints: readonly string[];
  /** Literal text before the first wildcard and after the last one: cheap checks that reject most names. */
  readonly prefix: string;
  readonly suffix: string;
  /** Code points a name needs at least (all but the stars); exactly, when there is no star. */
  readonly minLength: number;
  readonly hasStar: boolean;
}

/**
 * Matched without a regular expression: `^.*a.*a.*a…b$` backtracks exponentially in the number of stars, and the
 * pattern comes from the request. This walk only ever returns to the last star, so it takes at most
 * pattern × name steps. Works on code points, so `?` matches one character even outside the BMP.
 */
export function compileNameGlob(pattern: string): NameGlob {
  const glob = compile(pattern);
  return { pattern, test: (name) => compiledMatches(glob, name, Array.from(name)) };
}

/**
 * One matcher for a request's globs. Globs without wildcards are one set lookup; duplicates count once; a name's
 * code points are split once for all globs; the literal prefix, suffix and length of each glob reject a name
 * before the walk. What remains is bounded by the caller (wildcardCodePoints × the fleet's name lengths).
 */
export function compileNameGlobs(patterns: readonly string[]): NameMatcher {
  const literals = new Set<string>();
  const wildcard = new Map<string, CompiledGlob>();
  for (const p of patterns) {
    if (!/[*?]/.test(p)) literals.add(p);
    else if (!wildcard.has(p)) wildcard.set(p, compile(p));
  }
  const globs = [...wildcard.values()];
  let wildcardCodePoints = 0;
  for (const g of globs) wildcardCodePoints += g.codePoints.length;
  return {
    wildcardCodePoints,
    wildcardGlobs: globs.length,
    test: (name) => {
      if (literals.has(name)) return true;
      if (globs.length === 0) return false;
      const codePoints = Array.from(name);
      return globs.some((g) => compiledMatches(g, name, codePoints));
    },
  };
}

function compile(pattern: string): CompiledGlob {
  const codePoints = Array.from(pattern);
  const first = codePoints.findIndex((c) => c === '*' || c === '?');
  const last = findLastIndex(codePoints, (c) => c === '*' || c === '?');
  const stars = codePoints.filter((c) => c === '*').length;
  return {
    codePoints,
    prefix: first < 0 ? pattern : codePoints.slice(0, first).join(''),
    suffix: first < 0 ? '' : codePoints.slice(last + 1).join(''),
    minLength: codePoints.length - stars,
    hasStar: stars > 0,
  };
}

function findLastIndex<T>(items: readonly T[], p: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (p(items[i] as T)) return i;
  return -1;
}

function compiledMatches(
  g: CompiledGlob,
  name: string,
  nameCodePoints: readonly string[],
): boolean {
  if (g.hasStar ? nameCodePoints.length < g.minLength : nameCodePoints.length !== g.minLength)
    return false;
  if (!name.startsWith(g.prefix) || !name.endsWith(g.suffix)) return false;
  return globMatches(g.codePoints, nameCodePoints);
}

function globMatches(glob: readonly string[], name: readonly string[]): boolean {
  let g = 0;
  let n = 0;
  let star = -1; // position in glob just after the last `*` seen
  let resume = 0; // position in name that the last `*` is currently taken to end at
  while (n < name.length) {
    const c = glob[g];
    if (c === '*') {
      star = ++g;
      resume = n;
    } else if (c !== undefined && (c === '?' || c === name[n])) {
      g++;
      n++;
    } else if (star >= 0) {
      g = star;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}
