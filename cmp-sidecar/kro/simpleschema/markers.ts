import { analyzeCel } from '../expressions/cel-analysis';
import type { JsonMap } from '../types';
import type { Marker } from './field-spec';

/**
 * Applies SimpleSchema markers to a field's OpenAPI schema, checking each marker's value and that it fits the
 * field's type as kro does. Returns the problems (empty when all markers apply) and whether the field is required.
 */
export interface MarkerOutcome {
  readonly issues: string[];
  readonly required: boolean | undefined;
}

type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'unknown';

export function kindOf(schema: JsonMap): Kind {
  const t = schema['type'];
  return t === 'string' ||
    t === 'integer' ||
    t === 'number' ||
    t === 'boolean' ||
    t === 'array' ||
    t === 'object'
    ? t
    : 'unknown';
}

export function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  return undefined;
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function applyMarkers(schema: JsonMap, markers: readonly Marker[]): MarkerOutcome {
  const issues: string[] = [];
  let required: boolean | undefined;
  const kind = kindOf(schema);
  const only = (key: string, kinds: readonly Kind[]): boolean => {
    if (kinds.includes(kind)) return true;
    issues.push(`marker ${key} is not applicable to type ${kind}`);
    return false;
  };
  const intValue = (key: string, v: string): number | undefined => {
    if (!INT_RE.test(v)) {
      issues.push(`marker ${key}: "${v}" is not an integer`);
      return undefined;
    }
    return Number(v);
  };
  const validations: JsonMap[] = [];
  for (const { key, value } of markers) {
    switch (key) {
      case 'required': {
        const b = parseGoBool(value);
        if (b === undefined) issues.push(`marker required: "${value}" is not a boolean`);
        else required = b;
        break;
      }
      case 'default': {
        const d = parseDefault(kind, value);
        if (d.ok) schema['default'] = d.value;
        else issues.push(`marker default: ${d.message}`);
        break;
      }
      case 'description':
        schema['description'] = value;
        break;
      case 'minimum':
      case 'maximum':
        if (!only(key, ['integer', 'number'])) break;
        if (!FLOAT_RE.test(value)) issues.push(`marker ${key}: "${value}" is not a number`);
        else schema[key] = Number(value);
        break;
      case 'enum': {
        if (!only(key, ['string', 'integer'])) break;
        const items = value.split(',').map((s) => s.trim());
        if (items.some((s) => s === '')) {
          issues.push(`marker enum: empty value in "${value}"`);
          break;
        }
        if (kind === 'integer') {
          const bad = items.find((s) => !INT_RE.test(s));
          if (bad !== undefined) issues.push(`marker enum: "${bad}" is not an integer`);
          else schema['enum'] = items.map(Number);
        } else schema['enum'] = items;
        break;
      }
      case 'pattern':
        if (!only(key, ['string'])) break;
        if (value === '') issues.push('marker pattern: empty pattern');
        else if (!compiles(value))
          issues.push(`marker pattern: "${value}" is not a valid regular expression`);
        else schema['pattern'] = value;
        break;
      case 'minLength':
      case 'maxLength':
        if (only(key, ['string'])) setInt(schema, key, intValue(key, value));
        break;
      case 'minItems':
      case 'maxItems':
        if (only(key, ['array'])) setInt(schema, key, intValue(key, value));
        break;
      case 'uniqueItems': {
        if (!only(key, ['array'])) break;
        const b = parseGoBool(value);
        if (b === undefined) issues.push(`marker uniqueItems: "${value}" is not a boolean`);
        else if (b) setListType(schema, 'set', issues);
        break;
      }
      case 'listType':
        if (!only(key, ['array'])) break;
        if (value !== 'atomic' && value !== 'set' && value !== 'map')
          issues.push(`marker listType: "${value}" must be atomic, set or map`);
        else setListType(schema, value, issues);
        break;
      case 'listMapKey': {
        if (!only(key, ['array'])) break;
        const keys = (schema['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
        schema['x-kubernetes-list-map-keys'] = [...keys, value];
        break;
      }
      case 'immutable': {
        const b = parseGoBool(value);
        if (b === undefined) issues.push(`marker immutable: "${value}" is not a boolean`);
        else if (b) validations.push({ rule: 'self == oldSelf', message: 'field is immutable' });
        break;
      }
      case 'validation': {
        const parsed = analyzeCel(value);
        if (!parsed.ok) issues.push(`marker validation: parse error: ${parsed.message}`);
        else validations.push({ rule: value, message: 'validation failed' });
        break;
      }
      default:
        issues.push(`unknown marker: ${key}`);
    }
  }
  if (
    schema['x-kubernetes-list-map-keys'] !== undefined &&
    schema['x-kubernetes-list-type'] !== 'map'
  ) {
    issues.push('marker listMapKey requires listType=map');
  }
  if (validations.length > 0) schema['x-kubernetes-validations'] = validations;
  return { issues, required };
}

function setInt(schema: JsonMap, key: string, v: number | undefined): void {
  if (v !== undefined) schema[key] = v;
}

function setListType(schema: JsonMap, t: string, issues: string[]): void {
  const prev = schema['x-kubernetes-list-type'];
  if (typeof prev === 'string' && prev !== t)
    issues.push(`conflicting list types: ${prev} and ${t}`);
  schema['x-kubernetes-list-type'] = t;
}

function compiles(re: string): boolean {
  try {
    new RegExp(re);
    return true;
  } catch {
    return false;
  }
}

function parseDefault(
  kind: Kind,
  raw: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  switch (kind) {
    case 'string':
      return { ok: true, value: raw };
    case 'integer':
      return INT_RE.test(raw)
        ? { ok: true, value: Number(raw) }
        : { ok: false, message: `"${raw}" is not an integer` };
    case 'number':
      return FLOAT_RE.test(raw)
        ? { ok: true, value: Number(raw) }
        : { ok: false, message: `"${raw}" is not a float` };
    case 'boolean': {
      const b = parseGoBool(raw);
      return b === undefined
        ? { ok: false, message: `"${raw}" is not a boolean` }
        : { ok: true, value: b };
    }
    case 'array':
    case 'object':
    case 'unknown':
      try {
        return { ok: true, value: JSON.parse(raw) as unknown };
      } catch {
        return { ok: false, message: `"${raw}" is not valid JSON` };
      }
  }
}
