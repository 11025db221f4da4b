import { resourceIdOf } from './resource-id';
import type { RenderedObject } from './types';

/**
 * kustomize's legacy order (what `kubectl kustomize` prints): these kinds first, in this order, then every other
 * kind, then webhook configurations; ties by group/version/kind, then name, then namespace. Objects that compare
 * equal keep their order (Array.prototype.sort is stable).
 */
const FIRST = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];
const RANK = new Map<string, number>([
  ...FIRST.map((k, i): [string, number] => [k, i - FIRST.length]),
  ...LAST.map((k, i): [string, number] => [k, i + 1]),
]);

function gvkString(group: string, version: string, kind: string): string {
  return [group || '~G', version || '~V', kind || '~K'].join('_');
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function sortObjects(objects: readonly RenderedObject[]): RenderedObject[] {
  const keyed = objects.map((o) => {
    const id = resourceIdOf(o.object);
    return {
      o,
      rank: RANK.get(id.kind) ?? 0,
      gvk: gvkString(id.group, id.version, id.kind),
      rest: `${id.name}|${id.namespace}`,
    };
  });
  keyed.sort((a, b) => a.rank - b.rank || cmp(a.gvk, b.gvk) || cmp(a.rest, b.rest));
  return keyed.map((k) => k.o);
}
