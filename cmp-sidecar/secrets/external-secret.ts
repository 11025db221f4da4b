import { annotationsOf, printValuePath } from './collect';
import type { ObjectScan, Occurrence } from './collect';
import { action, call, escapeTemplateText, goString } from './go-template';
import { escapeGjsonKey, toGjsonPath } from './jsonpath';
import { AVP_ANNOTATION_PREFIX } from './placeholders';
import type { Modifier, Placeholder, Segment, SecretRef, VersionSelector } from './placeholders';
import type { StoreRef } from './config';

/**
 * Turns a Secret holding placeholders into an external-secrets.io/v1 ExternalSecret that ESO resolves in the
 * cluster, so that no secret value ever passes through Argo CD. The ExternalSecret reproduces the Secret exactly:
 *
 * - an entry that is one placeholder becomes a `data[]` reference (`stringData` as is; `data`, which holds base64,
 *   with `decodingStrategy: Base64`; `data` with `| base64encode` as is);
 * - text mixed with placeholders, modifiers and static entries become `target.template.data` (engine v2), the
 *   placeholders replaced by template references, the modifiers by sprig functions;
 * - type, labels and annotations (minus avp.kubernetes.io/*) go to `target.template`; Argo CD's own annotations
 *   (sync waves, hooks, options) stay on the ExternalSecret, which is the object Argo CD applies.
 */

export class ConversionError extends Error {}

export interface ExternalSecretOptions {
  readonly store: StoreRef;
  readonly refreshInterval: string;
}

interface RemoteRef {
  key: string;
  property?: string;
  version?: string;
  decodingStrategy?: 'Base64';
}

interface DataEntry {
  secretKey: string;
  remoteRef: RemoteRef;
}

const ARGOCD_ANNOTATION = /^argocd\.argoproj\.io\//;

export function secretToExternalSecret(
  secret: Record<string, unknown>,
  scan: ObjectScan,
  opts: ExternalSecretOptions,
): Record<string, unknown> {
  const meta = (secret['metadata'] ?? {}) as Record<string, unknown>;
  const name = meta['name'];
  if (typeof name !== 'string' || name === '')
    throw new ConversionError('a Secret with placeholders needs metadata.name');
  const refs = new RefTable();
  const byPath = new Map(scan.occurrences.map((o) => [printValuePath(o.path), o]));
  const used = new Set<string>();
  const take = (path: readonly (string | number)[]): Occurrence | undefined => {
    const key = printValuePath(path);
    const occ = byPath.get(key);
    if (occ) used.add(key);
    return occ;
  };

  // Secret contents: stringData wins over data for the same key, as the API server merges them.
  const entries = new Map<string, Entry>();
  for (const field of ['data', 'stringData'] as const) {
    const map = secret[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map))
      throw new ConversionError(`${field} must be a map`);
    for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
      const occ = take([field, k]);
      entries.set(k, entryFor(field, k, v, occ, refs));
    }
  }

  // Template metadata: labels and annotations, placeholders allowed (engine v2 templates them too).
  const labels: Record<string, string> = {};
  const templateAnnotations: Record<string, string> = {};
  const esAnnotations: Record<string, string> = {};
  let metadataTemplated = false;
  const rawLabels = (meta['labels'] ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(rawLabels)) {
    const occ = take(['metadata', 'labels', k]);
    if (occ) metadataTemplated = true;
    labels[k] = occ ? textTemplate(occ.segments, refs, `metadata.labels.${k}`) : String(v);
  }
  for (const [k, v] of Object.entries(annotationsOf(secret))) {
    if (k.startsWith(AVP_ANNOTATION_PREFIX)) continue;
    const occ = take(['metadata', 'annotations', k]);
    if (ARGOCD_ANNOTATION.test(k)) {
      if (occ)
        throw new ConversionError(
          `metadata.annotations.${k}: Argo CD annotations cannot hold placeholders`,
        );
      esAnnotations[k] = String(v);
      continue;
    }
    if (occ) metadataTemplated = true;
    templateAnnotations[k] = occ
      ? textTemplate(occ.segments, refs, `metadata.annotations.${k}`)
      : escapeTemplateText(String(v));
  }

  for (const occ of scan.occurrences) {
    const key = printValuePath(occ.path);
    if (!used.has(key))
      throw new ConversionError(
        `${key}: placeholders in a Secret are supported only in data, stringData, labels and annotations`,
      );
  }
  if (refs.size === 0) throw new ConversionError('no placeholder to convert');

  // A plain mapping (no template.data) is possible when every entry is exactly one reference and nothing else
  // is templated: with template.data absent, ESO copies every data[] key into the Secret.
  const direct = !metadataTemplated && [...entries.values()].every((e) => e.kind === 'ref');
  const data: DataEntry[] = [];
  const templateData: Record<string, string> = {};
  if (direct) {
    for (const [k, e] of entries)
      if (e.kind === 'ref') data.push({ secretKey: k, remoteRef: refs.remoteRef(e.ref) });
  } else {
    for (const [k, e] of entries) templateData[k] = entryTemplate(e);
    for (const ref of refs.all())
      data.push({ secretKey: ref.name, remoteRef: refs.remoteRef(ref) });
  }
  assertUniqueSecretKeys(data);

  const template: Record<string, unknown> = { engineVersion: 'v2' };
  if (typeof secret['type'] === 'string') template['type'] = secret['type'];
  const templateMeta: Record<string, unknown> = {};
  if (Object.keys(labels).length > 0) templateMeta['labels'] = labels;
  if (Object.keys(templateAnnotations).length > 0)
    templateMeta['annotations'] = templateAnnotations;
  if (Object.keys(templateMeta).length > 0) template['metadata'] = templateMeta;
  if (!direct) template['data'] = templateData;

  const target: Record<string, unknown> = { name, creationPolicy: 'Owner', template };
  if (secret['immutable'] === true) target['immutable'] = true;

  const esMeta: Record<string, unknown> = { name };
  if (typeof meta['namespace'] === 'string') esMeta['namespace'] = meta['namespace'];
  if (Object.keys(rawLabels).length > 0) esMeta['labels'] = { ...stringMap(rawLabels) };
  if (Object.keys(esAnnotations).length > 0) esMeta['annotations'] = esAnnotations;
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: esMeta,
    spec: {
      refreshInterval: opts.refreshInterval,
      secretStoreRef: { kind: opts.store.kind, name: opts.store.name },
      target,
      data,
    },
  };
}

type Entry =
  | { kind: 'ref'; ref: RefInfo }
  | { kind: 'template'; text: string }
  | { kind: 'literal'; text: string };

function entryFor(
  field: 'data' | 'stringData',
  key: string,
  value: unknown,
  occ: Occurrence | undefined,
  refs: RefTable,
): Entry {
  const where = `${field}.${key}`;
  if (typeof value !== 'string') throw new ConversionError(`${where}: must be a string`);
  if (!occ) {
    if (field === 'stringData') return { kind: 'literal', text: escapeTemplateText(value) };
    const bytes = Buffer.from(value, 'base64');
    const text = bytes.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(bytes))
      return { kind: 'literal', text: escapeTemplateText(text) };
    return { kind: 'template', text: action(call('b64dec', goString(value))) };
  }
  // `data` holds base64: the Secret gets the decoded bytes of the text after replacement.
  const decodes = field === 'data' && !occ.base64Wrapped;
  let segments = occ.segments;
  const single =
    segments.length === 1 && segments[0]!.kind === 'placeholder'
      ? segments[0]!.placeholder
      : undefined;
  if (single) {
    let mods = single.modifiers;
    let decoding: 'Base64' | undefined = decodes ? 'Base64' : undefined;
    // b64dec(b64enc(x)) is x: `data: k: <path:s#k | base64encode>` is a plain reference.
    if (decodes && mods.at(-1)?.name === 'base64encode') {
      mods = mods.slice(0, -1);
      decoding = undefined;
    }
    if (mods.length === 0) return { kind: 'ref', ref: refs.get(single.ref, undefined, decoding) };
    segments = [{ kind: 'placeholder', placeholder: { ...single, modifiers: mods } }];
    if (decoding === undefined)
      return { kind: 'template', text: textTemplate(segments, refs, where) };
  }
  if (!decodes) return { kind: 'template', text: textTemplate(segments, refs, where) };
  return { kind: 'template', text: action(call('b64dec', segmentsExpr(segments, refs, where))) };
}

function entryTemplate(e: Entry): string {
  switch (e.kind) {
    case 'literal':
    case 'template':
      return e.text;
    case 'ref':
      return action(`.${e.ref.name}`);
  }
}

/** Text with placeholders as a template: literal text escaped, each placeholder one action. */
function textTemplate(segments: readonly Segment[], refs: RefTable, where: string): string {
  return segments
    .map((s, i) => {
      if (s.kind !== 'text') return action(placeholderExpr(s.placeholder, refs, where));
      const text = escapeTemplateText(s.text);
      // `{` right before an action would read as `{{{`: the lexer would open the action one brace early.
      return segments[i + 1]?.kind === 'placeholder' && text.endsWith('{')
        ? `${text.slice(0, -1)}{{ "{" }}`
        : text;
    })
    .join('');
}

/** Text with placeholders as one Go expression (for functions applied to the whole text). */
function segmentsExpr(segments: readonly Segment[], refs: RefTable, where: string): string {
  const parts = segments.map((s) =>
    s.kind === 'text' ? goString(s.text) : placeholderExpr(s.placeholder, refs, where),
  );
  return parts.length === 1 ? parts[0]! : call('print', ...parts);
}

type Value = { expr: string; parsed: boolean };

function placeholderExpr(p: Placeholder, refs: RefTable, where: string): string {
  const fail = (m: Modifier, why: string) =>
    new ConversionError(
      `${where}: placeholder ${p.raw}: modifier ${m.name} ${why} in externalSecret mode (use secrets.mode: inline, or restructure the Secret)`,
    );
  let mods = p.modifiers;
  let value: Value;
  const first = mods[0];
  if (first?.name === 'jsonPath') {
    // Folded into remoteRef.property (a gjson path), so ESO itself fails when the path is missing.
    const parts = first.parts.map((part) =>
      part.kind === 'text'
        ? goString(part.text)
        : `.${refs.get(p.ref, propertyPath(p.ref.key, part.steps), undefined).name}`,
    );
    value = { expr: parts.length === 1 ? parts[0]! : call('print', ...parts), parsed: false };
    mods = mods.slice(1);
  } else {
    value = { expr: `.${refs.get(p.ref, undefined, undefined).name}`, parsed: false };
  }
  for (const m of mods) {
    if (value.parsed && m.name !== 'jsonPath')
      throw fail(m, 'cannot follow jsonParse/yamlParse (only jsonPath can)');
    switch (m.name) {
      case 'base64encode':
        value = { expr: call('b64enc', value.expr), parsed: false };
        break;
      case 'base64decode':
        value = { expr: call('b64dec', value.expr), parsed: false };
        break;
      case 'sha256sum':
        value = { expr: call('sha256sum', value.expr), parsed: false };
        break;
      case 'indent': {
        const trimmed = call('trim', value.expr);
        value = {
          expr:
            m.width === 0
              ? trimmed
              : call(
                  'trimPrefix',
                  goString(' '.repeat(m.width)),
                  call('indent', String(m.width), trimmed),
                ),
          parsed: false,
        };
        break;
      }
      case 'jsonParse':
        value = { expr: call('fromJson', value.expr), parsed: true };
        break;
      case 'yamlParse':
        value = { expr: call('fromYaml', value.expr), parsed: true };
        break;
      case 'jsonPath': {
        const obj = value.parsed ? value.expr : call('fromJson', value.expr);
        const parts = m.parts.map((part) =>
          part.kind === 'text'
            ? goString(part.text)
            : part.steps.length === 0
              ? obj
              : call(
                  'index',
                  obj,
                  ...part.steps.map((s) => (typeof s === 'number' ? String(s) : goString(s))),
                ),
        );
        value = { expr: parts.length === 1 ? parts[0]! : call('print', ...parts), parsed: false };
        break;
      }
    }
  }
  if (value.parsed)
    throw fail(
      mods.at(-1) ?? { name: 'jsonParse' },
      'yields a structured (non-string) value, which a Secret cannot hold',
    );
  return value.expr;
}

function propertyPath(key: string | undefined, steps: readonly (string | number)[]): string {
  const path = toGjsonPath(steps);
  if (key === undefined) return path;
  return path === '' ? escapeGjsonKey(key) : `${escapeGjsonKey(key)}.${path}`;
}

interface RefInfo {
  name: string;
  ref: SecretRef;
  property: string | undefined;
  decoding: 'Base64' | undefined;
}

/** The remote references of one ExternalSecret, deduplicated, with stable template-friendly names. */
class RefTable {
  private readonly byKey = new Map<string, RefInfo>();
  private readonly names = new Set<string>();

  get size(): number {
    return this.byKey.size;
  }

  all(): RefInfo[] {
    return [...this.byKey.values()];
  }

  get(
    ref: SecretRef,
    jsonPathProperty: string | undefined,
    decoding: 'Base64' | undefined,
  ): RefInfo {
    const property =
      jsonPathProperty ?? (ref.key === undefined ? undefined : escapeGjsonKey(ref.key));
    const id = JSON.stringify([
      ref.secretId,
      property ?? null,
      versionString(ref.version) ?? null,
      decoding ?? null,
    ]);
    let info = this.byKey.get(id);
    if (!info) {
      info = { name: this.uniqueName(ref, property, decoding), ref, property, decoding };
      this.byKey.set(id, info);
    }
    return info;
  }

  remoteRef(info: RefInfo): RemoteRef {
    const r: RemoteRef = { key: info.ref.secretId };
    if (info.property !== undefined) r.property = info.property;
    const version = versionString(info.ref.version);
    if (version !== undefined) r.version = version;
    if (info.decoding) r.decodingStrategy = info.decoding;
    return r;
  }

  private uniqueName(
    ref: SecretRef,
    property: string | undefined,
    decoding: string | undefined,
  ): string {
    const idName = ref.secretId.includes(':secret:')
      ? ref.secretId.slice(ref.secretId.indexOf(':secret:') + ':secret:'.length)
      : ref.secretId;
    const parts = [idName, property ?? '', versionString(ref.version) ?? '', decoding ? 'b64' : ''];
    let base = parts
      .filter((p) => p !== '')
      .join('_')
      .replace(/[^A-Za-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 100);
    if (!/^[A-Za-z]/.test(base)) base = `s_${base}`;
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }
}

/** ESO's AWS provider: a staging label as is, a version id prefixed `uuid/`. */
function versionString(v: VersionSelector): string | undefined {
  switch (v.kind) {
    case 'current':
      return undefined;
    case 'stage':
      return v.stage;
    case 'id':
      return `uuid/${v.versionId}`;
  }
}

function assertUniqueSecretKeys(data: readonly DataEntry[]): void {
  const seen = new Set<string>();
  for (const d of data) {
    if (seen.has(d.secretKey))
      throw new ConversionError(`two entries map to the Secret key ${JSON.stringify(d.secretKey)}`);
    seen.add(d.secretKey);
  }
}

function stringMap(m: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]));
}
