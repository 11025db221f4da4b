import { isMap } from './parse-match';
import { splitApiVersion } from './resources';
import type { ResolvedResource, ResourceResolver } from './resources';
import type { Json, Operation, PolicySource } from './types';

/**
 * One admission request as the evaluator sees it: the object (or the old object), where it is, its REST resource
 * and what is known of its Namespace. Built the way the API server would see the rendered object applied
 * (policy-cel.md §A.13): a namespaced object without a namespace lands in the Application's destination namespace.
 */
export interface NamespaceInfo {
  readonly labels: Readonly<Record<string, string>>;
  /** The Namespace object when the render or a policy directory holds it (for `namespaceObject`). */
  readonly object?: Json;
  /** True when neither holds it: its labels are only the one the API server gives every Namespace. */
  readonly assumed: boolean;
}

/** What the evaluation knows of the cluster: kinds and Namespaces. */
export interface ClusterKnowledge {
  readonly resolver: ResourceResolver;
  namespace(name: string): NamespaceInfo;
}

export interface AdmissionSubject {
  readonly object: Json | null;
  readonly oldObject: Json | null;
  readonly operation: Operation;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** '' for a cluster-scoped object; a Namespace's own name for a Namespace. */
  readonly namespace: string;
  readonly resource: ResolvedResource;
  readonly namespaceInfo: NamespaceInfo;
  readonly source?: PolicySource;
}

export interface SubjectInput {
  readonly object: Json | null;
  readonly oldObject: Json | null;
  readonly operation: Operation;
  readonly source?: PolicySource;
}

export function metadataOf(o: Json | null): Json {
  return o !== null && isMap(o['metadata']) ? o['metadata'] : {};
}

export function buildSubject(
  input: SubjectInput,
  defaultNamespace: string,
  router: ClusterKnowledge,
): AdmissionSubject {
  const o = input.object ?? input.oldObject ?? {};
  const apiVersion = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
  const kind = typeof o['kind'] === 'string' ? o['kind'] : '';
  const md = metadataOf(o);
  const name = typeof md['name'] === 'string' ? md['name'] : '';
  const written = typeof md['namespace'] === 'string' ? md['namespace'] : '';
  const knownScope = router.resolver.scopeOf(apiVersion, kind);
  const resource = router.resolver.resolve(apiVersion, kind, written !== '');
  const isNamespace = resource.group === '' && kind === 'Namespace';
  const namespaced = (knownScope ?? resource.scope) === 'Namespaced';
  const namespace = isNamespace ? name : namespaced ? written || defaultNamespace : '';
  const namespaceInfo =
    namespace === '' || isNamespace ? { labels: {}, assumed: false } : router.namespace(namespace);
  return {
    object: input.object,
    oldObject: input.oldObject,
    operation: input.operation,
    apiVersion,
    kind,
    name,
    namespace,
    resource,
    namespaceInfo,
    ...(input.source === undefined ? {} : { source: input.source }),
  };
}

/** API group, kind, namespace and name: how an object at the base revision is paired with its rendered self. */
export function objectIdentity(o: Readonly<Record<string, unknown>>): string {
  const md = metadataOf(o);
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return [
    splitApiVersion(text(o['apiVersion'])).group,
    text(o['kind']),
    text(md['namespace']),
    text(md['name']),
  ].join('/');
}
