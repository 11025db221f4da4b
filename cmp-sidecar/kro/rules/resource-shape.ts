import { isMap } from '../types';
import type { RgdRule, RuleIssue } from './rule';

/**
 * A2a, A3, R6, R7: each resource has exactly one of template/externalRef; a template is a Kubernetes object
 * whose labels and annotations stay out of kro's prefixes; an externalRef names one object or a selector.
 */
const RESERVED_LABEL_PREFIXES = ['kro.run/', 'internal.kro.run/'];
const SPEC_FIELDS = new Set(['schema', 'resources']);

export const resourceShapeRule: RgdRule = ({ rgd }) => {
  const issues: RuleIssue[] = [];
  const resources = rgd.spec['resources'];
  if (resources !== undefined && !Array.isArray(resources)) {
    issues.push({ path: 'spec.resources', message: 'spec.resources must be a list' });
  }
  for (const key of Object.keys(rgd.spec)) {
    if (!SPEC_FIELDS.has(key)) {
      issues.push({
        path: `spec.${key}`,
        message: `unknown field spec.${key} (kro prunes it)`,
        severity: 'warning',
      });
    }
  }
  for (const r of rgd.resources) {
    const rid = r.id === undefined ? {} : { resourceId: r.id };
    if (Object.keys(r.raw).length === 0) {
      issues.push({
        path: r.path,
        message: 'each resource must be a map {id, template | externalRef}',
      });
      continue;
    }
    if (
      r.raw['id'] === undefined &&
      (r.raw['apiVersion'] !== undefined || r.raw['kind'] !== undefined)
    ) {
      issues.push({
        path: r.path,
        message:
          'a raw Kubernetes object is not a resource: wrap it as {id: <lowerCamelCase>, template: <object>}',
      });
      continue;
    }
    const hasTemplate = r.raw['template'] !== undefined;
    const hasExternal = r.raw['externalRef'] !== undefined;
    if (hasTemplate === hasExternal) {
      issues.push({
        ...rid,
        path: r.path,
        message: 'exactly one of template or externalRef must be provided',
      });
    }
    if (hasTemplate) {
      const t = r.raw['template'];
      if (!isMap(t)) {
        issues.push({
          ...rid,
          path: `${r.path}.template`,
          message: 'template must be a Kubernetes object (a map)',
        });
      } else {
        if (typeof t['apiVersion'] !== 'string' || t['apiVersion'] === '')
          issues.push({
            ...rid,
            path: `${r.path}.template.apiVersion`,
            message: 'apiVersion field not found',
          });
        if (typeof t['kind'] !== 'string' || t['kind'] === '')
          issues.push({ ...rid, path: `${r.path}.template.kind`, message: 'kind field not found' });
        if (!isMap(t['metadata']))
          issues.push({
            ...rid,
            path: `${r.path}.template.metadata`,
            message: 'metadata field is not a map',
          });
        else {
          for (const field of ['labels', 'annotations'] as const) {
            const m = t['metadata'][field];
            if (!isMap(m)) continue;
            for (const key of Object.keys(m)) {
              const prefix = RESERVED_LABEL_PREFIXES.find((p) => key.startsWith(p));
              if (prefix) {
                issues.push({
                  ...rid,
                  path: `${r.path}.template.metadata.${field}`,
                  message: `${field} with prefix ${prefix} are reserved for internal use: ${key}`,
                });
              }
            }
          }
        }
      }
    }
    if (hasExternal) {
      const e = r.raw['externalRef'];
      const p = `${r.path}.externalRef`;
      if (!isMap(e)) {
        issues.push({
          ...rid,
          path: p,
          message: 'externalRef must be a map {apiVersion, kind, metadata}',
        });
        continue;
      }
      for (const f of ['apiVersion', 'kind'] as const) {
        if (typeof e[f] !== 'string' || e[f] === '')
          issues.push({ ...rid, path: `${p}.${f}`, message: `externalRef.${f} is required` });
      }
      const meta = e['metadata'];
      if (!isMap(meta) && (e['name'] !== undefined || e['namespace'] !== undefined)) {
        // A frequent slip (kro's own examples have it): name/namespace one level too high.
        issues.push({
          ...rid,
          path: `${p}.metadata`,
          message:
            'externalRef.metadata is empty but externalRef has name/namespace: move them under externalRef.metadata',
          severity: 'warning',
        });
      } else if (!isMap(meta)) {
        issues.push({ ...rid, path: `${p}.metadata`, message: 'externalRef.metadata is required' });
      } else {
        const hasName = meta['name'] !== undefined;
        const hasSelector = meta['selector'] !== undefined;
        if (hasName === hasSelector) {
          issues.push({
            ...rid,
            path: `${p}.metadata`,
            message: 'exactly one of externalRef.metadata.name or selector must be set',
          });
        }
        if (hasName && (typeof meta['name'] !== 'string' || meta['name'] === '')) {
          issues.push({
            ...rid,
            path: `${p}.metadata.name`,
            message: 'externalRef.metadata.name must be a non-empty string',
          });
        }
      }
    }
  }
  return issues;
};
