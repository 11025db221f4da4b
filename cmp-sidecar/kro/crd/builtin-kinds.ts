import { BUILTIN_KINDS, BUILTIN_TYPES } from './builtin-kinds.generated';
import { splitApiVersion } from './schema-lookup';

/**
 * The kinds every Kubernetes API server serves (no CRD needed), their scope and the type of each field, so that
 * kro templates and inline secret values of built-in kinds can be checked without the cluster's OpenAPI. The table
 * is generated (generate-builtin-kinds.mjs) and loaded only by the checks that need it.
 */
export interface BuiltinKind {
  readonly scope: 'Namespaced' | 'Cluster';
  readonly typeName: string;
}

/** What a field path of a built-in kind holds. */
export type BuiltinFieldType = 'string' | 'other' | 'any' | 'unknown';

export function builtinKind(apiVersion: string, kind: string): BuiltinKind | undefined {
  const entry = BUILTIN_KINDS[`${apiVersion} ${kind}`];
  return entry === undefined ? undefined : { typeName: entry[0], scope: entry[1] };
}

let groups: ReadonlySet<string> | undefined;
/** API groups of the built-in kinds ('' is the core group). */
export function isBuiltinGroup(group: string): boolean {
  groups ??= new Set(
    Object.keys(BUILTIN_KINDS).map((k) => splitApiVersion(k.split(' ')[0]!).group),
  );
  return groups.has(group);
}

/**
 * The type at `path` in an object of a built-in type: list indexes are numbers; `unknown` when the path leaves
 * the schema (a field the kind does not have), `any` below a free-form field.
 */
export function builtinFieldType(
  typeName: string,
  path: readonly (string | number)[],
): BuiltinFieldType {
  let code = typeName;
  for (const seg of path) {
    if (code === '*') return 'any';
    if (code.startsWith('[')) {
      if (typeof seg !== 'number') return 'unknown';
      code = code.slice(1);
      continue;
    }
    if (code.startsWith('{')) {
      code = code.slice(1);
      continue;
    }
    const fields = BUILTIN_TYPES[code];
    if (fields === undefined || typeof seg !== 'string' || !Object.hasOwn(fields, seg))
      return 'unknown';
    code = fields[seg]!;
  }
  if (code === 's') return 'string';
  if (code === '*') return 'any';
  return 'other';
}
