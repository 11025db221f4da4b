import type * as Crypto from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type {
  FetchResult,
  SecretPayload,
  SecretProvider,
  SecretRequest,
} from '../../plugins/secret-providers/provider';
import type { ObjectScan, Occurrence, ValuePath } from './collect';
import { printValuePath, setAt } from './collect';
import { recordInlinedSecrets } from './inlined-values';
import { printPath, printSelected, selectPath } from './jsonpath';
import type { Modifier, Placeholder, SecretRef } from './placeholders';
import { describeVersion, fetchKey } from './placeholders';

/**
 * Inline mode: placeholders are replaced by values read from the secret provider. Every unique (secret, version)
 * is fetched once for the whole render. Any failure fails the render (FAIL CLOSED), naming the placeholder, the
 * secret id, the key and file:line — never a value: messages are built only from what the manifests say and from
 * error codes; parser messages (which quote their input) are never passed on.
 */

export interface InlineTarget {
  readonly object: Record<string, unknown>;
  /** `base/secret.yaml:12`, for messages. */
  readonly where: string;
  /** `Secret/app/db`, for messages. */
  readonly what: string;
  readonly scan: ObjectScan;
  readonly isSecret: boolean;
  /** True where the object's field must hold a string (see string-fields.ts). */
  readonly stringField: (path: ValuePath) => boolean;
}

/** A problem with one placeholder; the stage gathers them all into one error. */
export interface InlineProblem {
  readonly where: string;
  readonly message: string;
}

type Value =
  | { readonly t: 'text'; readonly s: string }
  | { readonly t: 'bytes'; readonly b: Buffer }
  /** Structured data from jsonParse / yamlParse. */
  | { readonly t: 'data'; readonly v: unknown }
  /** A JSON secret's key that is not a string: number, boolean, null, object or list. */
  | { readonly t: 'typed'; readonly v: unknown };

class ValueProblem extends Error {}

/** Fetches what the targets need and replaces their placeholders in place; returns the problems (none = success). */
export async function resolveInline(
  targets: readonly InlineTarget[],
  provider: SecretProvider,
  signal: AbortSignal,
): Promise<{ problems: InlineProblem[]; fetched: number }> {
  const requests: SecretRequest[] = [];
  const index = new Map<string, number>();
  for (const t of targets)
    for (const occ of t.scan.occurrences)
      for (const seg of occ.segments) {
        if (seg.kind !== 'placeholder') continue;
        const { secretId, version } = seg.placeholder.ref;
        const k = fetchKey(secretId, version);
        if (!index.has(k)) {
          index.set(k, requests.length);
          requests.push({ secretId, version });
        }
      }
  const results = requests.length === 0 ? [] : await provider.fetchAll(requests, signal);
  const resultOf = (ref: SecretRef): FetchResult =>
    results[index.get(fetchKey(ref.secretId, ref.version))!]!;

  const problems: InlineProblem[] = [];
  for (const t of targets) {
    const seen: string[] = [];
    for (const occ of t.scan.occurrences) {
      const at = `${t.where}: ${t.what} ${printValuePath(occ.path)}`;
      try {
        const value = replaceOccurrence(occ, t, resultOf, at, problems, seen);
        setAt(t.object, occ.path, value);
        if (typeof value === 'string' || (typeof value === 'object' && value !== null))
          seen.push(typeof value === 'string' ? value : JSON.stringify(value));
      } catch (e) {
        if (!(e instanceof ValueProblem)) throw e;
        problems.push({ where: at, message: e.message });
      }
    }
    recordInlinedSecrets(t.object, {
      paths: t.scan.occurrences.map((o) => o.path),
      values: seen,
    });
  }
  return { problems, fetched: requests.length };
}

function replaceOccurrence(
  occ: Occurrence,
  target: InlineTarget,
  resultOf: (ref: SecretRef) => FetchResult,
  at: string,
  problems: InlineProblem[],
  seen: string[],
): unknown {
  const { isSecret } = target;
  const values: Value[] = [];
  let failed = false;
  for (const seg of occ.segments) {
    if (seg.kind === 'text') {
      values.push({ t: 'text', s: seg.text });
      continue;
    }
    try {
      const value = evaluate(seg.placeholder, resultOf);
      // Numbers, booleans and null are not scanned for in messages (they would match ordinary text); the
      // fields they were written to still are.
      if (value.t !== 'typed' || (typeof value.v === 'object' && value.v !== null))
        seen.push(valueText(value));
      values.push(value);
    } catch (e) {
      if (!(e instanceof ValueProblem)) throw e;
      failed = true;
      problems.push({ where: at, message: e.message });
    }
  }
  if (failed) return undefined;
  const inSecretMap = isSecret && (occ.path[0] === 'data' || occ.path[0] === 'stringData');
  // One placeholder that yields structured data (jsonParse/yamlParse) replaces the whole value: `replicas: <...>`.
  if (values.length === 1 && values[0]!.t === 'data') {
    if (inSecretMap) throw new ValueProblem('a Secret value must be a string, not parsed data');
    return values[0]!.v;
  }
  // The whole value is one key that is not a string: it keeps its type unless the field must be a string.
  const only = values.length === 1 ? values[0]! : undefined;
  if (only?.t === 'typed' && !occ.base64Wrapped && !target.stringField(occ.path)) {
    // Applied, a null deletes the field (replicas would fall back to 1): refused like a missing key, as
    // argocd-vault-plugin refuses it.
    if (only.v === null)
      throw new ValueProblem(
        `${placeholderAt(occ, 0)}: the key is null in the secret; a null would delete this field when applied`,
      );
    return only.v;
  }
  const text = values
    .map((v, i) => {
      if (v.t === 'text') return v.s;
      if (v.t === 'typed') {
        if (v.v === null)
          throw new ValueProblem(
            `${placeholderAt(occ, i)}: the key is null in the secret, and this field needs text`,
          );
        return printSelected(v.v);
      }
      if (v.t === 'data')
        throw new ValueProblem(`${placeholderAt(occ, i)} yields parsed data inside text`);
      const s = v.b.toString('utf8');
      if (!Buffer.from(s, 'utf8').equals(v.b))
        throw new ValueProblem(
          `${placeholderAt(occ, i)} is binary, not text: add "| base64encode" and put it in data`,
        );
      return s;
    })
    .join('');
  if (occ.base64Wrapped) return Buffer.from(text, 'utf8').toString('base64');
  if (isSecret && occ.path[0] === 'data' && !isBase64(text))
    throw new ValueProblem(
      'the value is not base64 after replacement (Secret data holds base64): use stringData, or add "| base64encode"',
    );
  return text;
}

function placeholderAt(occ: Occurrence, i: number): string {
  const seg = occ.segments[i];
  return seg?.kind === 'placeholder' ? `placeholder ${seg.placeholder.raw}` : 'placeholder';
}

function evaluate(p: Placeholder, resultOf: (ref: SecretRef) => FetchResult): Value {
  const { ref } = p;
  const subject = `placeholder ${p.raw}: secret ${JSON.stringify(ref.secretId)}${describeVersion(ref.version)}`;
  const result = resultOf(ref);
  if (!result.ok)
    throw new ValueProblem(
      `${subject}: ${result.code}${result.message ? `: ${result.message}` : ''}`,
    );
  let value: Value;
  try {
    value = lookup(result.payload, ref.key);
  } catch (e) {
    if (e instanceof ValueProblem)
      throw new ValueProblem(
        `${subject}${ref.key === undefined ? '' : ` key ${JSON.stringify(ref.key)}`}: ${e.message}`,
      );
    throw e;
  }
  for (const m of p.modifiers) {
    try {
      value = applyModifier(m, value);
    } catch (e) {
      if (e instanceof ValueProblem)
        throw new ValueProblem(`${subject}: modifier ${m.name}: ${e.message}`);
      throw e;
    }
  }
  return value;
}

function lookup(payload: SecretPayload, key: string | undefined): Value {
  if (key === undefined)
    return payload.kind === 'string'
      ? { t: 'text', s: payload.text }
      : { t: 'bytes', b: Buffer.from(payload.bytes) };
  const text =
    payload.kind === 'string' ? payload.text : Buffer.from(payload.bytes).toString('utf8');
  const obj = parseJsonSafely(
    text,
    'the secret is not a JSON object (use <path:id> for the whole value)',
  );
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    throw new ValueProblem('the secret is not a JSON object (use <path:id> for the whole value)');
  if (!Object.prototype.hasOwnProperty.call(obj, key))
    throw new ValueProblem('no such key in the secret');
  const v = (obj as Record<string, unknown>)[key];
  return typeof v === 'string' ? { t: 'text', s: v } : { t: 'typed', v };
}

/** The text a value shows when written into a string (also what a leak scan looks for). */
function valueText(v: Value): string {
  if (v.t === 'text') return v.s;
  if (v.t === 'bytes') return v.b.toString('utf8');
  return printSelected(v.v) ?? '';
}

function applyModifier(m: Modifier, v: Value): Value {
  const text = (): string => {
    if (v.t === 'data') throw new ValueProblem('needs a string, got parsed data');
    if (v.t === 'typed') {
      if (v.v === null) throw new ValueProblem('the key is null in the secret');
      return printSelected(v.v);
    }
    return v.t === 'text' ? v.s : v.b.toString('utf8');
  };
  const bytes = (): Buffer => (v.t === 'bytes' ? v.b : Buffer.from(text(), 'utf8'));
  switch (m.name) {
    case 'base64encode':
      return { t: 'text', s: bytes().toString('base64') };
    case 'base64decode': {
      const s = text().replace(/\s+/g, '');
      if (!isBase64(s)) throw new ValueProblem('the value is not valid base64');
      return { t: 'bytes', b: Buffer.from(s, 'base64') };
    }
    case 'sha256sum': {
      // Loaded only here: node:crypto costs every render several ms to load otherwise.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createHash } = require('node:crypto') as typeof Crypto;
      return { t: 'text', s: createHash('sha256').update(bytes()).digest('hex') };
    }
    case 'indent': {
      const pad = ' '.repeat(m.width);
      return { t: 'text', s: text().trim().replace(/\n/g, `\n${pad}`) };
    }
    case 'jsonParse':
      return { t: 'data', v: parseJsonSafely(text(), 'the value is not valid JSON') };
    case 'yamlParse': {
      let parsed: unknown;
      try {
        parsed = parseYaml(text(), { maxAliasCount: 100 }) as unknown;
      } catch {
        throw new ValueProblem('the value is not valid YAML');
      }
      return { t: 'data', v: parsed };
    }
    case 'jsonPath': {
      const input =
        v.t === 'data' || v.t === 'typed'
          ? v.v
          : parseJsonSafely(text(), 'the value is not valid JSON');
      let out = '';
      for (const part of m.parts) {
        if (part.kind === 'text') {
          out += part.text;
          continue;
        }
        const selected = selectPath(input, part.steps);
        if (selected === undefined || selected === null)
          throw new ValueProblem(`{${printPath(part.steps) || '.'}} selects nothing`);
        out += printSelected(selected);
      }
      return { t: 'text', s: out };
    }
  }
}

/** JSON.parse's own messages quote the input, so they are replaced by a fixed one. */
function parseJsonSafely(text: string, problem: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValueProblem(problem);
  }
}

function isBase64(s: string): boolean {
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}
