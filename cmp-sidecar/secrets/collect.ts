import {
  AVP_ANNOTATION_PREFIX,
  AVP_IGNORE_ANNOTATION,
  AVP_PATH_ANNOTATION,
  AVP_REMOVE_MISSING_ANNOTATION,
  AVP_VERSION_ANNOTATION,
  PlaceholderSyntaxError,
  scanPlaceholders,
} from './placeholders';
import type { ScanOptions, Segment } from './placeholders';

export type ValuePath = readonly (string | number)[];

/** One string value of an object that holds placeholders. */
export interface Occurrence {
  readonly path: ValuePath;
  readonly segments: readonly Segment[];
  /**
   * A Secret `data` value that is base64 of text with placeholders (kustomize's secretGenerator encodes them):
   * the placeholders are replaced in the decoded text and the result is encoded again, as AVP does.
   */
  readonly base64Wrapped: boolean;
}

export interface ObjectScan {
  readonly ignored: boolean;
  readonly occurrences: readonly Occurrence[];
}

export function annotationsOf(object: Record<string, unknown>): Record<string, unknown> {
  const meta = object['metadata'];
  if (typeof meta !== 'object' || meta === null) return {};
  const ann = (meta as Record<string, unknown>)['annotations'];
  return typeof ann === 'object' && ann !== null ? (ann as Record<string, unknown>) : {};
}

export function isSecret(object: Record<string, unknown>): boolean {
  return object['kind'] === 'Secret' && (object['apiVersion'] === 'v1' || !object['apiVersion']);
}

/** Finds every placeholder in an object's string values (keys and avp.kubernetes.io/* annotations excepted). */
export function scanObject(
  object: Record<string, unknown>,
  templateId?: (id: string) => string,
): ObjectScan {
  const ann = annotationsOf(object);
  if (String(ann[AVP_IGNORE_ANNOTATION]).toLowerCase() === 'true')
    return { ignored: true, occurrences: [] };
  if (ann[AVP_REMOVE_MISSING_ANNOTATION] !== undefined)
    throw new PlaceholderSyntaxError(
      `${AVP_REMOVE_MISSING_ANNOTATION} is not supported: eks-overlay fails when a value is missing rather than dropping keys`,
    );
  const opts: ScanOptions = {
    pathAnnotation: stringOrUndefined(ann[AVP_PATH_ANNOTATION]),
    versionAnnotation: stringOrUndefined(ann[AVP_VERSION_ANNOTATION]),
    templateId,
  };
  const occurrences: Occurrence[] = [];
  const secretData = isSecret(object);
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      const inData = secretData && path.length === 2 && path[0] === 'data';
      const wrapped = inData ? decodeWrapped(value, opts) : undefined;
      if (wrapped) {
        occurrences.push({ path, segments: wrapped, base64Wrapped: true });
        return;
      }
      const segments = scanPlaceholders(value, opts);
      if (segments) occurrences.push({ path, segments, base64Wrapped: false });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, [...path, i]));
      return;
    }
    if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if (path.length === 2 && path[0] === 'metadata' && path[1] === 'annotations')
          if (k.startsWith(AVP_ANNOTATION_PREFIX)) continue;
        visit(v, [...path, k]);
      }
    }
  };
  visit(object, []);
  return { ignored: false, occurrences };
}

function decodeWrapped(value: string, opts: ScanOptions): Segment[] | undefined {
  if (value.length < 8 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0)
    return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  if (decoded.includes('\uFFFD')) return undefined;
  return scanPlaceholders(decoded, opts);
}

function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function getAt(object: unknown, path: ValuePath): unknown {
  let cur = object;
  for (const step of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[step];
  }
  return cur;
}

export function setAt(object: unknown, path: ValuePath, value: unknown): void {
  let cur = object as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) cur = cur[step] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
}

export function printValuePath(path: ValuePath): string {
  return path
    .map((s, i) =>
      typeof s === 'number'
        ? `[${s}]`
        : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)
          ? `${i === 0 ? '' : '.'}${s}`
          : `[${JSON.stringify(s)}]`,
    )
    .join('');
}
