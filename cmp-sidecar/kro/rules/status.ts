import { siteAnalyses } from '../expressions/sites';
import { isMap } from '../types';
import type { RgdRule, RuleIssue } from './rule';

/**
 * R14: every instance status leaf is an expression; `state` is kro's; status.conditions are standalone
 * runtime.newCondition/condition values with distinct literal types and valid statuses.
 */
const CONDITION_STATUSES = new Set(['True', 'False', 'Unknown']);
const BUILTIN_CONDITIONS = new Set(['Ready', 'InstanceManaged', 'GraphResolved', 'ResourcesReady']);

export const statusRule: RgdRule = ({ rgd, sites }) => {
  const issues: RuleIssue[] = [];
  const status = rgd.schema?.['status'];
  if (status === undefined || status === null) return issues;
  if (!isMap(status)) {
    return [
      {
        path: 'spec.schema.status',
        message: 'spec.schema.status must be a map of fields to ${...} expressions',
      },
    ];
  }
  if (status['state'] !== undefined) {
    issues.push({
      path: 'spec.schema.status.state',
      message: 'status field state is reserved by kro',
    });
  }
  const leaves = (v: unknown, path: string): void => {
    if (isMap(v)) {
      for (const [k, c] of Object.entries(v)) leaves(c, `${path}.${k}`);
    } else if (Array.isArray(v)) {
      v.forEach((c, i) => leaves(c, `${path}[${i}]`));
    } else if (typeof v !== 'string' || !v.includes('${')) {
      issues.push({
        path,
        message: `status fields without expressions are not supported: ${JSON.stringify(v)}`,
      });
    }
  };
  for (const [k, v] of Object.entries(status))
    if (k !== 'conditions') leaves(v, `spec.schema.status.${k}`);
  const types = new Map<string, string>();
  for (const site of sites) {
    if (site.context !== 'statusCondition') continue;
    for (const a of siteAnalyses(site)) {
      for (const c of a.conditions) {
        if (c.fn === 'condition') {
          if (c.type !== undefined && !BUILTIN_CONDITIONS.has(c.type)) {
            issues.push({
              path: site.path,
              message: `runtime.condition must name a kro condition (${[...BUILTIN_CONDITIONS].join(', ')}), got ${c.type}`,
            });
          }
          continue;
        }
        if (c.type === '')
          issues.push({ path: site.path, message: 'condition type must not be empty' });
        if (c.status !== undefined && !CONDITION_STATUSES.has(c.status)) {
          issues.push({
            path: site.path,
            message: `condition status must be True, False or Unknown, got ${c.status}`,
          });
        }
        if (c.type !== undefined && c.type !== '') {
          const prev = types.get(c.type);
          if (prev !== undefined) {
            issues.push({
              path: site.path,
              message: `condition type ${c.type} is declared twice (also at ${prev})`,
            });
          } else types.set(c.type, site.path);
        }
      }
    }
  }
  return issues;
};
