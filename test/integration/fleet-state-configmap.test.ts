/**
 * The fleet state store on a ConfigMap, through the real @kubernetes/client-node against the HTTP fake of the
 * Kubernetes API: what is written, that only `get` and `update` of the one named ConfigMap are used, conflicts
 * between two replicas, and the registry's answers when the ConfigMap cannot be read or written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClusterRecord } from '../../core/cluster';
import { NotReadyError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import { createServiceMetrics } from '../../generator-service/metrics';
import {
  createFleetRegistry,
  type FleetRegistry,
} from '../../generator-service/snapshot/fleet-snapshots';
import { createStateSync } from '../../generator-service/snapshot/state';
import { openConfigMapStateStore } from '../../generator-service/snapshot/state/open-configmap-store';
import { STATE_DATA_KEY } from '../../generator-service/snapshot/state/configmap-store';
import type { ClusterSource, SourceLoad } from '../../plugins/cluster-sources/source';
import { writeKubeconfig } from '../fakes/kube-api/kubeconfig';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api/server';
import { aClusterRecord } from '../helpers/generator';

const NAMESPACE = 'argocd';
const NAME = 'eks-cluster-generator-state';
const BAD = { 'argocd-eks-plugins/upgrade-weight': '50%' };

let api: FakeKubeApi;
let dir: string;

beforeEach(async () => {
  api = await startFakeKubeApi({ users: { 'token-a': 'replica-a', 'token-b': 'replica-b' } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-state-'));
});

afterEach(async () => {
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The ConfigMap as the install creates it: empty, with its own labels. */
function seedConfigMap(data: Record<string, string> = {}) {
  api.seed('configmaps', {
    metadata: {
      name: NAME,
      namespace: NAMESPACE,
      labels: { 'app.kubernetes.io/part-of': 'argocd-eks-plugins' },
    },
    data,
  });
}

function settableSource(records: ClusterRecord[]) {
  let current: SourceLoad = {
    records,
    parts: [{ id: 'm', lastSuccessAt: 1, lastError: undefined }],
  };
  const source: ClusterSource = { kind: 'file', load: () => Promise.resolve(current) };
  return { source, set: (next: ClusterRecord[]) => (current = { ...current, records: next }) };
}

/** A registry as main.ts wires it, with the store opened from the environment like in a pod. */
function replica(name: 'a' | 'b', source: ClusterSource) {
  const env = { KUBECONFIG: writeKubeconfig(dir, api.url, `token-${name}`, `${name}.kubeconfig`) };
  const store = openConfigMapStateStore({ namespace: NAMESPACE, configMap: NAME }, env);
  const metrics = createServiceMetrics();
  const registry = createFleetRegistry({
    source,
    log: silentLogger,
    metrics,
    state: createStateSync(store),
  });
  const metric = async (line: string) =>
    Number(
      (await metrics.registry.metrics())
        .split('\n')
        .find((l) => l.startsWith(`${line} `))
        ?.split(' ')[1],
    );
  return { registry, metric };
}

function answer(registry: FleetRegistry): string[] | string {
  try {
    return registry.servingSnapshot().clusters.map((c) => c.name);
  } catch (e) {
    if (e instanceof NotReadyError) return e.message;
    throw e;
  }
}

function stored(): { served: Record<string, string>; lastGood: Record<string, { name: string }> } {
  const text = api.get('configmaps', NAMESPACE, NAME)?.['data'] as Record<string, string>;
  return JSON.parse(text[STATE_DATA_KEY] ?? '') as ReturnType<typeof stored>;
}

const a = (over: Partial<ClusterRecord> = {}) => aClusterRecord({ clusterName: 'a', ...over });
const b = (over: Partial<ClusterRecord> = {}) => aClusterRecord({ clusterName: 'b', ...over });

describe('the fleet state in a ConfigMap', () => {
  it('writes what was served, keeps the install’s labels and other keys, and only gets and updates that ConfigMap', async () => {
    seedConfigMap({ README: 'managed by eks-cluster-generator' });
    const s = settableSource([a(), b()]);
    const r = replica('a', s.source);
    await r.registry.refresh();
    s.set([a(), b({ tags: BAD })]);
    await r.registry.refresh();
    expect(answer(r.registry)).toEqual(['a', 'b']);

    const cm = api.get('configmaps', NAMESPACE, NAME);
    expect(cm?.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'argocd-eks-plugins' });
    expect((cm?.['data'] as Record<string, string>)['README']).toBe(
      'managed by eks-cluster-generator',
    );
    expect(stored().served).toEqual({
      '012345678901/eu-west-1/a': 'a',
      '012345678901/eu-west-1/b': 'b',
    });
    expect(Object.keys(stored().lastGood)).toEqual(['012345678901/eu-west-1/b']);
    expect(
      new Set(api.requests.map((q) => `${q.verb} ${q.resource}/${q.namespace}/${q.name ?? ''}`)),
    ).toEqual(
      new Set([`get configmaps/${NAMESPACE}/${NAME}`, `update configmaps/${NAMESPACE}/${NAME}`]),
    );
  });

  it('a ConfigMap that cannot be read is a 503 naming it, until it can', async () => {
    const r = replica('a', settableSource([a()]).source);
    await r.registry.refresh();
    expect(answer(r.registry)).toBe(
      `fleet state could not be read: ConfigMap ${NAMESPACE}/${NAME}: get: HTTP 404 (NotFound); the install creates it: check GENERATOR_STATE_CONFIGMAP`,
    );
    expect(await r.metric('generator_state_store_failures_total{op="read"}')).toBe(1);
    seedConfigMap();
    await r.registry.refresh();
    expect(answer(r.registry)).toEqual(['a']);
  });

  it('a write refused by the API is counted and retried; the answer never changes because of it', async () => {
    seedConfigMap();
    const s = settableSource([a(), b()]);
    const r = replica('a', s.source);
    api.inject({ verb: 'update', resource: 'configmaps', status: 403, times: 1 });
    await r.registry.refresh();
    expect(answer(r.registry)).toEqual(['a', 'b']);
    expect(await r.metric('generator_state_store_failures_total{op="write"}')).toBe(1);
    await r.registry.refresh();
    expect(stored().served).toEqual({
      '012345678901/eu-west-1/a': 'a',
      '012345678901/eu-west-1/b': 'b',
    });
  });

  it('a conflicting write (409) re-reads and merges: both replicas’ changes are kept', async () => {
    seedConfigMap();
    const s = settableSource([a(), b()]);
    const replicaA = replica('a', s.source);
    await replicaA.registry.refresh();
    s.set([a({ tags: BAD }), b()]);
    // Replica B writes b's last good parameters between A's read and A's update.
    api.before('update', 'configmaps', NAME, () => {
      const cm = api.get('configmaps', NAMESPACE, NAME);
      const data = cm?.['data'] as Record<string, string>;
      const state = JSON.parse(data[STATE_DATA_KEY] ?? '') as {
        absent: Record<string, number>;
        lastGood: Record<string, unknown>;
      };
      state.absent['012345678901/eu-west-1/b'] = 1;
      state.lastGood['012345678901/eu-west-1/b'] = lastGoodOf('b');
      api.seed('configmaps', {
        ...cm,
        metadata: { name: NAME, namespace: NAMESPACE },
        data: { [STATE_DATA_KEY]: JSON.stringify(state) },
      });
    });
    await replicaA.registry.refresh();
    expect(api.requests.some((q) => q.verb === 'update' && q.status === 409)).toBe(true);
    expect(Object.keys(stored().lastGood).sort()).toEqual([
      '012345678901/eu-west-1/a',
      '012345678901/eu-west-1/b',
    ]);
  });

  it('replica B, starting after replica A served a cluster that is now quarantined, serves A’s last good parameters', async () => {
    seedConfigMap();
    const s = settableSource([a({ tags: { env: 'prod' } }), b()]);
    const replicaA = replica('a', s.source);
    await replicaA.registry.refresh();
    s.set([a({ tags: { env: 'dev', ...BAD } }), b()]);
    await replicaA.registry.refresh();

    const replicaB = replica('b', s.source);
    await replicaB.registry.refresh();
    expect(answer(replicaB.registry)).toEqual(['a', 'b']);
    const served = (r: FleetRegistry) => r.current()?.clusters.find((c) => c.name === 'a');
    expect(served(replicaB.registry)?.labels).toEqual({ env: 'prod' });
    expect(served(replicaB.registry)).toEqual(served(replicaA.registry));
    expect(api.requests.filter((q) => q.user === 'replica-b').map((q) => q.verb)).toEqual(['get']);
  });
});

/** A complete Cluster as the registry would store it, for the hand-written concurrent write above. */
function lastGoodOf(name: string) {
  return {
    name,
    nameNormalized: name,
    server: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
    project: '',
    labels: {},
    annotations: {},
    aws: {
      accountId: '012345678901',
      region: 'eu-west-1',
      clusterName: name,
      arn: `arn:aws:eks:eu-west-1:012345678901:cluster/${name}`,
      version: '1.30',
      platformVersion: 'eks.20',
      status: 'ACTIVE',
      endpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
      oidcIssuer: '',
      vpcId: '',
      tags: {},
    },
    upgrade: { group: '', color: '', weight: '100' },
    caData: '',
  };
}
