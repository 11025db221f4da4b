import { isMap } from '../types';
import type { RgdRule, RuleIssue } from './rule';

/** A1, A1a, A1b, A6 and R1: the instance API the RGD defines. */
const KIND_PATTERN = /^[A-Z][a-zA-Z0-9]{0,62}$/;
const API_VERSION_PATTERN = /^v[0-9]+(alpha[0-9]+|beta[0-9]+)?$/;
const GROUP_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_ITEM = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const SCHEMA_FIELDS = new Set([
  'kind',
  'apiVersion',
  'group',
  'scope',
  'spec',
  'types',
  'status',
  'additionalPrinterColumns',
  'shortNames',
  'categories',
  'metadata',
]);
const RESOURCE_FIELDS = new Set([
  'id',
  'template',
  'externalRef',
  'readyWhen',
  'includeWhen',
  'forEach',
]);

export const schemaIdentityRule: RgdRule = ({ rgd }) => {
  const issues: RuleIssue[] = [];
  const meta = rgd.object['metadata'];
  if (!isMap(meta) || typeof meta['name'] !== 'string' || meta['name'] === '') {
    issues.push({ path: 'metadata.name', message: 'metadata.name is required' });
  } else if (meta['namespace'] !== undefined) {
    issues.push({
      path: 'metadata.namespace',
      message: 'ResourceGraphDefinition is cluster-scoped: metadata.namespace is ignored',
      severity: 'warning',
    });
  }
  const schema = rgd.schema;
  if (!schema) {
    issues.push({ path: 'spec.schema', message: 'spec.schema is required' });
    return issues;
  }
  const kind = schema['kind'];
  if (typeof kind !== 'string' || kind === '') {
    issues.push({ path: 'spec.schema.kind', message: 'spec.schema.kind is required' });
  } else if (!/^[A-Z][a-zA-Z0-9]*$/.test(kind)) {
    issues.push({
      path: 'spec.schema.kind',
      message: `naming convention violation: kind '${kind}' is not a valid KRO kind name: must be UpperCamelCase`,
    });
  } else if (!KIND_PATTERN.test(kind)) {
    issues.push({
      path: 'spec.schema.kind',
      message: `kind '${kind}' is longer than 63 characters`,
    });
  }
  const apiVersion = schema['apiVersion'];
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    issues.push({ path: 'spec.schema.apiVersion', message: 'spec.schema.apiVersion is required' });
  } else if (!API_VERSION_PATTERN.test(apiVersion)) {
    issues.push({
      path: 'spec.schema.apiVersion',
      message: `apiVersion '${apiVersion}' must match ^v[0-9]+(alpha[0-9]+|beta[0-9]+)?$ (e.g. v1alpha1; no group)`,
    });
  }
  const group = schema['group'];
  if (group !== undefined && (typeof group !== 'string' || !GROUP_PATTERN.test(group))) {
    issues.push({
      path: 'spec.schema.group',
      message: `group ${JSON.stringify(group)} is not a DNS subdomain`,
    });
  }
  const scope = schema['scope'];
  if (scope !== undefined && scope !== 'Namespaced' && scope !== 'Cluster') {
    issues.push({
      path: 'spec.schema.scope',
      message: `scope must be Namespaced or Cluster, got ${JSON.stringify(scope)}`,
    });
  }
  for (const key of ['shortNames', 'categories'] as const) {
    const v = schema[key];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.length > 32) {
      issues.push({
        path: `spec.schema.${key}`,
        message: `${key} must be a list of at most 32 names`,
      });
      continue;
    }
    v.forEach((item, i) => {
      if (typeof item !== 'string' || item.length > 63 || !NAME_ITEM.test(item)) {
        issues.push({
          path: `spec.schema.${key}[${i}]`,
          message: `${JSON.stringify(item)} must match ^[a-z]([-a-z0-9]*[a-z0-9])?$ (≤63 chars)`,
        });
      }
    });
    if (new Set(v).size !== v.length)
      issues.push({ path: `spec.schema.${key}`, message: `${key} must not repeat a name` });
  }
  for (const key of Object.keys(schema)) {
    if (!SCHEMA_FIELDS.has(key)) {
      issues.push({
        path: `spec.schema.${key}`,
        message: `unknown field spec.schema.${key} (kro prunes it${key === 'validation' ? '; schema.validation was removed in v0.7.0, use validation= markers' : ''})`,
        severity: 'warning',
      });
    }
  }
  for (const r of rgd.resources) {
    for (const key of Object.keys(r.raw)) {
      if (!RESOURCE_FIELDS.has(key)) {
        issues.push({
          ...(r.id === undefined ? {} : { resourceId: r.id }),
          path: `${r.path}.${key}`,
          message: `unknown field ${key} in a resource (kro prunes it)`,
          severity: 'warning',
        });
      }
    }
  }
  return issues;
};
