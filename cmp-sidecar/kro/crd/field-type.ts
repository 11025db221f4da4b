import { isMap, type JsonMap } from '../types';
import type { BuiltinFieldType } from './builtin-kinds';

/**
 * The type an OpenAPI v3 (structural CRD) schema gives the field at `path` (list indexes are numbers): `unknown`
 * when the schema does not declare the field, `any` below `x-kubernetes-preserve-unknown-fields` or where the
 * schema says nothing about the type.
 */
export function schemaFieldType(
  schema: JsonMap,
  path: readonly (string | number)[],
): BuiltinFieldType {
  let node: JsonMap = schema;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!isMap(node['items'])) return node['type'] === 'array' ? 'any' : 'unknown';
      node = node['items'];
      continue;
    }
    const props = node['properties'];
    if (isMap(props) && isMap(props[seg])) {
      node = props[seg];
      continue;
    }
    if (isMap(node['additionalProperties'])) {
      node = node['additionalProperties'];
      continue;
    }
    if (
      node['x-kubernetes-preserve-unknown-fields'] === true ||
      node['additionalProperties'] === true
    )
      return 'any';
    return 'unknown';
  }
  if (node['x-kubernetes-int-or-string'] === true) return 'other';
  if (node['type'] === 'string') return 'string';
  return node['type'] === undefined ? 'any' : 'other';
}
