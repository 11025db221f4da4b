/**
 * JSON/YAML values as Kubernetes' CEL sees them (policy-cel.md §A.10): maps and lists from JSON, a number without
 * fraction an int64 (a BigInt for the CEL library), any other number a double. Without this, `replicas % 2` fails
 * on a parsed manifest. Converted objects are cached per source object, so each is converted once per render.
 */
const converted = new WeakMap<object, unknown>();

export function toCel(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return convert(value);
  const hit = converted.get(value);
  if (hit !== undefined) return hit;
  const out = convert(value);
  converted.set(value, out);
  return out;
}

/** Only whole objects are cached: a WeakMap entry per nested map would cost more than converting it. */
function convert(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(convert);
  const map: Record<string, unknown> = {};
  for (const k of Object.keys(value)) map[k] = convert((value as Record<string, unknown>)[k]);
  return map;
}

/** A CEL value as plain JSON-ish text for messages. */
export function describeValue(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) ?? 'null'
  );
}
