import { BUILTIN_KINDS, BUILTIN_TYPES, REMOVED_BUILTIN_VERSIONS } from './builtin-kinds.generated';
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

let versions: ReadonlyMap<string, readonly string[]> | undefined;
/** `group/kind` → the apiVersions the table serves it in. */
function servedVersions(): ReadonlyMap<string, readonly string[]> {
  if (versions) return versions;
  const m = new Map<string, string[]>();
  for (const key of Object.keys(BUILTIN_KINDS)) {
    const [apiVersion = '', kind = ''] = key.split(' ');
    const k = `${splitApiVersion(apiVersion).group}/${kind}`;
    m.set(k, [...(m.get(k) ?? []), apiVersion]);
  }
  return (versions = m);
}

/** API groups of the built-in kinds ('' is the core group). */
export function isBuiltinGroup(group: string): boolean {
  for (const k of servedVersions().keys())
    if (k.slice(0, k.lastIndexOf('/')) === group) return true;
  return false;
}

/**
 * What the table says of a kind it does not serve at `apiVersion`: a version Kubernetes removed (with the versions
 * served instead), another version of a built-in kind (perhaps newer than the table), or a kind the group does not
 * have at all.
 */
export type UnservedBuiltin =
  | { readonly kind: 'removed' | 'other-version'; readonly served: readonly string[] }
  | { readonly kind: 'unknown' };

export function unservedBuiltin(apiVersion: string, kind: string): UnservedBuiltin {
  const served = servedVersions().get(`${splitApiVersion(apiVersion).group}/${kind}`) ?? [];
  if (REMOVED_BUILTIN_VERSIONS.has(`${apiVersion} ${kind}`)) return { kind: 'removed', served };
  return served.length > 0 ? { kind: 'other-version', served } : { kind: 'unknown' };
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
