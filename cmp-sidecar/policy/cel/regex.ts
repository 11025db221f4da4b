import { RE2JS } from 're2js';

/**
 * Regular expressions with RE2 semantics, as Kubernetes' CEL (cel-go, Go's regexp) has them: `(?i)` flags, `\pL`
 * classes, no backreferences or lookaround, linear time. JavaScript's RegExp accepts a different language, so
 * `matches`, `find` and `findAll` of admission policies run on re2js. Compiled patterns are kept per process.
 */
const compiled = new Map<string, RE2JS>();
const MAX_CACHED = 1000;

export function re2(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try {
      re = RE2JS.compile(pattern);
    } catch (e) {
      throw new Error(
        `error parsing regexp: ${e instanceof Error ? e.message : String(e)}: ${JSON.stringify(pattern)}`,
        { cause: e },
      );
    }
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** `s.matches(re)`: true when the pattern matches anywhere in s (RE2 `MatchString`, unanchored). */
export function matches(s: string, pattern: string): boolean {
  // test() is find() without a Matcher or capture groups: the same answer, on re2js's DFA when it can.
  return re2(pattern).test(s);
}

/** `s.find(re)`: the first match, or "" (Kubernetes regex library). */
export function find(s: string, pattern: string): string {
  const m = re2(pattern).matcher(s);
  return m.find() ? (m.group() ?? '') : '';
}

/** `s.findAll(re[, limit])`: every non-overlapping match; a negative limit means all, 0 none. */
export function findAll(s: string, pattern: string, limit = -1): string[] {
  if (limit === 0) return [];
  const m = re2(pattern).matcher(s);
  const out: string[] = [];
  while (m.find()) {
    out.push(m.group() ?? '');
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}
