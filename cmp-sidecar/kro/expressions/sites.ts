import { analyzeCel, type CelAnalysis } from './cel-analysis';
import { scanExpressions, type FieldExpressions } from './delimiters';
import { walkStrings, type RgdModel, type RgdResource } from '../rgd-model';
import { isMap } from '../types';

/**
 * Every place an RGD holds `${...}` (or must hold one), with its context, its delimiter scan and each embedded
 * expression parsed once by the CEL parser, shared by the expression, dependency, forEach and status rules.
 */
export type SiteContext =
  | 'template'
  | 'externalRef'
  | 'readyWhen'
  | 'includeWhen'
  | 'forEach'
  | 'status'
  | 'statusCondition';

export interface ParsedExpression {
  readonly text: string;
  readonly result: ReturnType<typeof analyzeCel>;
}

export interface ExpressionSite {
  readonly context: SiteContext;
  readonly resource: RgdResource | undefined;
  readonly path: string;
  readonly value: string;
  readonly scan: FieldExpressions;
  readonly expressions: readonly ParsedExpression[];
}

/** Contexts whose entries must be exactly one `${...}`. */
export const STANDALONE_ONLY: ReadonlySet<SiteContext> = new Set([
  'readyWhen',
  'includeWhen',
  'forEach',
  'statusCondition',
]);

export function collectSites(rgd: RgdModel): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  const add = (
    context: SiteContext,
    resource: RgdResource | undefined,
    value: string,
    path: string,
  ) => {
    const scan = scanExpressions(value);
    const texts =
      scan.kind === 'standalone'
        ? [scan.expression]
        : scan.kind === 'template'
          ? scan.expressions
          : [];
    sites.push({
      context,
      resource,
      path,
      value,
      scan,
      expressions: texts.map((e) => ({ text: e.text, result: analyzeCel(e.text) })),
    });
  };
  for (const r of rgd.resources) {
    if (r.template)
      walkStrings(r.template, `${r.path}.template`, (s, p) => add('template', r, s, p));
    if (r.externalRef)
      walkStrings(r.externalRef, `${r.path}.externalRef`, (s, p) => add('externalRef', r, s, p));
    for (const key of ['readyWhen', 'includeWhen'] as const) {
      const list = r.raw[key];
      if (Array.isArray(list)) {
        list.forEach((v, i) => {
          if (typeof v === 'string') add(key, r, v, `${r.path}.${key}[${i}]`);
        });
      }
    }
    for (const dim of r.forEach)
      if (typeof dim.value === 'string') add('forEach', r, dim.value, dim.path);
  }
  const status = rgd.schema?.['status'];
  if (isMap(status)) {
    for (const [k, v] of Object.entries(status)) {
      if (k === 'conditions' && Array.isArray(v)) {
        v.forEach((c, i) => {
          if (typeof c === 'string')
            add('statusCondition', undefined, c, `spec.schema.status.conditions[${i}]`);
        });
      } else {
        walkStrings(v, `spec.schema.status.${k}`, (s, p) => add('status', undefined, s, p));
      }
    }
  }
  return sites;
}

/** Identifiers of every parsed expression at a site (unparsable ones contribute nothing). */
export function siteIdentifiers(site: ExpressionSite): string[] {
  const out: string[] = [];
  for (const e of site.expressions) {
    if (!e.result.ok) continue;
    for (const id of e.result.analysis.identifiers) if (!out.includes(id)) out.push(id);
  }
  return out;
}

export function siteAnalyses(site: ExpressionSite): CelAnalysis[] {
  return site.expressions.flatMap((e) => (e.result.ok ? [e.result.analysis] : []));
}
