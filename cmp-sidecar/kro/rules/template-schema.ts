import type { ValidateFunction } from 'ajv';
import { createAjv, describeAjvErrors } from '../crd/ajv-errors';
import { toValidationSchema } from '../crd/openapi-to-json-schema';
import type { KindSchema } from '../crd/schema-lookup';
import { hasExpression, isStandaloneExpression } from '../expressions/delimiters';
import { isMap, type JsonMap } from '../types';
import type { RgdRule, RuleIssue } from './rule';

/**
 * S1, S2, S3: a template of a kind with a known schema (CRD directory, or an RGD of the same render) must fit it:
 * no unknown fields, literals of the right type, scope-consistent namespaces. Standalone `${...}` values are
 * skipped (their type is only known to kro's CEL type checker). Kinds without a schema are reported once per RGD
 * as not schema-checked.
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
    const target = schemas.find(apiVersion, kind);
    if (!target) {
      const gvk = `${apiVersion} ${kind}`;
      if (!unchecked.includes(gvk)) unchecked.push(gvk);
      continue;
    }
    const rid = r.id === undefined ? {} : { resourceId: r.id };
    const meta = isMap(t['metadata']) ? t['metadata'] : {};
    const ns = meta['namespace'];
    if (target.scope === 'Cluster' && ns !== undefined && ns !== '') {
      issues.push({
        ...rid,
        path: `${r.path}.template.metadata.namespace`,
        message: `resource ${r.id ?? r.path} is cluster-scoped and must not set metadata.namespace`,
      });
    }
    if (
      instanceScope === 'Cluster' &&
      target.scope === 'Namespaced' &&
      (ns === undefined || ns === '')
    ) {
      issues.push({
        ...rid,
        path: `${r.path}.template.metadata.namespace`,
        message: `the instance is cluster-scoped, so namespaced resource ${r.id ?? r.path} must set metadata.namespace`,
      });
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
