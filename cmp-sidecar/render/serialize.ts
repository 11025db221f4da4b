import { RenderError } from '../../core/errors';
import { renderBoundHint } from './limits';
import type { ManifestObject } from './types';

const HEAD = ['apiVersion', 'kind', 'metadata'];

/**
 * A YAML stream Argo CD reads back exactly (argocd-contract.md §B7): `---`-separated block-style documents, keys
 * sorted (apiVersion, kind, metadata first at the top), no anchors, no line folding. A string is written plain only
 * when it is unambiguous in every parser Argo CD or kubectl might use (YAML 1.1 via sigs.k8s.io/yaml, or 1.2);
 * `yes`, `on`, `0755`, `1e3`, dates, `~` and anything with indicator characters are double-quoted, multi-line text
 * is a literal block when that is exact. A small emitter of our own: JSON-shaped data needs no more, and it is
 * several times faster than building a YAML document model for every object.
 */
export function serializeObjects(
  objects: readonly ManifestObject[],
  maxChars: number = Number.POSITIVE_INFINITY,
): string {
  const out: string[] = [];
  let total = 0;
  for (const [i, object] of objects.entries()) {
    // Bounded while emitting, so one object whose values repeat a large string (aliases) stops early.
    const lines = new BoundedLines(maxChars - total);
    if (!lines.fits(() => emitMap(object, 0, lines, true))) {
      throw new RenderError(
        `the rendered YAML stream passes ${renderBoundHint(maxChars)}, at object ${i + 1} of ${objects.length} (${describeObject(object)}); refused`,
      );
    }
    const text = lines.join('\n') + '\n';
    total += text.length + 4;
    out.push(text);
  }
  return out.join('---\n');
}

export function serializeObject(object: ManifestObject): string {
  return serializeObjects([object]);
}

/** Thrown inside the emitter when BoundedLines passes its bound; caught by serializeObjects. */
class OverBound extends Error {}

/** The emitter's lines, counting their characters (and line ends) against a bound. */
class BoundedLines extends Array<string> {
  private chars = 0;

  constructor(private readonly max: number) {
    super();
  }

  // Arrays made from this one (slice, map) are plain arrays.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  override push(...items: string[]): number {
    for (const item of items) this.chars += item.length + 1;
    if (this.chars > this.max) throw new OverBound();
    return super.push(...items);
  }

  /** Runs the emitter; false when it passed the bound. */
  fits(emit: () => void): boolean {
    try {
      emit();
      return true;
    } catch (e) {
      if (e instanceof OverBound) return false;
      throw e;
    }
  }
}

function describeObject(object: ManifestObject): string {
  const meta = object['metadata'];
  const name = isMap(meta) && typeof meta['name'] === 'string' ? meta['name'] : '?';
  return `${String(object['kind'])} ${name.slice(0, 100)}`;
}

const AMBIGUOUS_WORDS =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|=|<<)$/;

/** True when a plain scalar with this text could be read as something other than this string. */
export function isAmbiguous(s: string): boolean {
  return (
    s === '' ||
    AMBIGUOUS_WORDS.test(s) ||
    /^[-+]?\.?[0-9]/.test(s) ||
    /^[-+]?[0-9_.]*(?:[eE][-+]?[0-9]+)?$/.test(s) || // YAML 1.1 floats in the yaml package: ".", "._", "e0"
    /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(s)
  );
}

// Plain scalars: a conservative character set, no indicator at the start, no ": " / " #", no edge spaces.
const PLAIN_CHARS = /^[A-Za-z0-9_./@+=,()$:\- ]+$/;
function isPlainSafe(s: string): boolean {
  return (
    PLAIN_CHARS.test(s) &&
    !isAmbiguous(s) &&
    /^[A-Za-z0-9_./$(=+]/.test(s) &&
    !(s.startsWith('-') && s.length === 1) &&
    !s.endsWith(' ') &&
    !s.endsWith(':') &&
    !s.includes(': ') &&
    !s.includes(' #')
  );
}

function isPlainDash(s: string): boolean {
  // `--flag=value` and `-x`: a dash followed by a non-space is a plain scalar, not a sequence entry.
  return /^-[A-Za-z0-9_./=-]/.test(s) && isPlainSafe(`x${s.slice(1)}`) && !isAmbiguous(s);
}

function quote(s: string): string {
  // JSON string escapes are valid YAML double-quoted escapes; also escape what YAML 1.1 treats as line breaks.
  return JSON.stringify(s).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function scalarText(s: string): string {
  return isPlainSafe(s) || isPlainDash(s) ? s : quote(s);
}

// Characters a literal block cannot carry verbatim (controls other than tab and newline, YAML 1.1 line breaks, BOM).
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** Literal block lines for multi-line text, or undefined when a literal block could not hold it exactly. */
function literalBlock(s: string, indent: number): string[] | undefined {
  if (!s.includes('\n') || NEEDS_ESCAPE.test(s)) return undefined;
  const body = s.replace(/\n+$/, '');
  const trailing = s.length - body.length;
  const bodyLines = body.split('\n');
  if (body === '' || /^[ \t]/.test(bodyLines[0]!)) return undefined;
  if (bodyLines.some((l) => /[ \t]$/.test(l))) return undefined;
  const chomp = trailing === 0 ? '|-' : trailing === 1 ? '|' : '|+';
  const pad = ' '.repeat(indent);
  const extra = trailing > 1 ? Array.from({ length: trailing - 1 }, () => '') : [];
  return [chomp, ...bodyLines.map((l) => (l === '' ? '' : pad + l)), ...extra];
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function inline(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return scalarText(v);
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (isMap(v) && Object.keys(v).length === 0) return '{}';
  return undefined;
}

function sortedKeys(map: Record<string, unknown>, top: boolean): string[] {
  const keys = Object.keys(map).sort();
  return top
    ? [...HEAD.filter((k) => keys.includes(k)), ...keys.filter((k) => !HEAD.includes(k))]
    : keys;
}

/** Emits `prefix` followed by a value that sits at `indent` (children of maps at indent, lists at indent - 2). */
function emitValue(prefix: string, v: unknown, indent: number, lines: string[]): void {
  if (typeof v === 'string') {
    const block = literalBlock(v, indent);
    if (block !== undefined) {
      lines.push(`${prefix} ${block[0]}`);
      lines.push(...block.slice(1));
      return;
    }
  }
  const text = inline(v);
  if (text !== undefined) {
    lines.push(`${prefix} ${text}`);
  } else if (Array.isArray(v)) {
    lines.push(prefix);
    emitList(v, indent - 2, lines);
  } else {
    lines.push(prefix);
    emitMap(v as Record<string, unknown>, indent, lines, false);
  }
}

function emitMap(
  map: Record<string, unknown>,
  indent: number,
  lines: string[],
  top: boolean,
): void {
  const pad = ' '.repeat(indent);
  for (const key of sortedKeys(map, top)) {
    emitValue(`${pad}${scalarText(key)}:`, map[key], indent + 2, lines);
  }
}

function emitList(list: readonly unknown[], indent: number, lines: string[]): void {
  const pad = ' '.repeat(indent);
  for (const item of list) {
    const start = lines.length;
    if (isMap(item) && Object.keys(item).length > 0) {
      emitMap(item, indent + 2, lines, false);
    } else if (Array.isArray(item) && item.length > 0) {
      emitList(item, indent + 2, lines);
    } else {
      emitValue(`${pad}-`, item, indent + 2, lines);
      continue;
    }
    lines[start] = `${pad}- ${lines[start]!.slice(indent + 2)}`;
  }
}
