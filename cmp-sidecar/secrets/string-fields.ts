import type { BuiltinFieldType } from '../kro/crd/builtin-kinds';
import type * as BuiltinKinds from '../kro/crd/builtin-kinds';
import type { SchemaLookup } from '../kro/crd/schema-lookup';
import { schemaFieldType } from '../kro/crd/field-type';
import type { ValuePath } from './collect';

/**
 * Whether a field must hold a string, so that a whole-value placeholder resolving to a number, boolean, null,
 * object or list is written as its text there and keeps its type everywhere else (`replicas: <path:x#replicas>`
 * → `replicas: 3`, as argocd-vault-plugin does). Strings are required by Kubernetes in ConfigMap data, Secret
 * data/stringData, container env values, labels and annotations, and wherever the kind's schema says string:
 * built-in kinds from the generated table, other kinds from the CRDs (and RGD instance schemas) the render knows.
 */
export type StringFieldOracle = (object: Record<string, unknown>, path: ValuePath) => boolean;

export function createStringFieldOracle(schemas: SchemaLookup | undefined): StringFieldOracle {
  let builtin: typeof BuiltinKinds | undefined;
  return (object, path) => {
    if (alwaysString(object, path)) return true;
    const { apiVersion, kind } = object;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') return false;
    // Loaded on first use: the table of built-in kinds is large and most renders never need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    builtin ??= require('../kro/crd/builtin-kinds') as typeof BuiltinKinds;
    let type: BuiltinFieldType;
    if (path[0] === 'metadata') type = builtin.builtinFieldType('V1ObjectMeta', path.slice(1));
    else {
      const known = builtin.builtinKind(apiVersion, kind);
      const crd = known ? undefined : schemas?.find(apiVersion, kind);
      type = known
        ? builtin.builtinFieldType(known.typeName, path)
        : crd
          ? schemaFieldType(crd.schema, path)
          : 'unknown';
    }
    return type === 'string';
  };
}

/** Fields that hold text whatever the schemas say (no schema needed to tell). */
export function alwaysString(object: Record<string, unknown>, path: ValuePath): boolean {
  const { kind, apiVersion } = object;
  const core = apiVersion === 'v1' || apiVersion === undefined;
  if (core && kind === 'ConfigMap' && (path[0] === 'data' || path[0] === 'binaryData')) return true;
  if (core && kind === 'Secret' && (path[0] === 'data' || path[0] === 'stringData')) return true;
  const n = path.length;
  // metadata.labels.<key> / metadata.annotations.<key>, at any depth (pod templates, job templates).
  if (
    n >= 3 &&
    path[n - 3] === 'metadata' &&
    (path[n - 2] === 'labels' || path[n - 2] === 'annotations')
  )
    return true;
  // env[].value of any container, wherever the container list sits.
  return (
    n >= 3 && path[n - 1] === 'value' && typeof path[n - 2] === 'number' && path[n - 3] === 'env'
  );
}
