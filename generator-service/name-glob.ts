/** Shell-style name globs: `*` matches any run of characters, `?` exactly one; everything else is literal. */
export interface NameGlob {
  readonly pattern: string;
  test(name: string): boolean;
}

export function compileNameGlob(pattern: string): NameGlob {
  const source = Array.from(pattern, (ch) => {
    if (ch === '*') return '.*';
    if (ch === '?') return '.';
    return ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }).join('');
  const re = new RegExp(`^${source}$`, 'su');
  return { pattern, test: (name) => re.test(name) };
}
