/** Where an object came from in the repo, so a finding can name file:line. */
export interface SourceRef {
  readonly file: string;
  readonly line?: number;
}

export type JsonMap = Record<string, unknown>;

/** One parsed manifest as the kro checks see it: the object and, when known, where it was read. */
export interface KroInputObject {
  readonly object: JsonMap;
  readonly source?: SourceRef;
}

export type Severity = 'error' | 'warning';

/** A problem found in one ResourceGraphDefinition (or legacy ResourceGroup, or instance). */
export interface KroFinding {
  readonly severity: Severity;
  /** metadata.name of the RGD (or `<kind>/<name>` of an instance). */
  readonly rgd: string;
  readonly resourceId?: string;
  /** Dotted path inside the object, e.g. `spec.resources[2].template.spec.name`. */
  readonly path: string;
  readonly message: string;
  readonly source?: SourceRef;
}

export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Formats a finding on one line: `file:line: RGD x, resource y, at path: message`. */
export function formatFinding(f: KroFinding): string {
  const where = f.source
    ? `${f.source.file}${f.source.line === undefined ? '' : `:${f.source.line}`}: `
    : '';
  const res = f.resourceId === undefined ? '' : `, resource ${f.resourceId}`;
  return `${where}${f.rgd}${res}, at ${f.path}: ${f.message}`;
}
