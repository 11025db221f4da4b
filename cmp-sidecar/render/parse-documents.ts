import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import { RenderError } from '../../core/errors';
import type { ManifestObject, RenderedObject, SourceRef } from './stages';
import { isTemplate, renderTemplate } from './template';
import type { TemplateScope } from './template';

const MAX_ALIAS_DEPTH = 50;

/**
 * Parses one YAML file of a layer into objects: every document must be a map with `apiVersion` and `kind`
 * (`kind: List` is expanded, as kustomize and Argo CD do). String values are templated after parsing, so a
 * template can only ever produce a scalar. Keys are not templated: a key holding `{{` is refused.
 */
export function parseManifestFile(
  text: string,
  file: string,
  scope: TemplateScope,
): RenderedObject[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const lineOf = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lines.linePos(offset).line;
  const ref = (node: Node | null | undefined): SourceRef => {
    const line = lineOf(node?.range?.[0]);
    return line === undefined ? { file } : { file, line };
  };
  if (!Array.isArray(docs)) {
    // parseAllDocuments returns an EmptyStream for a file with no documents at all.
    return [];
  }
  const out: RenderedObject[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err !== undefined) {
      const line = lineOf(err.pos[0]) ?? 1;
      throw new RenderError(`${file}:${line}: invalid YAML: ${err.message.split('\n')[0] ?? ''}`, {
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
    const value = toJs(root, doc, scope, ref, 0) as ManifestObject;
    for (const object of expandList(value, where)) {
      checkObject(object, where);
      out.push({ object, source: where });
    }
  }
  return out;
}

function toJs(
  node: Node | null,
  doc: Document,
  scope: TemplateScope,
  ref: (n: Node | null | undefined) => SourceRef,
  depth: number,
): unknown {
  if (node === null) return null;
  if (isAlias(node)) {
    if (depth > MAX_ALIAS_DEPTH)
      throw new RenderError(`${at(ref(node))}: aliases nested too deeply`, ref(node));
    return toJs(node.resolve(doc) ?? null, doc, scope, ref, depth + 1);
  }
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'string' && isTemplate(v)) return renderTemplate(v, scope, ref(node));
    if (typeof v === 'bigint') return Number(v);
    return v;
  }
  if (isMap(node)) {
    const obj: Record<string, unknown> = {};
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const rawKey = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof rawKey !== 'string' && typeof rawKey !== 'number' && typeof rawKey !== 'boolean') {
        throw new RenderError(`${at(ref(keyNode))}: map keys must be plain strings`, ref(keyNode));
      }
      const key = String(rawKey);
      if (isTemplate(key)) {
        throw new RenderError(
          `${at(ref(keyNode))}: keys are not templated; ${JSON.stringify(key)} must be a literal key`,
          ref(keyNode),
        );
      }
      const value = toJs(pair.value as Node | null, doc, scope, ref, depth);
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
  if (isSeq(node))
    return node.items.map((item) => toJs(item as Node | null, doc, scope, ref, depth));
  throw new RenderError(`${at(ref(node))}: unsupported YAML node`, ref(node));
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
