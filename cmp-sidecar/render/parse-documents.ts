import {
  Composer,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  isNode,
  LineCounter,
  Parser,
  visit,
} from 'yaml';
import type { Alias, Document, Node } from 'yaml';
import { cacheable, cachedParse, remember } from './parsed-yaml-cache';
import { RenderError } from '../../core/errors';
import { LIMITS, quote, RENDER_BOUND_CHARS, renderBoundHint } from './limits';
import { lineOverTokenLimit } from './token-limit';
import type { ManifestObject, RenderedObject, SourceRef } from './types';
import { isTemplate, renderTemplate } from './template';
import type { TemplateScope } from './template';

const MAX_ALIAS_DEPTH = 50;

/**
 * What one render has parsed so far: objects against LIMITS.maxObjects, and characters of keys and string values
 * (aliases and templates expanded, one per node besides) against the render-wide bound.
 */
export interface ParseBudget {
  objects: number;
  chars?: number;
}

/** How a repeated key of one mapping is read (eks-overlay.yaml `yaml.duplicateKeys`). */
export type DuplicateKeys = 'warn' | 'error';

export interface ParseOptions {
  /**
   * `warn` (default): the last value wins, as when Argo CD reads a directory of manifests (sigs.k8s.io/yaml), and a
   * warning names file, line and key; `error`: the file is refused, as kustomize refuses it.
   */
  readonly duplicateKeys?: DuplicateKeys;
  readonly warn?: (msg: string) => void;
  /** The render-wide bound on ParseBudget.chars; RENDER_BOUND_CHARS when absent. */
  readonly maxChars?: number;
}

/**
 * Keys of a parsed map whose value was written empty (`key:`), as opposed to `key: null` or `key: ~`. Both are null
 * here, but kustomize drops the empty ones from an object it patches and keeps the explicit ones (merge.ts).
 */
const emptyKeys = new WeakMap<object, Set<string>>();

export function emptyKeysOf(map: object): ReadonlySet<string> | undefined {
  return emptyKeys.get(map);
}

/** Warnings per file about duplicate keys: a file with thousands of them must not flood stderr. */
const MAX_DUPLICATE_WARNINGS = 10;

/**
 * Parses one YAML file of a layer into objects: every document must be a map with `apiVersion` and `kind`
 * (`kind: List` is expanded, as kustomize and Argo CD do). String values are templated after parsing, so a
 * template can only ever produce a scalar. Keys are not templated: a key holding `{{` is refused.
 * Documents are composed one at a time, so a long stream never holds every document model at once; the limits
 * of render/limits.ts (tokens, depth, alias expansion, objects) fail naming file:line.
 */
export function parseManifestFile(
  text: string,
  file: string,
  scope: TemplateScope,
  budget: ParseBudget = { objects: 0 },
  options: ParseOptions = {},
): RenderedObject[] {
  checkTokenCount(text, file);
  const parsed: Composing = cachedParse('manifests', text) ?? composeDocuments(text);
  const lines = parsed.lines;
  const lineOf = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lines.linePos(offset).line;
  const ref = (node: Node | null | undefined): SourceRef => {
    const line = lineOf(node?.range?.[0]);
    return line === undefined ? { file } : { file, line };
  };
  const out: RenderedObject[] = [];
  const duplicates = new DuplicateKeyReport(file, options);
  for (const doc of parsed.docs) {
    const err = doc.errors[0];
    if (err !== undefined) {
      const line = lineOf(err.pos[0]) ?? 1;
      throw new RenderError(`${file}:${line}: invalid YAML: ${yamlProblem(err.message)}`, {
        file,
        line,
      });
    }
    const root = doc.contents;
    if (root === null || (isScalar(root) && root.value === null)) continue; // empty / null documents are skipped
    const where = ref(root);
    if (!isMap(root)) {
      throw new RenderError(
        `${at(where)}: a document must be a Kubernetes object (a map with apiVersion and kind)`,
        where,
      );
    }
    const size = {
      budget,
      max: options.maxChars ?? RENDER_BOUND_CHARS,
    };
    const value = new DocumentWalker(doc, scope, ref, duplicates, size).toJs(
      root,
      0,
    ) as ManifestObject;
    const objects = expandList(value, where);
    budget.objects += objects.length;
    if (budget.objects > LIMITS.maxObjects) {
      throw new RenderError(
        `${at(where)}: the render has more than ${LIMITS.maxObjects} objects (the limit per render); refused`,
        where,
      );
    }
    for (const object of objects) {
      checkObject(object, where);
      out.push({ object, source: where });
    }
  }
  duplicates.finish();
  if (parsed.complete !== undefined) remember('manifests', text, { docs: parsed.complete, lines });
  return out;
}

/**
 * The documents of `text`, composed one at a time as the loop above asks for them. When the parsed-YAML cache
 * may keep the file, they are collected too: `complete` holds them once the last one composed without an error.
 */
interface Composing {
  readonly docs: Iterable<Document.Parsed>;
  readonly lines: LineCounter;
  readonly complete?: Document.Parsed[] | undefined;
}

function composeDocuments(text: string): Composing {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  // Duplicate keys are found while walking (DocumentWalker): yaml's uniqueKeys compares every key with every
  // other key of its map, far too slow for a hostile map (cmp-sidecar/README.md, "Limits").
  const composer = new Composer({ lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const docs = composer.compose(parser.parse(text), true, text.length);
  if (!cacheable(text)) return { docs, lines };
  const seen: Document.Parsed[] = [];
  let complete: Document.Parsed[] | undefined;
  function* collecting(): Generator<Document.Parsed> {
    for (const doc of docs) {
      seen.push(doc);
      yield doc;
      // The loop throws on a document with an error: a file with one is never kept.
      if (doc.errors.length > 0) return;
    }
    complete = seen;
  }
  return {
    docs: collecting(),
    lines,
    get complete() {
      return complete;
    },
  };
}

/** Applies `duplicateKeys` to each repeated key of a file: refuses it, or warns (a bounded number of times). */
class DuplicateKeyReport {
  private count = 0;

  constructor(
    private readonly file: string,
    private readonly options: ParseOptions,
  ) {}

  /** Called for a key seen before in the same mapping; returns normally when the last value is to win. */
  repeated(key: string, where: SourceRef): void {
    if (this.options.duplicateKeys === 'error') {
      throw new RenderError(
        `${at(where)}: duplicate key ${quote(key)} in one mapping (refused: yaml.duplicateKeys is error in eks-overlay.yaml)`,
        where,
      );
    }
    if (++this.count <= MAX_DUPLICATE_WARNINGS) {
      this.options.warn?.(
        `${at(where)}: duplicate key ${quote(key)} in one mapping; the last value wins, as Argo CD reads it ` +
          '(kustomize refuses the file; set yaml: {duplicateKeys: error} in eks-overlay.yaml to refuse it too)',
      );
    }
  }

  finish(): void {
    if (this.count > MAX_DUPLICATE_WARNINGS) {
      this.options.warn?.(
        `${this.file}: ${this.count - MAX_DUPLICATE_WARNINGS} more duplicate key(s) not listed`,
      );
    }
  }
}

function checkTokenCount(text: string, file: string): void {
  const line = lineOverTokenLimit(text);
  if (line !== undefined) {
    throw new RenderError(
      `${file}:${line}: more than ${LIMITS.maxYamlTokens} YAML tokens in one file (the limit per file); ` +
        'split the file or simplify it',
      { file, line },
    );
  }
}

/** yaml reports its own stack overflow on very deep nesting as a document error: say what it means. */
function yamlProblem(message: string): string {
  const first = message.split('\n')[0] ?? '';
  return /call stack/i.test(first)
    ? `nested too deeply (more than ${LIMITS.maxDepth} levels of maps and lists)`
    : first;
}

/** Turns one document into plain objects, templating strings and enforcing the depth and alias limits. */
class DocumentWalker {
  private aliasNodes = 0;
  private aliasDepth = 0;
  private aliasAt: SourceRef | undefined;
  /** What each alias refers to: the closest anchor of that name before it (one pass; yaml's resolve() rescans). */
  private targets: Map<Alias, Node> | undefined;

  constructor(
    private readonly doc: Document,
    private readonly scope: TemplateScope,
    private readonly ref: (n: Node | null | undefined) => SourceRef,
    private readonly duplicates: DuplicateKeyReport,
    private readonly size: { readonly budget: ParseBudget; readonly max: number },
  ) {}

  /** Counts what a node adds to the render (its characters, and one for the node) against the render-wide bound. */
  private count(chars: number, node: Node | null): void {
    const budget = this.size.budget;
    budget.chars = (budget.chars ?? 0) + chars + 1;
    if (budget.chars > this.size.max) {
      const where = this.aliasAt ?? this.ref(node);
      throw new RenderError(
        `${at(where)}: the values of this render (every key and string, aliases and templates expanded) pass ` +
          `${renderBoundHint(this.size.max)}; refused`,
        where,
      );
    }
  }

  /** Built on the first alias only: most documents have none. */
  private aliasTargets(): Map<Alias, Node> {
    if (this.targets !== undefined) return this.targets;
    const targets = new Map<Alias, Node>();
    const anchors = new Map<string, Node>();
    visit(this.doc, (_key, node) => {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target !== undefined) targets.set(node, target);
      } else if (isNode(node) && node.anchor !== undefined) {
        anchors.set(node.anchor, node);
      }
    });
    this.targets = targets;
    return targets;
  }

  toJs(node: Node | null, level: number): unknown {
    if (node === null) return null;
    if (this.aliasDepth > 0 && ++this.aliasNodes > LIMITS.maxAliasNodes) {
      const where = this.aliasAt ?? this.ref(node);
      throw new RenderError(
        `${at(where)}: aliases expand to more than ${LIMITS.maxAliasNodes} nodes in this file ` +
          '(an alias bomb?); refused',
        where,
      );
    }
    if (isAlias(node)) return this.resolveAlias(node, level);
    if (isScalar(node)) {
      const v = node.value;
      const value =
        typeof v === 'string' && isTemplate(v)
          ? renderTemplate(v, this.scope, this.ref(node))
          : typeof v === 'bigint'
            ? Number(v)
            : v;
      this.count(typeof value === 'string' ? value.length : 0, node);
      return value;
    }
    this.count(0, node);
    if (level >= LIMITS.maxDepth) {
      const where = this.ref(node);
      throw new RenderError(
        `${at(where)}: nested too deeply (more than ${LIMITS.maxDepth} levels of maps and lists); refused`,
        where,
      );
    }
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const rawKey = isScalar(keyNode) ? keyNode.value : undefined;
        if (
          typeof rawKey !== 'string' &&
          typeof rawKey !== 'number' &&
          typeof rawKey !== 'boolean'
        ) {
          throw new RenderError(
            `${at(this.ref(keyNode))}: map keys must be plain strings`,
            this.ref(keyNode),
          );
        }
        const key = String(rawKey);
        this.count(key.length, keyNode);
        if (isTemplate(key)) {
          throw new RenderError(
            `${at(this.ref(keyNode))}: keys are not templated; ${JSON.stringify(key)} must be a literal key`,
            this.ref(keyNode),
          );
        }
        // One pass: a key seen before in this mapping (yaml's uniqueKeys would compare every pair of keys).
        if (Object.hasOwn(obj, key)) this.duplicates.repeated(key, this.ref(keyNode));
        const valueNode = pair.value as Node | null;
        const value = this.toJs(valueNode, level + 1);
        if (
          value === null &&
          (valueNode === null || (isScalar(valueNode) && valueNode.source === ''))
        ) {
          const set = emptyKeys.get(obj) ?? new Set<string>();
          set.add(key);
          emptyKeys.set(obj, set);
        } else if (Object.hasOwn(obj, key)) emptyKeys.get(obj)?.delete(key);
        // defineProperty, so a key named __proto__ is data and never a prototype switch.
        Object.defineProperty(obj, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return obj;
    }
    if (isSeq(node)) return node.items.map((item) => this.toJs(item as Node | null, level + 1));
    throw new RenderError(`${at(this.ref(node))}: unsupported YAML node`, this.ref(node));
  }

  private resolveAlias(node: Alias, level: number): unknown {
    const where = this.ref(node);
    if (this.aliasDepth >= MAX_ALIAS_DEPTH)
      throw new RenderError(`${at(where)}: aliases nested too deeply`, where);
    const target = this.aliasTargets().get(node);
    if (target === undefined) {
      throw new RenderError(
        `${at(where)}: alias *${node.source} refers to no anchor before it`,
        where,
      );
    }
    const outer = this.aliasAt;
    this.aliasAt ??= where;
    this.aliasDepth++;
    try {
      return this.toJs(target, level);
    } finally {
      this.aliasDepth--;
      this.aliasAt = outer;
    }
  }
}

function expandList(value: ManifestObject, where: SourceRef): ManifestObject[] {
  if (value['kind'] !== 'List' || !('items' in value)) return [value];
  const items = value['items'];
  if (items === null) return [];
  if (!Array.isArray(items))
    throw new RenderError(`${at(where)}: List items must be a list`, where);
  return items.map((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new RenderError(`${at(where)}: every List item must be an object`, where);
    }
    return item as ManifestObject;
  });
}

function checkObject(object: ManifestObject, where: SourceRef): void {
  const problems: string[] = [];
  if (typeof object['apiVersion'] !== 'string' || object['apiVersion'] === '')
    problems.push('apiVersion');
  if (typeof object['kind'] !== 'string' || object['kind'] === '') problems.push('kind');
  const meta = object['metadata'];
  const name =
    typeof meta === 'object' && meta !== null
      ? (meta as Record<string, unknown>)['name']
      : undefined;
  if (typeof name !== 'string' || name === '') problems.push('metadata.name');
  if (problems.length > 0) {
    throw new RenderError(
      `${at(where)}: object lacks ${problems.join(', ')} (must be non-empty strings)`,
      where,
    );
  }
}

export function at(where: SourceRef): string {
  return where.line === undefined ? where.file : `${where.file}:${where.line}`;
}
