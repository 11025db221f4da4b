import { isMap, type JsonMap } from '../types';

/**
 * Converts a Kubernetes structural OpenAPI v3 schema (from a CRD or compiled from SimpleSchema) into a JSON Schema
 * Ajv can run with the semantics kro and the apiserver apply: unknown fields are errors unless the node preserves
 * them, int-or-string takes both, `nullable` admits null. For RGD templates, string constraints are skipped when
 * the value is a `${...}` string template (its value is only known at runtime) and `required` is not enforced
 * (kro does not check it; the apiserver does once the expressions are resolved).
 */
export interface ConversionOptions {
  readonly rejectUnknownFields: boolean;
  readonly templateMode?: boolean;
}

const COPIED = [
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'multipleOf',
  'default',
] as const;
const STRING_CONSTRAINTS = ['enum', 'pattern', 'minLength', 'maxLength'] as const;

const cache = new WeakMap<JsonMap, Map<string, JsonMap>>();

export function toValidationSchema(schema: JsonMap, options: ConversionOptions): JsonMap {
  const key = `${options.rejectUnknownFields}/${options.templateMode === true}`;
  let perSchema = cache.get(schema);
  if (!perSchema) {
    perSchema = new Map();
    cache.set(schema, perSchema);
  }
  const hit = perSchema.get(key);
  if (hit) return hit;
  const out = convert(schema, options);
  perSchema.set(key, out);
  return out;
}

function convert(s: JsonMap, o: ConversionOptions): JsonMap {
  const out: JsonMap = {};
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const type = s['type'];
  if (intOrString) {
    out['anyOf'] = [{ type: 'integer' }, { type: 'string' }];
  } else if (typeof type === 'string') {
    out['type'] = s['nullable'] === true ? [type, 'null'] : type;
  }
  for (const k of COPIED) {
    if (s[k] !== undefined && !(o.templateMode && k === 'default')) out[k] = s[k];
  }
  if (typeof s['pattern'] === 'string' && compilesAsUnicode(s['pattern']))
    out['pattern'] = s['pattern'];
  if (s['exclusiveMinimum'] === true && typeof s['minimum'] === 'number') {
    out['exclusiveMinimum'] = s['minimum'];
    delete out['minimum'];
  }
  if (s['exclusiveMaximum'] === true && typeof s['maximum'] === 'number') {
    out['exclusiveMaximum'] = s['maximum'];
    delete out['maximum'];
  }
  if (!o.templateMode && Array.isArray(s['required'])) out['required'] = s['required'];
  const props = s['properties'];
  if (isMap(props)) {
    const converted: JsonMap = {};
    for (const [k, v] of Object.entries(props)) if (isMap(v)) converted[k] = convert(v, o);
    out['properties'] = converted;
  }
  const items = s['items'];
  if (isMap(items)) out['items'] = convert(items, o);
  const additional = s['additionalProperties'];
  if (isMap(additional)) out['additionalProperties'] = convert(additional, o);
  else if (typeof additional === 'boolean') out['additionalProperties'] = additional;
  else if (o.rejectUnknownFields && isMap(props) && !preserve) out['additionalProperties'] = false;
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[k];
    if (Array.isArray(list) && !intOrString) {
      out[k] = list
        .filter(isMap)
        .map((x) => convert({ ...x, type: x['type'] }, { ...o, rejectUnknownFields: false }));
    }
  }
  if (o.templateMode && type === 'string') moveStringConstraintsBehindTemplateCheck(out);
  return out;
}

/** A string template (`name-${x}`) is a string whose final value is unknown: only its type is checked. */
function moveStringConstraintsBehindTemplateCheck(out: JsonMap): void {
  const constraints: JsonMap = {};
  for (const k of STRING_CONSTRAINTS) {
    if (out[k] !== undefined) {
      constraints[k] = out[k];
      delete out[k];
    }
  }
  if (Object.keys(constraints).length === 0) return;
  out['if'] = { type: 'string', pattern: '\\$\\{' };
  out['else'] = constraints;
}

function compilesAsUnicode(p: string): boolean {
  try {
    new RegExp(p, 'u');
    return true;
  } catch {
    return false;
  }
}
