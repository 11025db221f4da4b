import { compileSimpleSchema } from '../simpleschema/compile';
import { isMap, type JsonMap } from '../types';
import type { RgdRule, RuleIssue } from './rule';

/**
 * `${schema.spec.x}` must name a field the RGD's SimpleSchema declares: kro type-checks every expression against
 * the instance schema and rejects an undeclared field at sync ("undefined field"), after Argo CD applied the rest.
 * Maps admit any key, `object` fields anything below them; list indexes are not checked.
 */
export const schemaReferencesRule: RgdRule = ({ rgd, sites }) => {
  if (!rgd.schema) return [];
  const compiled = compileSimpleSchema(
    rgd.schema['spec'],
    rgd.schema['types'],
    'spec.schema.spec',
    'spec.schema.types',
  );
  if (compiled.issues.length > 0) return []; // R8 reports them; the schema is not usable.
  const issues: RuleIssue[] = [];
  for (const site of sites) {
    const reported = new Set<string>();
    for (const expr of site.expressions) {
      if (!expr.result.ok) continue;
      for (const selection of expr.result.analysis.schemaSelections) {
        if (selection[0] !== 'spec') continue;
        const bad = firstUndeclared(compiled.schema, selection.slice(1));
        if (bad === undefined) continue;
        const printed = printSelection(['spec', ...selection.slice(1, bad + 2)]);
        if (reported.has(printed)) continue;
        reported.add(printed);
        issues.push({
          ...(site.resource?.id === undefined ? {} : { resourceId: site.resource.id }),
          path: site.path,
          message: `${printed} is not declared in spec.schema.spec (undefined field ${JSON.stringify(selection[bad + 1])}) in \${${expr.text}}`,
        });
      }
    }
  }
  return issues;
};

/** Index in `path` of the first field the schema does not declare; undefined when the whole path is declared. */
function firstUndeclared(schema: JsonMap, path: readonly (string | number)[]): number | undefined {
  let node: JsonMap = schema;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (node['x-kubernetes-preserve-unknown-fields'] === true) return undefined;
    if (typeof seg === 'number') {
      if (isMap(node['items'])) node = node['items'];
      else if (isMap(node['additionalProperties'])) node = node['additionalProperties'];
      else return undefined;
      continue;
    }
    const props = node['properties'];
    if (isMap(props) && isMap(props[seg])) node = props[seg];
    else if (isMap(node['additionalProperties'])) node = node['additionalProperties'];
    else if (node['type'] === 'object' || isMap(props)) return i;
    else return undefined; // a scalar or list: CEL's own type errors, not a field name.
  }
  return undefined;
}

function printSelection(path: readonly (string | number)[]): string {
  return `schema.${path.map((s, i) => (typeof s === 'number' ? '[…]' : `${i === 0 ? '' : '.'}${s}`)).join('')}`;
}
