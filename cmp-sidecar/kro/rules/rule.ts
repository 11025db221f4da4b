import type { ExpressionSite } from '../expressions/sites';
import type { RgdModel } from '../rgd-model';
import type { Severity } from '../types';
import type { SchemaLookup } from '../crd/schema-lookup';

/** One static check of kro's (kro-eso-ack.md §1.8), run over a parsed RGD. */
export interface RuleIssue {
  readonly resourceId?: string;
  readonly path: string;
  readonly message: string;
  /** Default: error. */
  readonly severity?: Severity;
}

export interface RuleOptions {
  /** kro's CELOmitFunction feature gate (alpha, off by default). */
  readonly celOmitFunction: boolean;
  /** kro's --rgd-max-collection-dimension-size. */
  readonly maxCollectionDimensions: number;
}

export interface RuleInput {
  readonly rgd: RgdModel;
  readonly sites: readonly ExpressionSite[];
  readonly options: RuleOptions;
  readonly schemas: SchemaLookup;
}

export type RgdRule = (input: RuleInput) => RuleIssue[];

export const LOWER_CAMEL = /^[a-z][a-zA-Z0-9]*$/;

/** kro's reserved ids plus CEL's reserved words (R3). */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'apiVersion',
  'context',
  'dependency',
  'dependencies',
  'each',
  'externalRef',
  'externalReference',
  'externalRefs',
  'externalReferences',
  'graph',
  'instance',
  'item',
  'items',
  'kind',
  'kro',
  'metadata',
  'namespace',
  'object',
  'resource',
  'resourcegraphdefinition',
  'resourceGraphDefinition',
  'resources',
  'root',
  'runtime',
  'schema',
  'self',
  'serviceAccountName',
  'spec',
  'status',
  'this',
  'variables',
  'vars',
  'version',
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'return',
  'var',
  'void',
  'while',
]);

export function resourceLabel(id: string | undefined, index: number): string {
  return id ?? `#${index}`;
}
