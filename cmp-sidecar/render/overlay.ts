import { RenderError } from '../../core/errors';
import { findDirective, isPlainMap, strategicMerge } from './merge';
import { schemaFor } from './merge-schema';
import { at } from './parse-documents';
import { describeId, matchKey, resourceIdOf } from './resource-id';
import type { RenderedObject } from './types';

/**
 * Applies layers in order: an object whose group, kind, namespace and name match an earlier one patches it
 * (strategic merge); `$patch: delete` at the top of an object deletes the earlier one; anything else is added.
 * Two documents for the same object within one layer are an error (which one should win is not obvious).
 */
export function applyLayers(layers: readonly (readonly RenderedObject[])[]): RenderedObject[] {
  const objects = new Map<string, RenderedObject>();
  for (const layer of layers) {
    const inLayer = new Map<string, RenderedObject>();
    for (const doc of layer) {
      const id = resourceIdOf(doc.object);
      const key = matchKey(id);
      const twin = inLayer.get(key);
      if (twin !== undefined) {
        throw new RenderError(
          `${at(doc.source)}: ${describeId(id)} is defined twice in one layer (also at ${at(twin.source)})`,
          doc.source,
        );
      }
      inLayer.set(key, doc);
      const earlier = objects.get(key);
      if (doc.object['$patch'] === 'delete') {
        if (earlier === undefined) {
          throw new RenderError(
            `${at(doc.source)}: $patch: delete of ${describeId(id)}, which no earlier layer defines`,
            doc.source,
          );
        }
        objects.delete(key);
        continue;
      }
      if (earlier === undefined) {
        const directive = findDirective(doc.object);
        if (directive !== undefined) {
          throw new RenderError(
            `${at(doc.source)}: ${directive} in ${describeId(id)}, which no earlier layer defines (nothing to patch)`,
            doc.source,
          );
        }
        objects.set(key, doc);
        continue;
      }
      const merged = strategicMerge(
        earlier.object,
        doc.object,
        schemaFor(id.group, id.kind, id.version),
        doc.source,
      );
      // Re-inserting would move the object to the end; Map.set on an existing key keeps its first position.
      objects.set(key, { object: merged, source: earlier.source });
    }
  }
  return [...objects.values()].map(withoutEmptyAnnotations);
}

/**
 * kustomize drops an object's `metadata.annotations` when it is empty or null (it rewrites every object's
 * annotations while building), whether the object was patched or not; empty labels, and empty annotations of pod
 * templates, stay.
 */
function withoutEmptyAnnotations(doc: RenderedObject): RenderedObject {
  const meta = doc.object['metadata'];
  if (!isPlainMap(meta) || !Object.hasOwn(meta, 'annotations')) return doc;
  const annotations = meta['annotations'];
  if (annotations !== null && !(isPlainMap(annotations) && Object.keys(annotations).length === 0))
    return doc;
  const { annotations: _dropped, ...rest } = meta;
  return { ...doc, object: { ...doc.object, metadata: rest } };
}
