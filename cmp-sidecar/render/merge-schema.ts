import { MERGE_TABLE } from './merge-keys.generated';

export type { MergeTable, MergeTableField } from './merge-table';

/**
 * The strategic-merge keys of built-in kinds (Kubernetes' `patchMergeKey` / `x-kubernetes-list-map-keys` tags), as
 * kustomize applies them: merge-keys.generated.ts is generated (tools/generate-merge-keys.mjs) from the OpenAPI
 * that `kubectl kustomize` reads, so a list merges here exactly when it merges there. Lists without a rule are
 * replaced by a patch. Kinds the table lacks (CRDs, and built-in kinds at versions that OpenAPI does not have)
 * have no schema at all: every list of theirs is replaced, even `metadata.finalizers`, as kustomize does.
 */

export type ListRule =
  /** A list of maps matched by these keys (`protocol` defaults to TCP when matching). */
  | { readonly merge: 'keyed'; readonly keys: readonly string[]; readonly item?: TypeSchema }
  /** A list of scalars merged as a set (`metadata.finalizers`). */
  | { readonly merge: 'set' };

export interface FieldRule {
  readonly type?: TypeSchema;
  readonly list?: ListRule;
}

export interface TypeSchema {
  readonly fields: Readonly<Record<string, FieldRule>>;
}

const schemas = new Map<string, TypeSchema>();

/** The schema of a definition, built once; definitions may refer to themselves through their fields. */
function schemaOf(definition: string): TypeSchema {
  const known = schemas.get(definition);
  if (known !== undefined) return known;
  const fields: Record<string, FieldRule> = {};
  const schema: TypeSchema = { fields };
  schemas.set(definition, schema);
  for (const [name, f] of Object.entries(MERGE_TABLE.definitions[definition] ?? {})) {
    const type = f.ref === undefined ? undefined : schemaOf(f.ref);
    if (f.set === true) fields[name] = { list: { merge: 'set' } };
    else if (f.keys !== undefined)
      fields[name] = {
        list:
          type === undefined
            ? { merge: 'keyed', keys: f.keys }
            : { merge: 'keyed', keys: f.keys, item: type },
      };
    else if (type !== undefined) fields[name] = { type };
  }
  return schema;
}

/**
 * The merge schema of a kind at a version, or undefined when kustomize has none for it (every list replaces).
 * Without a version: the kind's first version in the table (for callers that know only the kind).
 */
export function schemaFor(group: string, kind: string, version?: string): TypeSchema | undefined {
  const definition =
    version === undefined
      ? Object.entries(MERGE_TABLE.kinds).find(
          ([gvk]) =>
            gvk.startsWith(`${group}/`) && gvk.endsWith(`/${kind}`) && gvk.split('/').length === 3,
        )?.[1]
      : MERGE_TABLE.kinds[`${group}/${version}/${kind}`];
  return definition === undefined ? undefined : schemaOf(definition);
}
