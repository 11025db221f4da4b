import type { ManifestObject } from './types';

export interface ResourceId {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** As written; "" when absent. */
  readonly namespace: string;
  readonly name: string;
}

export function resourceIdOf(object: ManifestObject): ResourceId {
  const apiVersion = String(object['apiVersion']);
  const slash = apiVersion.lastIndexOf('/');
  const meta = (object['metadata'] ?? {}) as Record<string, unknown>;
  const ns = meta['namespace'];
  return {
    group: slash < 0 ? '' : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    kind: String(object['kind']),
    namespace: typeof ns === 'string' ? ns : '',
    name: String(meta['name']),
  };
}

/**
 * The identity objects are matched by across layers: group, kind, namespace, name (not version). A missing
 * namespace and `default` are the same namespace, as in kustomize.
 */
export function matchKey(id: ResourceId): string {
  const ns = id.namespace === '' ? 'default' : id.namespace;
  return JSON.stringify([id.group, id.kind, ns, id.name]);
}

export function describeId(id: ResourceId): string {
  const gk = id.group === '' ? id.kind : `${id.kind}.${id.group}`;
  return `${gk} ${id.namespace === '' ? '' : `${id.namespace}/`}${id.name}`;
}
