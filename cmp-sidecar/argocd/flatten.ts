import { formatGoV, isPlainObject } from './go-values';

/**
 * `jeremywohl/flatten` with DotStyle, as Argo CD's plugin generator (flat mode) and generator selectors use
 * it: nested object keys joined with `.`, array items as `.0`, `.1`, …; empty objects and arrays produce no
 * key at all; every other value is a leaf. Keys are not escaped, so `{"a.b":1}` and `{"a":{"b":1}}` collide:
 * Go's random map order decides the winner there, here the later key (in object order) wins.
 */
export function flattenDotStyle(
  nested: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (value: unknown, key: string) => {
    if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, key === '' ? k : `${key}.${k}`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, key === '' ? String(i) : `${key}.${i}`));
    } else {
      setOwn(out, key, value);
    }
  };
  for (const [k, v] of Object.entries(nested)) walk(v, k);
  return out;
}

/** Flat mode: flatten, then `fmt.Sprintf("%v", leaf)` (null → `<nil>`, 1234567 → `1.234567e+06`). */
export function flattenToStrings(
  nested: Readonly<Record<string, unknown>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(flattenDotStyle(nested))) setOwn(out, k, formatGoV(v));
  return out;
}

/** Assignment that also works for keys such as `__proto__`. */
export function setOwn<T>(target: Record<string, T>, key: string, value: NoInfer<T>): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
