import { RenderError } from '../../core/errors';
import type { FieldRule, ListRule, TypeSchema } from './merge-schema';
import { at, emptyKeysOf } from './parse-documents';
import type { ManifestObject, SourceRef } from './types';

/**
 * Strategic merge of one patch object onto another, in kustomize's syntax and with kustomize's list order:
 *  - maps deep-merge; a `null` value deletes the key; `{$patch: delete}` deletes a map, `$patch: replace` replaces it;
 *  - keyed lists (merge-schema.ts) merge element-wise; `{<key>: x, $patch: delete}` deletes an element, a
 *    `{$patch: replace}` element replaces the whole list and `$patch: merge` is the default; the patch's elements
 *    come first, then the elements only the original has (when a list is keyed by two fields, as ports are, new
 *    elements come first, then the original's, as kustomize orders them); set lists (finalizers) merge the same way;
 *    an empty patch list leaves a keyed list as it was;
 *  - every other list, and every scalar, is replaced: such a list is taken verbatim, `$patch` keys and nulls in
 *    its elements included (kustomize does not look inside it);
 *  - as kustomize walks both objects whole: a map value of the original written empty (`key:`) is dropped (an
 *    explicit `key: null` stays; lists without merge keys are not entered), and in subtrees that only the patch
 *    has, directives and nulls are dropped.
 */
export function strategicMerge(
  original: ManifestObject,
  patch: ManifestObject,
  schema: TypeSchema | undefined,
  source: SourceRef,
): ManifestObject {
  const scope = new MergeScope(source, '');
  return mergeMap(dropEmpty(original, schema), patch, schema, scope);
}

/**
 * The original without the map values written empty (`key:`, not `key: null`), through maps and keyed-list
 * elements; lists without merge keys are kept as they are. kustomize (kyaml) walks the whole original while
 * merging and clears empty values, but keeps an explicit null, and treats a list without merge keys as one value.
 */
function dropEmpty<T>(value: T, schema: TypeSchema | undefined): T {
  if (!isPlainMap(value)) return value;
  const empty = emptyKeysOf(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null && empty?.has(k) === true) continue;
    const field = schema?.fields[k];
    if (isPlainMap(v)) setKey(out, k, dropEmpty(v, field?.type));
    else if (Array.isArray(v) && field?.list?.merge === 'keyed') {
      const item = field.list.item;
      setKey(
        out,
        k,
        v.map((e: unknown) => dropEmpty(e, item)),
      );
    } else setKey(out, k, v);
  }
  return out as T;
}

class MergeScope {
  constructor(
    readonly source: SourceRef,
    readonly path: string,
  ) {}
  child(key: string | number): MergeScope {
    return new MergeScope(
      this.source,
      typeof key === 'number' ? `${this.path}[${key}]` : join(this.path, key),
    );
  }
  fail(message: string): never {
    throw new RenderError(
      `${at(this.source)}: ${this.path === '' ? '' : `${this.path}: `}${message}`,
      this.source,
    );
  }
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

export function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const UNSUPPORTED_DIRECTIVE = /^\$(retainKeys|setElementOrder\/|deleteFromPrimitiveList\/)/;

function directiveOf(
  map: Record<string, unknown>,
  scope: MergeScope,
): 'delete' | 'replace' | 'merge' | undefined {
  for (const key of Object.keys(map)) {
    if (UNSUPPORTED_DIRECTIVE.test(key)) scope.fail(`the ${key} directive is not supported`);
  }
  const d = map['$patch'];
  if (d === undefined) return undefined;
  if (d === 'delete' || d === 'replace' || d === 'merge') return d;
  return scope.fail(`$patch must be delete, replace or merge, got ${JSON.stringify(d)}`);
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function mergeMap(
  original: Record<string, unknown>,
  patch: Record<string, unknown>,
  schema: TypeSchema | undefined,
  scope: MergeScope,
): Record<string, unknown> {
  const directive = directiveOf(patch, scope);
  if (directive === 'replace') return clean(patch, scope, schema);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(original)) setKey(out, k, v);
  for (const [key, pv] of Object.entries(patch)) {
    if (key === '$patch') continue;
    const here = scope.child(key);
    if (pv === null) {
      delete out[key];
      continue;
    }
    const field: FieldRule | undefined = schema?.fields[key];
    const ov = Object.hasOwn(out, key) ? out[key] : undefined;
    if (isPlainMap(pv)) {
      const d = directiveOf(pv, here);
      if (d === 'delete') delete out[key];
      else if (isPlainMap(ov) && d !== 'replace')
        setKey(out, key, mergeMap(ov, pv, field?.type, here));
      else setKey(out, key, clean(pv, here, field?.type));
    } else if (Array.isArray(pv)) {
      // A list without merge keys is one value: replaced by the patch's, verbatim.
      setKey(out, key, field?.list === undefined ? pv : mergeList(ov, pv, field.list, here));
    } else {
      setKey(out, key, pv);
    }
  }
  return out;
}

function mergeList(
  original: unknown,
  patch: unknown[],
  rule: ListRule,
  scope: MergeScope,
): unknown[] {
  const orig: unknown[] = Array.isArray(original) ? (original as unknown[]) : [];
  if (rule.merge === 'set') {
    const seen = new Set<string>();
    const out: unknown[] = [];
    for (const v of [...patch, ...orig]) {
      const k = JSON.stringify(v);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(v);
      }
    }
    return out;
  }
  if (patch.some((e) => isPlainMap(e) && e['$patch'] === 'replace')) {
    return cleanKeyedList(
      patch.filter((e) => !(isPlainMap(e) && e['$patch'] === 'replace')),
      scope,
      rule.item,
    );
  }
  const keyOf = (e: unknown, i: number, where: string): string => {
    if (!isPlainMap(e))
      return scope
        .child(i)
        .fail(`elements of this list must be maps (merged by ${rule.keys.join(', ')})`);
    const first = rule.keys[0]!;
    if (e[first] === undefined || e[first] === null) {
      return scope.child(i).fail(`${where} element lacks its merge key "${first}"`);
    }
    return JSON.stringify(rule.keys.map((k) => e[k] ?? (k === 'protocol' ? 'TCP' : null)));
  };
  const origKeys = orig.map((e, i) => keyOf(e, i, 'original'));
  const origByKey = new Map<string, unknown>();
  orig.forEach((e, i) => origByKey.set(origKeys[i]!, e));

  const merged = new Map<string, unknown>(); // key → merged element (patch elements)
  const deleted = new Set<string>();
  const patchOrder: string[] = [];
  patch.forEach((e, i) => {
    const key = keyOf(e, i, 'patch');
    const here = scope.child(i);
    const el = e as Record<string, unknown>;
    if (el['$patch'] === 'delete') {
      deleted.add(key);
      return;
    }
    const base = merged.get(key) ?? origByKey.get(key);
    const value = isPlainMap(base)
      ? mergeMap(base, el, rule.item, here)
      : clean(el, here, rule.item);
    if (!merged.has(key)) patchOrder.push(key);
    merged.set(key, value);
  });

  const usedKeys = rule.keys.filter((k) =>
    [...orig, ...patch].some((e) => isPlainMap(e) && e[k] !== undefined),
  );
  const out: unknown[] = [];
  if (usedKeys.length > 1) {
    for (const k of patchOrder) if (!origByKey.has(k)) out.push(merged.get(k));
    origKeys.forEach((k, i) => {
      if (!deleted.has(k)) out.push(merged.has(k) ? merged.get(k) : orig[i]);
    });
  } else {
    for (const k of patchOrder) out.push(merged.get(k));
    origKeys.forEach((k, i) => {
      if (!deleted.has(k) && !merged.has(k)) out.push(orig[i]);
    });
  }
  return out;
}

/**
 * A patch map that has nothing to merge with: directives and null values are dropped, as kustomize does, in it
 * and in the elements of its keyed lists; lists without merge keys are kept verbatim.
 */
function clean<T>(value: T, scope: MergeScope, schema: TypeSchema | undefined): T {
  if (!isPlainMap(value)) return value;
  directiveOf(value, scope);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$patch' || v === null) continue;
    const field = schema?.fields[k];
    const here = scope.child(k);
    if (isPlainMap(v)) setKey(out, k, clean(v, here, field?.type));
    else if (Array.isArray(v) && field?.list?.merge === 'keyed')
      setKey(out, k, cleanKeyedList(v, here, field.list.item));
    else setKey(out, k, v);
  }
  return out as T;
}

function cleanKeyedList(
  list: readonly unknown[],
  scope: MergeScope,
  item: TypeSchema | undefined,
): unknown[] {
  return list
    .filter((e) => !(isPlainMap(e) && e['$patch'] === 'delete'))
    .map((e, i) => clean(e, scope.child(i), item));
}

/** Finds a `$patch` directive anywhere in an object that is added, not merged (there is nothing to patch). */
export function findDirective(value: unknown, path = ''): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findDirective(value[i], `${path}[${i}]`);
      if (hit !== undefined) return hit;
    }
  } else if (isPlainMap(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('$patch') || UNSUPPORTED_DIRECTIVE.test(k)) return join(path, k);
      const hit = findDirective(v, join(path, k));
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}
