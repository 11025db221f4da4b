import { LOWER_CAMEL, RESERVED_WORDS, type RgdRule, type RuleIssue } from './rule';

/** A2, R2, R3, R4: every resource has a lowerCamelCase id that is no reserved word and is unique. */
export const resourceIdsRule: RgdRule = ({ rgd }) => {
  const issues: RuleIssue[] = [];
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const r of rgd.resources) {
    const raw = r.raw['id'];
    if (raw === undefined || raw === '') {
      issues.push({ path: `${r.path}.id`, message: 'resources[].id is required' });
      continue;
    }
    if (typeof raw !== 'string') {
      issues.push({
        path: `${r.path}.id`,
        message: `id must be a string, got ${JSON.stringify(raw)}`,
      });
      continue;
    }
    if (!LOWER_CAMEL.test(raw)) {
      issues.push({
        resourceId: raw,
        path: `${r.path}.id`,
        message: `id ${raw} is not a valid KRO resource id: must be lower camelCase`,
      });
    }
    if (RESERVED_WORDS.has(raw)) {
      issues.push({
        resourceId: raw,
        path: `${r.path}.id`,
        message: `id ${raw} is a reserved keyword in KRO`,
      });
    }
    if (seen.has(raw)) duplicates.add(raw);
    seen.add(raw);
  }
  for (const id of duplicates) {
    const last = [...rgd.resources].reverse().find((r) => r.id === id);
    issues.push({
      resourceId: id,
      path: `${last?.path ?? 'spec.resources'}.id`,
      message: `found duplicate resource IDs ${id}`,
    });
  }
  return issues;
};
