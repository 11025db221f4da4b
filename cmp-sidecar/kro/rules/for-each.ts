import { siteIdentifiers } from '../expressions/sites';
import { isMap } from '../types';
import { LOWER_CAMEL, RESERVED_WORDS, type RgdRule, type RuleIssue } from './rule';

/** A4, R5, R13: collection dimensions are well named, few enough, and all used in the resource's identity. */
export const forEachRule: RgdRule = ({ rgd, sites, options }) => {
  const issues: RuleIssue[] = [];
  for (const r of rgd.resources) {
    const raw = r.raw['forEach'];
    if (raw === undefined) continue;
    const rid = r.id === undefined ? {} : { resourceId: r.id };
    if (!Array.isArray(raw)) {
      issues.push({
        ...rid,
        path: `${r.path}.forEach`,
        message: 'forEach must be a list of {iterator: ${list expression}}',
      });
      continue;
    }
    raw.forEach((entry, i) => {
      if (!isMap(entry) || Object.keys(entry).length !== 1) {
        issues.push({
          ...rid,
          path: `${r.path}.forEach[${i}]`,
          message: 'each forEach entry must have exactly one key (the iterator name)',
        });
      }
    });
    if (r.externalRef !== undefined || r.raw['externalRef'] !== undefined) {
      issues.push({
        ...rid,
        path: `${r.path}.forEach`,
        message: 'cannot use externalRef with forEach',
      });
    }
    if (r.forEach.length > options.maxCollectionDimensions) {
      issues.push({
        ...rid,
        path: `${r.path}.forEach`,
        message: `forEach has ${r.forEach.length} dimensions; at most ${options.maxCollectionDimensions} are allowed`,
      });
    }
    const names = new Set<string>();
    for (const dim of r.forEach) {
      if (!LOWER_CAMEL.test(dim.name)) {
        issues.push({
          ...rid,
          path: dim.path,
          message: `forEach iterator ${dim.name} is not valid: must be lower camelCase`,
        });
      }
      if (RESERVED_WORDS.has(dim.name)) {
        issues.push({
          ...rid,
          path: dim.path,
          message: `forEach iterator ${dim.name} is a reserved keyword in KRO`,
        });
      }
      if (rgd.ids.includes(dim.name)) {
        issues.push({
          ...rid,
          path: dim.path,
          message: `forEach iterator ${dim.name} conflicts with the resource id ${dim.name}`,
        });
      }
      if (names.has(dim.name)) {
        issues.push({
          ...rid,
          path: dim.path,
          message: `forEach iterator ${dim.name} is declared twice`,
        });
      }
      names.add(dim.name);
      if (typeof dim.value !== 'string') {
        issues.push({
          ...rid,
          path: dim.path,
          message: 'forEach value must be a single ${...} list expression',
        });
      }
    }
    if (r.template === undefined || names.size === 0) continue;
    const identityPaths = [
      `${r.path}.template.metadata.name`,
      `${r.path}.template.metadata.namespace`,
    ];
    const used = new Set<string>();
    for (const s of sites) {
      if (s.resource === r && identityPaths.includes(s.path))
        for (const id of siteIdentifiers(s)) used.add(id);
    }
    const missing = [...names].filter((n) => !used.has(n));
    if (missing.length > 0) {
      issues.push({
        ...rid,
        path: `${r.path}.template.metadata.name`,
        message: `all forEach dimensions must be used to produce a unique resource identity, missing: [${missing.join(' ')}]`,
      });
    }
  }
  return issues;
};
