/**
 * JSON/YAML values as Kubernetes' CEL sees them (policy-cel.md §A.10): maps and lists from JSON, a number without
 * fraction an int64 (a BigInt for the CEL library), any other number a double. Without this, `replicas % 2` fails
 * on a parsed manifest. Converted objects are cached per source object, so each is converted once per render.
 */
const converted = new WeakMap<object, unknown>();

export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (value === null || typeof value !== 'object') return value;
  const hit = converted.get(value);
  if (hit !== undefined) return hit;
  let out: unknown;
  if (Array.isArray(value)) out = value.map(toCel);
  else {
    const map: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) map[k] = toCel(v);
    out = map;
  }
  converted.set(value, out);
  return out;
}

/** A CEL value as plain JSON-ish text for messages. */
export function describeValue(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) ?? 'null'
  );
}
