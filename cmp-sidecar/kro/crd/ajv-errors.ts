import Ajv, { type ErrorObject } from 'ajv';

/** One Ajv for all kro checks: lenient about Kubernetes' `x-kubernetes-*` keywords and formats. */
export function createAjv(useDefaults: boolean): Ajv {
  return new Ajv({ strict: false, allErrors: true, useDefaults, validateFormats: false });
}

/** `/spec/subnets/0` → `spec.subnets[0]`, prefixed by `base`. */
export function dottedPath(base: string, instancePath: string): string {
  let out = base;
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export interface SchemaViolation {
  readonly path: string;
  readonly message: string;
}

/** Turns Ajv errors into kro-style messages naming the field path. */
export function describeAjvErrors(
  base: string,
  errors: readonly ErrorObject[],
  data: unknown,
): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // anyOf/oneOf wrappers repeat their branches' errors.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const at = dottedPath(base, e.instancePath);
    let v: SchemaViolation;
    switch (e.keyword) {
      case 'additionalProperties': {
        const field = dottedPath(
          at,
          `/${String((e.params as { additionalProperty: string }).additionalProperty)}`,
        );
        v = { path: field, message: `schema not found for field ${field} (unknown field)` };
        break;
      }
      case 'required': {
        const field = dottedPath(
          at,
          `/${String((e.params as { missingProperty: string }).missingProperty)}`,
        );
        v = { path: field, message: `missing required field ${field}` };
        break;
      }
      case 'type':
        v = {
          path: at,
          message: `expected ${String((e.params as { type: string }).type)} type for path ${at}, got ${typeName(valueAt(data, e.instancePath))}`,
        };
        break;
      case 'enum':
        v = {
          path: at,
          message: `${at} must be one of [${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((x) => JSON.stringify(x)).join(', ')}], got ${JSON.stringify(valueAt(data, e.instancePath))}`,
        };
        break;
      default:
        v = { path: at, message: `${at} ${e.message ?? 'is invalid'}` };
    }
    const key = `${v.path}\u0000${v.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

function valueAt(data: unknown, pointer: string): unknown {
  let cur = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}
