import { STANDALONE_ONLY, type ExpressionSite } from '../expressions/sites';
import type { RgdModel } from '../rgd-model';
import type { RgdRule, RuleIssue } from './rule';

/**
 * R9, R10, R11, R15, R16: `${...}` syntax, CEL that parses, identifiers and functions in scope for the context
 * (kro-eso-ack.md §1.7), no self-reference, and CustomResourceDefinition templates templated only in metadata.
 */

/** Global functions of kro's CEL environment (cel-go standard, Kubernetes and kro libraries). */
const GLOBAL_FUNCTIONS = new Set([
  'size',
  'int',
  'uint',
  'double',
  'string',
  'bytes',
  'bool',
  'duration',
  'timestamp',
  'dyn',
  'type',
  'matches',
  'has',
  'url',
  'isURL',
  'quantity',
  'isQuantity',
  'ip',
  'isIP',
  'cidr',
  'isCIDR',
  'semver',
  'isSemver',
  'omit',
  'deepMerge',
]);
/** Namespaced functions (`lists.range`, kro's `random.*`, `json.*`, `hash.*`, ...). */
const NAMESPACED_FUNCTIONS = new Set([
  'cel.bind',
  'lists.range',
  'lists.setAtIndex',
  'lists.insertAtIndex',
  'lists.removeAtIndex',
  'strings.quote',
  'base64.encode',
  'base64.decode',
  'json.marshal',
  'json.unmarshal',
  'random.seededString',
  'random.seededInt',
  'hash.fnv64a',
  'hash.sha256',
  'hash.md5',
  'optional.of',
  'optional.none',
  'optional.ofNonZeroValue',
  'runtime.newCondition',
  'runtime.condition',
]);

export const expressionsRule: RgdRule = ({ rgd, sites, options }) => {
  const issues: RuleIssue[] = [];
  for (const r of rgd.resources) {
    for (const key of ['readyWhen', 'includeWhen'] as const) {
      const list = r.raw[key];
      if (list === undefined) continue;
      const rid = r.id === undefined ? {} : { resourceId: r.id };
      if (!Array.isArray(list)) {
        issues.push({
          ...rid,
          path: `${r.path}.${key}`,
          message: `${key} must be a list of \${...} expressions`,
        });
        continue;
      }
      list.forEach((v, i) => {
        if (typeof v !== 'string') {
          issues.push({
            ...rid,
            path: `${r.path}.${key}[${i}]`,
            message: `${key} entries must be strings holding one \${...} expression`,
          });
        }
      });
    }
  }
  const conditions = rgd.schema?.['status'];
  if (conditions !== null && typeof conditions === 'object' && 'conditions' in conditions) {
    const list = conditions.conditions;
    if (!Array.isArray(list)) {
      issues.push({
        path: 'spec.schema.status.conditions',
        message: 'status.conditions must be a list of ${...} strings',
      });
    }
  }
  for (const site of sites) issues.push(...checkSite(site, rgd, options.celOmitFunction));
  return issues;
};

function checkSite(site: ExpressionSite, rgd: RgdModel, omitGate: boolean): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const self = site.resource?.id;
  const rid = self === undefined ? {} : { resourceId: self };
  const push = (message: string) => issues.push({ ...rid, path: site.path, message });
  if (site.scan.kind === 'invalid') {
    push(site.scan.message);
    return issues;
  }
  if (STANDALONE_ONLY.has(site.context) && site.scan.kind !== 'standalone') {
    push(
      `only standalone expressions are allowed in ${site.context === 'statusCondition' ? 'status.conditions' : site.context}: ${JSON.stringify(site.value)}`,
    );
    return issues;
  }
  if (
    site.context === 'template' &&
    site.scan.kind !== 'literal' &&
    isCrdTemplate(site) &&
    !isUnderMetadata(site)
  ) {
    push('CustomResourceDefinition templates may only use expressions under metadata');
  }
  const iterators = site.resource?.forEach.map((d) => d.name) ?? [];
  for (const expr of site.expressions) {
    if (!expr.result.ok) {
      push(`parse error: ${expr.result.message} in \${${expr.text}}`);
      continue;
    }
    const { identifiers, functions } = expr.result.analysis;
    const unknownFns = functions.filter(
      (f) => !(f.includes('.') ? NAMESPACED_FUNCTIONS : GLOBAL_FUNCTIONS).has(f),
    );
    if (unknownFns.length > 0)
      push(`uses unknown functions: [${unknownFns.join(' ')}] in \${${expr.text}}`);
    if (
      site.context !== 'statusCondition' &&
      (functions.some((f) => f.startsWith('runtime.')) || identifiers.includes('runtime'))
    ) {
      push('runtime is only available in status.conditions expressions');
    }
    if (functions.includes('omit')) {
      if (site.context !== 'template') push('omit() is only allowed in resource templates');
      else if (!omitGate)
        push('omit() needs the CELOmitFunction feature gate, which is off by default');
      else if (site.path.endsWith('.metadata.name'))
        push('omit() cannot be used for metadata.name');
    }
    issues.push(...checkIdentifiers(site, rgd, identifiers, iterators, expr.text));
  }
  return issues;
}

function checkIdentifiers(
  site: ExpressionSite,
  rgd: RgdModel,
  identifiers: readonly string[],
  iterators: readonly string[],
  text: string,
): RuleIssue[] {
  const self = site.resource?.id;
  const rid = self === undefined ? {} : { resourceId: self };
  const out: RuleIssue[] = [];
  const push = (message: string) => out.push({ ...rid, path: site.path, message });
  const ids = new Set(rgd.ids);
  const roots = identifiers.filter((i) => i !== 'runtime' || site.context !== 'statusCondition');
  if (site.context === 'readyWhen') {
    const isCollection = (site.resource?.forEach.length ?? 0) > 0;
    const allowed = isCollection ? 'each' : self;
    const bad = roots.filter((i) => i !== allowed);
    if (bad.length > 0) {
      push(
        isCollection
          ? `readyWhen of a forEach collection may only reference each, not [${bad.join(' ')}]: \${${text}}`
          : `readyWhen may only reference the resource itself (${self ?? '?'}), not [${bad.join(' ')}]: \${${text}}`,
      );
    }
    return out;
  }
  if (site.context === 'forEach') {
    const its = roots.filter((i) => iterators.includes(i) && !ids.has(i));
    if (its.length > 0)
      push(`forEach expressions must not reference other iterators: [${its.join(' ')}]`);
  }
  const inScope = (i: string): boolean => {
    if (i === 'schema' || ids.has(i)) return true;
    return (site.context === 'template' || site.context === 'externalRef') && iterators.includes(i);
  };
  const unknown = roots.filter(
    (i) => !inScope(i) && !(site.context === 'forEach' && iterators.includes(i)),
  );
  if (unknown.length > 0)
    push(`references unknown identifiers: [${unknown.join(' ')}] in \${${text}}`);
  if (
    self !== undefined &&
    site.context !== 'status' &&
    site.context !== 'statusCondition' &&
    roots.includes(self)
  ) {
    push(`self references are not allowed: \${${text}} references ${self}`);
  }
  if ((site.context === 'status' || site.context === 'statusCondition') && roots.length === 0) {
    push(`instance status field must refer to a resource or schema: \${${text}}`);
  }
  return out;
}

function isCrdTemplate(site: ExpressionSite): boolean {
  const t = site.resource?.template;
  return (
    t !== undefined &&
    t['kind'] === 'CustomResourceDefinition' &&
    typeof t['apiVersion'] === 'string' &&
    t['apiVersion'].startsWith('apiextensions.k8s.io/')
  );
}

function isUnderMetadata(site: ExpressionSite): boolean {
  const r = site.resource;
  return r !== undefined && site.path.startsWith(`${r.path}.template.metadata`);
}
