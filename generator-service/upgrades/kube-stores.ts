/**
 * The controller's Kubernetes ports on @kubernetes/client-node: ClusterUpgrades and their status subresource,
 * Argo CD's Applications (read) and ApplicationSets (read, refresh annotation), and Events.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { kubeCall } from '../kube/call';
import { KubeCallError } from '../registrar/stores';
import type {
  ApplicationSetView,
  ApplicationView,
  ArgoStore,
  EventSink,
  PluginGeneratorRef,
  UpgradeObject,
  UpgradeStore,
} from './ports';
import { REFRESH_ANNOTATION } from './argo-sync';
import { GROUP, isObject, KIND, PLURAL, VERSION } from './spec';
import type { UpgradeStatus } from './status';

const ARGO = { group: 'argoproj.io', version: 'v1alpha1' } as const;

type Raw = Record<string, unknown>;

export function kubeUpgradeStore(kc: KubeConfig, namespace: string): UpgradeStore {
  const api = kc.makeApiClient(CustomObjectsApi);
  const at = { group: GROUP, version: VERSION, namespace, plural: PLURAL };
  return {
    list: async () => {
      const res: unknown = await call('list clusterupgrades', () =>
        api.listNamespacedCustomObject(at),
      );
      return itemsOf('list clusterupgrades', res).map(fromUpgrade);
    },
    replaceStatus: async (obj, status) => {
      const body = {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: KIND,
        metadata: { name: obj.name, namespace, resourceVersion: obj.resourceVersion },
        spec: obj.spec,
        status: withoutUndefined(status),
      };
      const res = (await call(`update clusterupgrade ${obj.name}/status`, () =>
        api.replaceNamespacedCustomObjectStatus({ ...at, name: obj.name, body }),
      )) as Raw;
      return fromUpgrade(res);
    },
  };
}

export function kubeArgoStore(kc: KubeConfig, namespace: string): ArgoStore {
  const api = kc.makeApiClient(CustomObjectsApi);
  return {
    applications: async () => {
      const res: unknown = await call('list applications', () =>
        api.listNamespacedCustomObject({ ...ARGO, namespace, plural: 'applications' }),
      );
      return itemsOf('list applications', res).map(fromApplication);
    },
    applicationSets: async () => {
      const res: unknown = await call('list applicationsets', () =>
        api.listNamespacedCustomObject({ ...ARGO, namespace, plural: 'applicationsets' }),
      );
      return itemsOf('list applicationsets', res).map(fromApplicationSet);
    },
    requestRefresh: async (name) => {
      await call(`patch applicationset ${name}`, () =>
        api.patchNamespacedCustomObject(
          {
            ...ARGO,
            namespace,
            plural: 'applicationsets',
            name,
            body: { metadata: { annotations: { [REFRESH_ANNOTATION]: 'true' } } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      );
    },
  };
}

export function kubeEventSink(kc: KubeConfig, namespace: string, component: string): EventSink {
  const api = kc.makeApiClient(CoreV1Api);
  return {
    emit: async (obj, type, reason, message) => {
      const now = new Date();
      await call('create event', () =>
        api.createNamespacedEvent({
          namespace,
          body: {
            metadata: { name: `${obj.name}.${randomBytes(8).toString('hex')}`, namespace },
            involvedObject: {
              apiVersion: `${GROUP}/${VERSION}`,
              kind: KIND,
              name: obj.name,
              namespace,
              uid: obj.uid,
              resourceVersion: obj.resourceVersion,
            },
            type,
            reason,
            message: message.slice(0, 1000),
            source: { component },
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        }),
      );
    },
  };
}

function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  return kubeCall(fn, (failure) =>
    failure.kind === 'status'
      ? new KubeCallError(operation, failure.status, failure.reason)
      : failure.kind === 'timeout'
        ? new KubeCallError(operation, 0, failure.message)
        : new KubeCallError(operation, 0, failure.message, { cause: failure.cause }),
  );
}

/**
 * The objects of a list answer. An answer without an `items` array is a fault, never an empty list: an empty list
 * would read as "no Applications to wait for" and let a step advance.
 */
function itemsOf(operation: string, res: unknown): Raw[] {
  const items = isObject(res) ? res['items'] : undefined;
  if (!Array.isArray(items))
    throw new KubeCallError(operation, 200, 'the answer has no items array');
  return items.map(obj);
}

function obj(v: unknown): Raw {
  return isObject(v) ? v : {};
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function fromUpgrade(o: Raw): UpgradeObject {
  const m = obj(o['metadata']);
  return {
    name: str(m['name']),
    namespace: str(m['namespace']),
    uid: str(m['uid']),
    generation: typeof m['generation'] === 'number' ? m['generation'] : 1,
    resourceVersion: str(m['resourceVersion']),
    deleting: m['deletionTimestamp'] !== undefined && m['deletionTimestamp'] !== null,
    spec: o['spec'] ?? {},
    status: obj(o['status']),
  };
}

function fromApplication(o: Raw): ApplicationView {
  const m = obj(o['metadata']);
  const spec = obj(o['spec']);
  const source = obj(spec['source'] ?? (Array.isArray(spec['sources']) ? spec['sources'][0] : {}));
  const dest = obj(spec['destination']);
  const status = obj(o['status']);
  const sync = obj(status['sync']);
  const op = obj(status['operationState']);
  const owner = (Array.isArray(m['ownerReferences']) ? m['ownerReferences'] : [])
    .map(obj)
    .find((r) => r['kind'] === 'ApplicationSet');
  const resources = Array.isArray(obj(op['syncResult'])['resources'])
    ? (obj(op['syncResult'])['resources'] as unknown[]).map(obj)
    : [];
  return {
    name: str(m['name']),
    labels: obj(m['labels']) as Record<string, string>,
    applicationSet: owner === undefined ? undefined : str(owner['name']),
    destination: {
      ...(typeof dest['server'] === 'string' ? { server: dest['server'] } : {}),
      ...(typeof dest['name'] === 'string' ? { name: dest['name'] } : {}),
    },
    repoURL: str(source['repoURL']),
    path: str(source['path'] ?? source['chart']),
    syncStatus: str(sync['status']),
    healthStatus: str(obj(status['health'])['status']),
    revision: str(sync['revision']),
    reconciledAt: typeof status['reconciledAt'] === 'string' ? status['reconciledAt'] : undefined,
    operationPhase: typeof op['phase'] === 'string' ? op['phase'] : undefined,
    hooks: resources
      .filter((r) => typeof r['hookType'] === 'string')
      .map((r) => ({
        name: `${str(r['kind'])}/${str(r['name'])}`,
        hookType: str(r['hookType']),
        hookPhase: str(r['hookPhase']),
      })),
  };
}

function fromApplicationSet(o: Raw): ApplicationSetView {
  const m = obj(o['metadata']);
  const refs: PluginGeneratorRef[] = [];
  // Plugin generators at the top level or nested in matrix / merge generators.
  const walk = (gens: unknown) => {
    if (!Array.isArray(gens)) return;
    for (const g of gens.map(obj)) {
      const plugin = obj(g['plugin']);
      if (g['plugin'] !== undefined) {
        refs.push({
          configMap: str(obj(plugin['configMapRef'])['name']),
          parameters: obj(obj(plugin['input'])['parameters']),
        });
      }
      walk(obj(g['matrix'])['generators']);
      walk(obj(g['merge'])['generators']);
    }
  };
  walk(obj(o['spec'])['generators']);
  return { name: str(m['name']), pluginGenerators: refs };
}

/** JSON drops undefined members anyway; removing them keeps the body what the API server stores. */
function withoutUndefined(s: UpgradeStatus): UpgradeStatus {
  return JSON.parse(JSON.stringify(s)) as UpgradeStatus;
}
