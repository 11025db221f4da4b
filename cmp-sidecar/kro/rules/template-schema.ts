import type { ValidateFunction } from 'ajv';
import { createAjv, describeAjvErrors } from '../crd/ajv-errors';
import { toValidationSchema } from '../crd/openapi-to-json-schema';
import {
  builtinFieldType,
  builtinKind,
  isBuiltinGroup,
  unservedBuiltin,
} from '../crd/builtin-kinds';
import type { BuiltinFieldType } from '../crd/builtin-kinds';
import { schemaFieldType } from '../crd/field-type';
import { splitApiVersion, type KindSchema, type SchemaLookup } from '../crd/schema-lookup';
import { hasExpression, isStandaloneExpression } from '../expressions/delimiters';
import { joinPath } from '../rgd-model';
import { isMap, type JsonMap } from '../types';
import type { RgdRule, RuleIssue } from './rule';

/**
 * S1, S2, S3: a template of a kind with a known schema (CRD directory, or an RGD of the same render) must fit it:
 * no unknown fields, literals of the right type, scope-consistent namespaces. Standalone `${...}` values are
 * left to the type check (their type is only known to kro's CEL type checker) but their field must exist. Built-in
 * kinds are checked for scope and for fields holding `${...}` that the kind does not have (their literal types
 * are left to the API server). A kind nobody declares — in a built-in group, or in a group whose CRDs the render
 * was given — is an error, as kro fails to find its schema at sync; kinds of other groups are reported once per
 * RGD as not schema-checked.
 */
const ajv = createAjv(false);
const validators = new WeakMap<KindSchema, ValidateFunction>();

export const templateSchemaRule: RgdRule = ({ rgd, schemas }) => {
  const issues: RuleIssue[] = [];
  const unchecked: string[] = [];
  const instanceScope = rgd.schema?.['scope'] === 'Cluster' ? 'Cluster' : 'Namespaced';
  for (const r of rgd.resources) {
    const t = r.template;
    if (!t) continue;
    const { apiVersion, kind } = t;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') continue;
    if (hasExpression(apiVersion) || hasExpression(kind)) {
      unchecked.push(`${r.id ?? r.path} (templated kind)`);
      continue;
    }
    const rid = r.id === undefined ? {} : { resourceId: r.id };
    const target = schemas.find(apiVersion, kind);
    const builtin = target ? undefined : builtinKind(apiVersion, kind);
    if (!target && !builtin) {
      const unknown = unknownKind(apiVersion, kind, schemas);
      if (unknown !== undefined) {
        issues.push({ ...rid, path: `${r.path}.template.kind`, message: unknown });
      } else {
        const gvk = `${apiVersion} ${kind}`;
        if (!unchecked.includes(gvk)) unchecked.push(gvk);
      }
      continue;
    }
    const scope = target?.scope ?? builtin!.scope;
    const meta = isMap(t['metadata']) ? t['metadata'] : {};
    const ns = meta['namespace'];
    const fieldType = (path: readonly (string | number)[]): BuiltinFieldType =>
      path[0] === 'metadata'
        ? builtinFieldType('V1ObjectMeta', path.slice(1))
        : target
          ? schemaFieldType(target.schema, path)
          : builtinFieldType(builtin!.typeName, path);
    const base = `${r.path}.template`;
    for (const at of unknownExpressionFields(t, fieldType, target === undefined, base)) {
      issues.push({
        ...rid,
        path: at,
        message: `schema not found for field ${at} (unknown field holding an expression; schema: ${target?.origin ?? `built-in ${apiVersion} ${kind}`})`,
      });
    }
    if (scope === 'Cluster' && ns !== undefined && ns !== '') {
      issues.push({
        ...rid,
        path: `${r.path}.template.metadata.namespace`,
        message: `resource ${r.id ?? r.path} is cluster-scoped and must not set metadata.namespace`,
      });
    }
    if (instanceScope === 'Cluster' && scope === 'Namespaced' && (ns === undefined || ns === '')) {
      issues.push({
        ...rid,
        path: `${r.path}.template.metadata.namespace`,
        message: `the instance is cluster-scoped, so namespaced resource ${r.id ?? r.path} must set metadata.namespace`,
      });
    }
    if (!target) {
      const gvk = `${apiVersion} ${kind}`;
      if (!unchecked.includes(gvk)) unchecked.push(gvk);
      continue;
    }
    let validate = validators.get(target);
    if (!validate) {
      validate = ajv.compile(
        toValidationSchema(target.schema, { rejectUnknownFields: true, templateMode: true }),
      );
      validators.set(target, validate);
    }
    const data = withoutStandaloneExpressions(t);
    if (!validate(data)) {
      for (const v of describeAjvErrors(`${r.path}.template`, validate.errors ?? [], data)) {
        issues.push({ ...rid, path: v.path, message: `${v.message} (schema: ${target.origin})` });
      }
    }
  }
  if (unchecked.length > 0) {
    issues.push({
      path: 'spec.resources',
      severity: 'warning',
      message: `templates not schema-checked (no CRD schema available): ${unchecked.join(', ')}`,
    });
  }
  return issues;
};

/**
 * Why kro will not find a schema for a kind nobody declared, when the render can tell: a built-in group's kind
 * that Kubernetes does not have or has removed, or a kind missing from a group whose CRDs were given. Undefined
 * when the render cannot know (another group, or another version of a built-in kind than the table holds).
 */
function unknownKind(apiVersion: string, kind: string, schemas: SchemaLookup): string | undefined {
  const { group } = splitApiVersion(apiVersion);
  const tail =
    'and no ResourceGraphDefinition of the render defines it (kro fails to find its schema)';
  if (isBuiltinGroup(group)) {
    const known = unservedBuiltin(apiVersion, kind);
    if (known.kind === 'other-version') return undefined;
    if (known.kind === 'removed')
      return `kind ${kind} of ${apiVersion} is no longer served by Kubernetes${known.served.length > 0 ? ` (use ${known.served.join(' or ')})` : ''}, ${tail}`;
    return `kind ${kind} of ${apiVersion} is not known: it is not a built-in kind of that group, ${tail}`;
  }
  if (schemas.crdGroup(group))
    return `kind ${kind} of ${apiVersion} is not known: no CRD of group ${group} given to the render declares it, ${tail}`;
  return undefined;
}

/**
 * Paths (under `base`) of the values holding `${...}` whose field the kind does not have. With a
 * CRD schema only standalone expressions are looked at (Ajv reports the rest); for built-in kinds every value
 * with an expression is.
 */
function unknownExpressionFields(
  template: JsonMap,
  fieldType: (path: readonly (string | number)[]) => BuiltinFieldType,
  anyExpression: boolean,
  base: string,
): string[] {
  const out: string[] = [];
  const visit = (value: unknown, path: (string | number)[], printed: string): void => {
    if (typeof value === 'string') {
      const holds = anyExpression ? hasExpression(value) : isStandaloneExpression(value);
      if (holds && fieldType(path) === 'unknown') out.push(printed);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, [...path, i], `${printed}[${i}]`));
      return;
    }
    if (!isMap(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (path.length === 0 && (k === 'apiVersion' || k === 'kind')) continue;
      // A free-form subtree admits any key: stop at the first field the schema leaves open.
      const next = [...path, k];
      if (fieldType(next) === 'any') continue;
      visit(v, next, joinPath(printed, k));
    }
  };
  visit(template, [], base);
  return out;
}

/** A copy of `value` without the fields and list items whose value is a standalone `${...}`. */
export function withoutStandaloneExpressions(value: unknown): unknown {
  if (Array.isArray(value))
    return value.filter((v) => !isStandaloneExpression(v)).map(withoutStandaloneExpressions);
  if (isMap(value)) {
    const out: JsonMap = {};
    for (const [k, v] of Object.entries(value))
      if (!isStandaloneExpression(v)) out[k] = withoutStandaloneExpressions(v);
    return out;
  }
  return value;
}
