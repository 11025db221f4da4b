/** Shell-style name globs: `*` matches any run of characters, `?` exactly one; everything else is literal. */
export interface NameGlob {
  readonly pattern: string;
  test(name: string): boolean;
}

/**
 * Matched without a regular expression: `^.*a.*a.*a…b$` backtracks exponentially in the number of stars, and the
 * pattern comes from the request. This walk only ever returns to the last star, so it takes at most
 * pattern × name steps. Works on code points, so `?` matches one character even outside the BMP.
 */
export function compileNameGlob(pattern: string): NameGlob {
  const glob = Array.from(pattern);
  return { pattern, test: (name) => globMatches(glob, Array.from(name)) };
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
