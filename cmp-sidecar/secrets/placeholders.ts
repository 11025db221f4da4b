import { JsonPathSyntaxError, parseJsonPath } from './jsonpath';
import type { JsonPathPart } from './jsonpath';

/**
 * argocd-vault-plugin placeholders, as teams already write them:
 *
 *   <path:secret-id#key>            one key of a JSON secret (secret-id: a name or an ARN)
 *   <path:secret-id#key#version>    pinned: a staging label (AWSPREVIOUS) or a version id
 *   <path:secret-id>                the whole secret value (string or binary) — an extension of the syntax
 *   <key>                           with the annotation avp.kubernetes.io/path: secret-id on the object
 *   <... | modifier args | ...>     base64encode, base64decode, jsonPath, jsonParse, yamlParse, indent N, sha256sum
 *
 * Only `<path:...>` is a placeholder unless the object carries avp.kubernetes.io/path (as in AVP, so that `<KEY>` in
 * a CRD description is left alone). A placeholder never spans lines.
 */

export const AVP_PATH_ANNOTATION = 'avp.kubernetes.io/path';
export const AVP_VERSION_ANNOTATION = 'avp.kubernetes.io/secret-version';
export const AVP_IGNORE_ANNOTATION = 'avp.kubernetes.io/ignore';
export const AVP_REMOVE_MISSING_ANNOTATION = 'avp.kubernetes.io/remove-missing';
export const AVP_ANNOTATION_PREFIX = 'avp.kubernetes.io/';

/** Which version of a secret: AWSCURRENT unless pinned to a staging label or a version id. */
export type VersionSelector =
  | { readonly kind: 'current' }
  | { readonly kind: 'stage'; readonly stage: string }
  | { readonly kind: 'id'; readonly versionId: string };

export interface SecretRef {
  /** As written (after Handlebars): a secret name or ARN. */
  readonly secretId: string;
  /** Top-level key of a JSON secret; undefined for the whole value. */
  readonly key: string | undefined;
  readonly version: VersionSelector;
}

export type Modifier =
  | { readonly name: 'base64encode' | 'base64decode' | 'jsonParse' | 'yamlParse' | 'sha256sum' }
  | { readonly name: 'indent'; readonly width: number }
  | {
      readonly name: 'jsonPath';
      readonly template: string;
      readonly parts: readonly JsonPathPart[];
    };

export type ModifierName = Modifier['name'];

export interface Placeholder {
  /** The placeholder as written, `<...>` included (never a value, safe in messages). */
  readonly raw: string;
  readonly ref: SecretRef;
  readonly modifiers: readonly Modifier[];
}

export type Segment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'placeholder'; readonly placeholder: Placeholder };

export class PlaceholderSyntaxError extends Error {}

export interface ScanOptions {
  /** avp.kubernetes.io/path of the object: turns on generic `<key>` placeholders. */
  readonly pathAnnotation?: string | undefined;
  /** avp.kubernetes.io/secret-version of the object: the version of generic placeholders. */
  readonly versionAnnotation?: string | undefined;
  /** Applied to secret ids that contain `{{` (cluster context), before parsing the version. */
  readonly templateId?: ((id: string) => string) | undefined;
}

const INLINE_PATH = /<(path:[^<>\n]*)>/g;
const GENERIC = /<([^<>\n]+)>/g;

/** Splits a string into text and placeholders; undefined when it holds none. */
export function scanPlaceholders(value: string, opts: ScanOptions = {}): Segment[] | undefined {
  const pattern = opts.pathAnnotation === undefined ? INLINE_PATH : GENERIC;
  pattern.lastIndex = 0;
  const segments: Segment[] = [];
  let last = 0;
  let found = false;
  for (let m = pattern.exec(value); m !== null; m = pattern.exec(value)) {
    found = true;
    if (m.index > last) segments.push({ kind: 'text', text: value.slice(last, m.index) });
    segments.push({ kind: 'placeholder', placeholder: parsePlaceholder(m[0], m[1]!, opts) });
    last = m.index + m[0].length;
  }
  if (!found) return undefined;
  if (last < value.length) segments.push({ kind: 'text', text: value.slice(last) });
  return segments;
}

export function parsePlaceholder(raw: string, inner: string, opts: ScanOptions = {}): Placeholder {
  const [head = '', ...pipeline] = inner.split('|');
  const refText = head.trim();
  const modifiers = pipeline.map((stmt) => parseModifier(stmt, raw));
  let ref: SecretRef;
  if (refText.startsWith('path:')) {
    const fields = refText.slice('path:'.length).split('#');
    if (fields.length > 3)
      throw new PlaceholderSyntaxError(
        `placeholder ${raw}: expected <path:secret-id#key> or <path:secret-id#key#version>`,
      );
    const id = templateId(fields[0]!.trim(), raw, opts);
    const key = fields[1]?.trim();
    const version = fields[2]?.trim();
    // `<path:id>` is the whole secret; an empty key after `#` is a typo, not a request for the whole secret.
    if (key === '')
      throw new PlaceholderSyntaxError(
        `placeholder ${raw}: the key after '#' is empty (write <path:secret-id> for the whole secret)`,
      );
    ref = {
      secretId: id,
      key,
      version: parseVersion(version, raw),
    };
  } else {
    if (opts.pathAnnotation === undefined || refText === '')
      throw new PlaceholderSyntaxError(`placeholder ${raw}: not a placeholder`);
    ref = {
      secretId: templateId(opts.pathAnnotation.trim(), raw, opts),
      key: refText,
      version: parseVersion(opts.versionAnnotation?.trim(), raw),
    };
  }
  return { raw, ref, modifiers };
}

function templateId(id: string, raw: string, opts: ScanOptions): string {
  const out = id.includes('{{') && opts.templateId ? opts.templateId(id).trim() : id;
  if (out === '') throw new PlaceholderSyntaxError(`placeholder ${raw}: the secret id is empty`);
  if (out.length > 2048)
    throw new PlaceholderSyntaxError(`placeholder ${raw}: the secret id is longer than 2048`);
  return out;
}

/**
 * AWS version ids are UUID-shaped (8-4-4-4-12); anything else is a staging label. `uuid/<id>` (ESO's spelling)
 * forces a version id.
 */
export function parseVersion(version: string | undefined, raw: string): VersionSelector {
  if (version === undefined || version === '') return { kind: 'current' };
  if (version.startsWith('uuid/')) {
    const id = version.slice('uuid/'.length);
    if (id.length < 32 || id.length > 64)
      throw new PlaceholderSyntaxError(`placeholder ${raw}: version id must be 32–64 characters`);
    return { kind: 'id', versionId: id };
  }
  if (/^[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}$/.test(version))
    return { kind: 'id', versionId: version };
  if (version === 'AWSCURRENT') return { kind: 'current' };
  if (version.length > 256)
    throw new PlaceholderSyntaxError(`placeholder ${raw}: staging label longer than 256`);
  return { kind: 'stage', stage: version };
}

const NO_ARG_MODIFIERS = new Set([
  'base64encode',
  'base64decode',
  'jsonParse',
  'yamlParse',
  'sha256sum',
]);

function parseModifier(stmt: string, raw: string): Modifier {
  const fields = stmt.trim().split(/\s+/);
  const name = fields[0] ?? '';
  const args = fields.slice(1);
  if (NO_ARG_MODIFIERS.has(name)) {
    if (args.length > 0)
      throw new PlaceholderSyntaxError(`placeholder ${raw}: modifier ${name} takes no arguments`);
    return { name: name as 'base64encode' };
  }
  if (name === 'indent') {
    const width = args.length === 1 ? Number(args[0]) : NaN;
    if (!Number.isInteger(width) || width < 0 || width > 256)
      throw new PlaceholderSyntaxError(
        `placeholder ${raw}: modifier indent needs one whole number (e.g. "indent 4")`,
      );
    return { name: 'indent', width };
  }
  if (name === 'jsonPath') {
    const template = args.join(' ');
    try {
      return { name: 'jsonPath', template, parts: parseJsonPath(template) };
    } catch (e) {
      if (e instanceof JsonPathSyntaxError)
        throw new PlaceholderSyntaxError(`placeholder ${raw}: ${e.message}`);
      throw e;
    }
  }
  throw new PlaceholderSyntaxError(
    `placeholder ${raw}: unknown modifier ${JSON.stringify(name)} (known: base64encode, base64decode, jsonPath, jsonParse, yamlParse, indent, sha256sum)`,
  );
}

/** A short, value-free description of a reference for messages: `prod/db#password (AWSPREVIOUS)`. */
export function describeRef(ref: SecretRef): string {
  const key = ref.key === undefined ? '' : `#${ref.key}`;
  return `${ref.secretId}${key}${describeVersion(ref.version)}`;
}

export function describeVersion(v: VersionSelector): string {
  switch (v.kind) {
    case 'current':
      return '';
    case 'stage':
      return ` (stage ${v.stage})`;
    case 'id':
      return ` (version ${v.versionId})`;
  }
}

/** Identity of one fetch: the same secret at the same version is fetched once, whatever the keys. */
export function fetchKey(secretId: string, v: VersionSelector): string {
  switch (v.kind) {
    case 'current':
      return `${secretId}\u0000current`;
    case 'stage':
      return `${secretId}\u0000stage\u0000${v.stage}`;
    case 'id':
      return `${secretId}\u0000id\u0000${v.versionId}`;
  }
}
