/**
 * The registry's memory of what it served: a served cluster keeps its last good parameters through statuses the
 * generator does not serve, through refreshes it is missing from (until its absence is confirmed) and through a bad
 * reserved tag; one bad cluster is quarantined on its own; the memory survives restarts and is shared by replicas
 * through a state store.
 */
import type { ClusterRecord } from '../../core/cluster';
import { NotReadyError } from '../../core/errors';
import { createJsonLogger } from '../../core/logger';
import type { FleetSnapshot } from '../../core/snapshot';
import type { ClusterSource, SourceLoad } from '../../plugins/cluster-sources/source';
import { aClusterRecord } from '../../test/helpers/generator';
import { createServiceMetrics, type ServiceMetrics } from '../metrics';
import { createFleetRegistry, type FleetRegistry, type RegistryOptions } from './fleet-snapshots';
import { createStateSync } from './state';
import { memoryStateStore, type MemoryStateStore } from './state/memory-store';

/** A source answering with whatever records the test set last (the same array until it sets another). */
function settableSource(records: ClusterRecord[]) {
  let current: SourceLoad = {
    records,
    parts: [{ id: 'm', lastSuccessAt: 1, lastError: undefined }],
  };
  let failure: Error | undefined;
  const source: ClusterSource = {
    kind: 'file',
    load: () => (failure ? Promise.reject(failure) : Promise.resolve(current)),
  };
  return {
    source,
    set: (next: ClusterRecord[]) => {
      current = { ...current, records: next };
    },
    fail: (e: Error | undefined) => {
      failure = e;
    },
  };
}

interface Started {
  readonly registry: FleetRegistry;
  readonly metrics: ServiceMetrics;
  readonly logs: Record<string, unknown>[];
  /** Names in the served snapshot (every status), or the 503 message. */
  names(): string[] | string;
  /** The cluster served under `name`. */
  served(name: string): FleetSnapshot['clusters'][number] | undefined;
  metric(name: string): Promise<number>;
}

function start(source: ClusterSource, extra: Partial<RegistryOptions> = {}): Started {
  const lines: string[] = [];
  const metrics = createServiceMetrics();
  const registry = createFleetRegistry({
    source,
    log: createJsonLogger({ write: (l: string) => lines.push(l) }, 'debug'),
    metrics,
    ...extra,
  });
  return {
    registry,
    metrics,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    names() {
      try {
        return registry.servingSnapshot().clusters.map((c) => c.name);
      } catch (e) {
        if (e instanceof NotReadyError) return e.message;
        throw e;
      }
    },
    served: (name) => registry.current()?.clusters.find((c) => c.name === name),
    async metric(name) {
      const text = await metrics.registry.metrics();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return Number(line?.split(' ')[1]);
    },
  };
}

const a = (over: Partial<ClusterRecord> = {}) => aClusterRecord({ clusterName: 'a', ...over });
const b = (over: Partial<ClusterRecord> = {}) => aClusterRecord({ clusterName: 'b', ...over });
const c = (over: Partial<ClusterRecord> = {}) => aClusterRecord({ clusterName: 'c', ...over });

describe('a served cluster in a status the generator does not serve keeps its last good parameters', () => {
  test.each(['FAILED', 'PENDING', 'CREATING'])('ACTIVE → %s → ACTIVE', async (status) => {
    const s = settableSource([a({ tags: { env: 'prod' } }), b()]);
    const r = start(s.source);
    await r.registry.refresh();
    s.set([a({ status, tags: { env: 'dev' } }), b()]);
    await r.registry.refresh();
    expect(r.names()).toEqual(['a', 'b']);
    expect(r.served('a')?.aws.status).toBe('ACTIVE');
    expect(r.served('a')?.labels).toEqual({ env: 'prod' });
    expect(await r.metric('generator_registry_retained_clusters{reason="status"}')).toBe(1);

    s.set([a({ tags: { env: 'dev' } }), b()]);
    await r.registry.refresh();
    expect(r.served('a')?.labels).toEqual({ env: 'dev' });
    expect(await r.metric('generator_registry_retained_clusters{reason="status"}')).toBe(0);
  });

  test('UPDATING is served as listed', async () => {
    const s = settableSource([a()]);
    const r = start(s.source);
    await r.registry.refresh();
    s.set([a({ status: 'UPDATING', version: '1.31' })]);
    await r.registry.refresh();
    expect(r.served('a')?.aws).toMatchObject({ status: 'UPDATING', version: '1.31' });
  });

  test('a cluster never served is published in the status it has (the request filter decides)', async () => {
    const s = settableSource([a({ status: 'FAILED' })]);
    const r = start(s.source);
    await r.registry.refresh();
    expect(r.served('a')?.aws.status).toBe('FAILED');
  });

  test('DELETING is published as DELETING and forgotten: once gone, it is gone at once', async () => {
    const s = settableSource([a(), b()]);
    const r = start(s.source);
    await r.registry.refresh();
    s.set([a({ status: 'DELETING' }), b()]);
    await r.registry.refresh();
    expect(r.served('a')?.aws.status).toBe('DELETING');
    s.set([b()]);
    await r.registry.refresh();
    expect(r.names()).toEqual(['b']);
  });
});

describe('a cluster missing from a successful listing is dropped only once its absence is confirmed', () => {
  test('kept after refresh 1, gone after refresh 2 (the default)', async () => {
    const s = settableSource([a(), b(), c()]);
    const r = start(s.source);
    await r.registry.refresh();
    s.set([a(), c()]);
    await r.registry.refresh();
    expect(r.names()).toEqual(['a', 'b', 'c']);
    expect(await r.metric('generator_registry_retained_clusters{reason="absent"}')).toBe(1);
    await r.registry.refresh();
    expect(r.names()).toEqual(['a', 'c']);
    expect(await r.metric('generator_registry_retained_clusters{reason="absent"}')).toBe(0);
  });

  test('FLEET_ABSENCE_REFRESHES=3 keeps it two refreshes; 1 drops it at once', async () => {
    const s = settableSource([a(), b()]);
    const three = start(s.source, { absenceRefreshes: 3 });
    const one = start(s.source, { absenceRefreshes: 1 });
    await three.registry.refresh();
    await one.registry.refresh();
    s.set([a()]);
    await three.registry.refresh();
    await three.registry.refresh();
    await one.registry.refresh();
    expect(three.names()).toEqual(['a', 'b']);
    expect(one.names()).toEqual(['a']);
    await three.registry.refresh();
    expect(three.names()).toEqual(['a']);
  });

  test('the source answering with the very same records array still counts each refresh', async () => {
    const s = settableSource([a(), b()]);
    const r = start(s.source);
    await r.registry.refresh();
    const shorter = [a()];
    s.set(shorter);
    await r.registry.refresh();
    expect(r.names()).toEqual(['a', 'b']);
    await r.registry.refresh(); // same array again
    expect(r.names()).toEqual(['a']);
  });

  test('one truncated listing followed by the full one never shortens an answer', async () => {
    const full = [a(), b(), c(), aClusterRecord({ clusterName: 'd' })];
    const s = settableSource(full);
    const r = start(s.source);
    const seen: number[] = [];
    r.registry.subscribe((snap) => seen.push(snap.clusters.length));
    await r.registry.refresh();
    s.set(full.slice(0, 2));
    await r.registry.refresh();
    s.set([...full]);
    await r.registry.refresh();
    await r.registry.refresh();
    expect(seen).toEqual([4]);
    expect(r.names()).toEqual(['a', 'b', 'c', 'd']);
  });

  test('a failed load counts nothing: absence is only seen in a successful listing', async () => {
    const s = settableSource([a(), b()]);
    const r = start(s.source);
    await r.registry.refresh();
    s.set([a()]);
    await r.registry.refresh();
    s.fail(new Error('down'));
    await r.registry.refresh();
    await r.registry.refresh();
    s.fail(undefined);
    expect(r.names()).toEqual(['a', 'b']);
    s.set([a(), b()]);
    await r.registry.refresh();
    s.set([a()]);
    await r.registry.refresh();
    expect(r.names()).toEqual(['a', 'b']);
  });
});

/**
 * A source of two EKS-like parts (one per region), each keeping its last good records when it fails, as the EKS
 * source does: a failed part's clusters are the ones its last successful listing had.
 */
function twoRegionSource() {
  const ACCOUNT = '012345678901';
  const regions = ['eu-west-1', 'us-east-1'] as const;
  type Region = (typeof regions)[number];
  const listed = new Map<Region, ClusterRecord[]>(regions.map((r) => [r, []]));
  const failing = new Set<Region>();
  const source: ClusterSource = {
    kind: 'eks',
    load: () =>
      Promise.resolve({
        records: regions.flatMap((r) => listed.get(r) ?? []),
        parts: regions.map((region) => ({
          id: `eks:${ACCOUNT}/${region}`,
          scope: { accountId: ACCOUNT, region },
          lastSuccessAt: 1,
          lastError: failing.has(region) ? 'ListClusters: ServiceUnavailableException' : undefined,
        })),
      }),
  };
  return {
    source,
    /** A successful listing of `region`. */
    list(region: Region, names: string[]) {
      listed.set(
        region,
        names.map((clusterName) => aClusterRecord({ clusterName, region, accountId: ACCOUNT })),
      );
      failing.delete(region);
    },
    /** `region` fails: its records stay those of its last successful listing. */
    fail(region: Region) {
      failing.add(region);
    },
  };
}

describe("absence is counted only on refreshes that listed the cluster's part successfully", () => {
  test('a failed refresh of its part keeps a missing cluster retained: it neither confirms nor resets the absence', async () => {
    const s = twoRegionSource();
    s.list('eu-west-1', ['euw-a', 'euw-b']);
    s.list('us-east-1', ['use-a']);
    const r = start(s.source);
    await r.registry.refresh();
    s.list('eu-west-1', ['euw-a']); // missing from one successful listing
    await r.registry.refresh();
    expect(r.names()).toEqual(['euw-a', 'euw-b', 'use-a']);
    s.fail('eu-west-1'); // its part fails, twice: the records are still those of the listing above
    await r.registry.refresh();
    await r.registry.refresh();
    expect(r.names()).toEqual(['euw-a', 'euw-b', 'use-a']);
    s.list('eu-west-1', ['euw-a']); // the second successful listing without it confirms
    await r.registry.refresh();
    expect(r.names()).toEqual(['euw-a', 'use-a']);
  });

  test('another part failing does not hold back a confirmed absence', async () => {
    const s = twoRegionSource();
    s.list('eu-west-1', ['euw-a', 'euw-b']);
    s.list('us-east-1', ['use-a']);
    const r = start(s.source);
    await r.registry.refresh();
    s.list('eu-west-1', ['euw-a']);
    s.fail('us-east-1');
    await r.registry.refresh();
    await r.registry.refresh();
    expect(r.names()).toEqual(['euw-a', 'use-a']);
  });

  test('the one part of a fleet file: an invalid file counts nothing', async () => {
    const records = [a(), b()];
    let lastError: string | undefined;
    let current = records;
    const source: ClusterSource = {
      kind: 'file',
      load: () =>
        Promise.resolve({
          records: current,
          parts: [{ id: 'file:/fleet.yaml', lastSuccessAt: 1, lastError }],
        }),
    };
    const r = start(source);
    await r.registry.refresh();
    current = [a()];
    await r.registry.refresh();
    lastError = 'fleet.yaml: line 3: bad indentation';
    await r.registry.refresh();
    await r.registry.refresh();
    expect(r.names()).toEqual(['a', 'b']);
    lastError = undefined;
    await r.registry.refresh();
    expect(r.names()).toEqual(['a']);
  });
});

describe('quarantine: one bad cluster is held on its own, the rest of the fleet is published', () => {
  const BAD = [
    ['upgrade-weight 50%', { 'argocd-eks-plugins/upgrade-weight': '50%' }, 'upgrade-weight'],
    ['upgrade-color purple', { 'argocd-eks-plugins/upgrade-color': 'purple' }, 'upgrade-color'],
    ['an empty name', { 'argocd-eks-plugins/name': ' ' }, 'argocd-eks-plugins/name is empty'],
  ] as const;

  test.each(BAD)(
    'a served cluster with %s keeps its last good parameters',
    async (_, tags, why) => {
      const s = settableSource([a({ tags: { env: 'prod' } }), b()]);
      const r = start(s.source);
      await r.registry.refresh();
      s.set([a({ tags: { env: 'dev', ...tags } }), b({ tags: { env: 'new' } }), c()]);
      await r.registry.refresh();
      await r.registry.refresh();
      expect(r.names()).toEqual(['a', 'b', 'c']);
      expect(r.served('a')?.labels).toEqual({ env: 'prod' });
      expect(r.served('b')?.labels).toEqual({ env: 'new' });
      expect(await r.metric('generator_registry_quarantined_clusters')).toBe(1);
      const warnings = r.logs.filter((l) => String(l['msg']).startsWith('cluster quarantined'));
      expect(warnings).toEqual([
        expect.objectContaining({
          level: 'warn',
          msg: 'cluster quarantined; answering with its last good parameters',
          arn: 'arn:aws:eks:eu-west-1:012345678901:cluster/a',
          reason: expect.stringContaining(why),
        }),
      ]);
    },
  );

  test.each(BAD)('a newcomer with %s is left out; the others are published', async (_, tags) => {
    const s = settableSource([b()]);
    const r = start(s.source);
    await r.registry.refresh();
    s.set([a({ tags }), b(), c()]);
    await r.registry.refresh();
    expect(r.names()).toEqual(['b', 'c']);
    expect(await r.metric('generator_registry_quarantined_clusters')).toBe(1);
    expect(r.logs).toContainEqual(
      expect.objectContaining({
        msg: 'cluster quarantined; left out of answers (it was never served)',
        arn: 'arn:aws:eks:eu-west-1:012345678901:cluster/a',
      }),
    );
  });

  test('other tag values are data: any characters, never a quarantine', async () => {
    const tags = { cost$center: 'a$b', note: 'ä ö / : {{ }} "', 'aws:x': '' };
    const s = settableSource([a({ tags })]);
    const r = start(s.source);
    await r.registry.refresh();
    expect(r.names()).toEqual(['a']);
    expect(r.served('a')?.aws.tags).toEqual(tags);
    expect(await r.metric('generator_registry_quarantined_clusters')).toBe(0);
  });

  test('the served owner of a name keeps it against a newcomer', async () => {
    const s = settableSource([a()]);
    const r = start(s.source);
    await r.registry.refresh();
    const twin = a({ region: 'us-east-1' });
    s.set([twin, a(), b()]);
    await r.registry.refresh();
    expect(r.names()).toEqual(['a', 'b']);
    expect(r.served('a')?.aws.region).toBe('eu-west-1');
    expect(await r.metric('generator_registry_quarantined_clusters')).toBe(1);
  });

  test('two newcomers claiming one free name are both quarantined', async () => {
    const s = settableSource([b()]);
    const r = start(s.source);
    await r.registry.refresh();
    s.set([a(), a({ region: 'us-east-1' }), b()]);
    await r.registry.refresh();
    expect(r.names()).toEqual(['b']);
    expect(await r.metric('generator_registry_quarantined_clusters')).toBe(2);
  });

  test('names that differ only where Argo CD normalizes them (Prod, prod) collide: the served one keeps it', async () => {
    const s = settableSource([aClusterRecord({ clusterName: 'prod' })]);
    const r = start(s.source);
    await r.registry.refresh();
    s.set([aClusterRecord({ clusterName: 'prod' }), aClusterRecord({ clusterName: 'Prod' }), b()]);
    await r.registry.refresh();
    expect(r.names()).toEqual(['b', 'prod']);
    expect(await r.metric('generator_registry_quarantined_clusters')).toBe(1);
  });

  test('a served cluster renamed onto another served name keeps its own; the owner keeps its', async () => {
    const s = settableSource([a(), b()]);
    const r = start(s.source);
    await r.registry.refresh();
    s.set([a(), b({ tags: { 'argocd-eks-plugins/name': 'a' } })]);
    await r.registry.refresh();
    expect(r.names()).toEqual(['a', 'b']);
    expect(r.served('a')?.aws.clusterName).toBe('a');
    expect(r.served('b')?.aws.clusterName).toBe('b');
  });

  test('a newcomer may not take the name of a served cluster while it is retained', async () => {
    const s = settableSource([a(), b()]);
    const r = start(s.source);
    await r.registry.refresh();
    s.set([b(), a({ region: 'us-east-1' })]); // a left eu-west-1; a new "a" appeared in us-east-1
    await r.registry.refresh();
    expect(r.served('a')?.aws.region).toBe('eu-west-1');
    await r.registry.refresh(); // absence confirmed: the name passes to the newcomer, never missing in between
    expect(r.served('a')?.aws.region).toBe('us-east-1');
  });

  test('a quarantine is logged once, not on every refresh, and its end is logged', async () => {
    const s = settableSource([a(), b()]);
    const r = start(s.source);
    await r.registry.refresh();
    s.set([a(), b({ tags: { 'argocd-eks-plugins/upgrade-weight': '50%' } })]);
    await r.registry.refresh();
    s.set([a(), b({ tags: { 'argocd-eks-plugins/upgrade-weight': '50%' } })]);
    await r.registry.refresh();
    const quarantined = () =>
      r.logs.filter((l) => String(l['msg']).startsWith('cluster quarantined'));
    expect(quarantined()).toHaveLength(1);
    s.set([a(), b()]);
    await r.registry.refresh();
    expect(r.logs).toContainEqual(
      expect.objectContaining({
        msg: 'cluster is no longer quarantined',
        cluster: '012345678901/eu-west-1/b',
      }),
    );
    expect(await r.metric('generator_registry_quarantined_clusters')).toBe(0);
  });
});

describe('without a state store', () => {
  test('a start that finds a quarantined cluster answers 503 naming it, not a shorter list', async () => {
    const s = settableSource([a(), b({ tags: { 'argocd-eks-plugins/upgrade-weight': '50%' } })]);
    const r = start(s.source);
    await r.registry.refresh();
    const answer = r.names();
    expect(typeof answer).toBe('string');
    expect(answer).toContain('arn:aws:eks:eu-west-1:012345678901:cluster/b');
    expect(answer).toContain('upgrade-weight');
    expect(await r.metric('generator_registry_refresh_failures_total{reason="invalid"}')).toBe(1);

    s.set([a(), b()]);
    await r.registry.refresh();
    expect(r.names()).toEqual(['a', 'b']);
  });

  test('a restart forgets: the same cluster quarantined at the new start is a 503 again', async () => {
    const s = settableSource([a(), b()]);
    const first = start(s.source);
    await first.registry.refresh();
    s.set([a(), b({ tags: { 'argocd-eks-plugins/upgrade-color': 'purple' } })]);
    await first.registry.refresh();
    expect(first.names()).toEqual(['a', 'b']);
    const second = start(s.source);
    await second.registry.refresh();
    expect(second.names()).toEqual(expect.stringContaining('cluster/b'));
  });
});

describe('with a state store', () => {
  const bad = { 'argocd-eks-plugins/upgrade-weight': '50%' };
  const withStore = (store: MemoryStateStore) => ({ state: createStateSync(store) });

  test('the state is read before the first answer; a read fault is a 503 naming the store', async () => {
    const store = memoryStateStore('ConfigMap argocd/fleet-state');
    store.failNext('read', new Error('HTTP 403 (Forbidden)'));
    const r = start(settableSource([a()]).source, withStore(store));
    await r.registry.refresh();
    expect(r.names()).toBe(
      'fleet state could not be read: ConfigMap argocd/fleet-state: HTTP 403 (Forbidden)',
    );
    expect(await r.metric('generator_state_store_failures_total{op="read"}')).toBe(1);
    await r.registry.refresh();
    expect(r.names()).toEqual(['a']);
  });

  test('what was served is written to the store; a newcomer quarantined at start is known unserved', async () => {
    const store = memoryStateStore();
    const s = settableSource([a(), b()]);
    const r = start(s.source, withStore(store));
    await r.registry.refresh();
    expect(JSON.parse(store.text() ?? '')).toEqual({
      format: 1,
      served: { '012345678901/eu-west-1/a': 'a', '012345678901/eu-west-1/b': 'b' },
      absent: {},
      lastGood: {},
    });
    s.set([a(), b(), c({ tags: bad })]);
    const restarted = start(s.source, withStore(store));
    await restarted.registry.refresh();
    expect(restarted.names()).toEqual(['a', 'b']);
  });

  test('a failed write is counted and retried on the next refresh; the answer is unchanged', async () => {
    const store = memoryStateStore();
    const s = settableSource([a(), b()]);
    const r = start(s.source, withStore(store));
    await r.registry.refresh();
    store.failNext('write', new Error('HTTP 500'));
    s.set([a()]);
    await r.registry.refresh();
    expect(r.names()).toEqual(['a', 'b']);
    expect(await r.metric('generator_state_store_failures_total{op="write"}')).toBe(1);
    expect(JSON.parse(store.text() ?? '').absent).toEqual({});
    s.set([a(), b()]); // b is back before its absence was confirmed
    await r.registry.refresh();
    s.set([a()]);
    await r.registry.refresh();
    expect(JSON.parse(store.text() ?? '').absent).toEqual({ '012345678901/eu-west-1/b': 1 });
    expect(JSON.parse(store.text() ?? '').lastGood['012345678901/eu-west-1/b'].name).toBe('b');
  });

  test('replica B, starting after replica A served a cluster now quarantined, serves A’s last good parameters', async () => {
    const store = memoryStateStore();
    const s = settableSource([a({ tags: { env: 'prod' } }), b()]);
    const replicaA = start(s.source, withStore(store));
    await replicaA.registry.refresh();
    s.set([a({ tags: { env: 'dev', ...bad } }), b()]);
    await replicaA.registry.refresh();
    expect(replicaA.served('a')?.labels).toEqual({ env: 'prod' });

    const replicaB = start(s.source, withStore(store));
    await replicaB.registry.refresh();
    expect(replicaB.names()).toEqual(['a', 'b']);
    expect(replicaB.served('a')).toEqual(replicaA.served('a'));
  });

  test('the same across a restart during an upgrade that failed: the last good ACTIVE cluster is served', async () => {
    const store = memoryStateStore();
    const s = settableSource([a()]);
    const before = start(s.source, withStore(store));
    await before.registry.refresh();
    s.set([a({ status: 'FAILED', version: '1.31' })]);
    await before.registry.refresh();
    const after = start(s.source, withStore(store));
    await after.registry.refresh();
    expect(after.served('a')?.aws).toMatchObject({ status: 'ACTIVE', version: '1.30' });
  });

  test('a replica that knows a cluster was served but not its parameters refuses until the store has them', async () => {
    const store = memoryStateStore();
    const s = settableSource([a(), b()]);
    const replicaA = start(s.source, withStore(store));
    await replicaA.registry.refresh();
    // B starts when the tag went bad, before A has seen it: the store says "served", without parameters.
    s.set([a({ tags: bad }), b()]);
    const replicaB = start(s.source, withStore(store));
    await replicaB.registry.refresh();
    expect(replicaB.names()).toEqual(
      expect.stringContaining('012345678901/eu-west-1/a was served'),
    );
    await replicaA.registry.refresh(); // A holds a and stores its last good parameters
    await replicaB.registry.refresh(); // B re-reads the store
    expect(replicaB.names()).toEqual(['a', 'b']);
    expect(replicaB.served('a')).toEqual(replicaA.served('a'));
  });

  test('two replicas writing at once both keep their changes (conflict: re-read and merge)', async () => {
    const store = memoryStateStore();
    const s = settableSource([a(), b()]);
    const replicaA = start(s.source, withStore(store));
    const replicaB = start(s.source, withStore(store));
    await replicaA.registry.refresh();
    await replicaB.registry.refresh();
    s.set([a({ tags: bad }), b()]);
    await replicaA.registry.refresh();
    s.set([a(), b({ status: 'FAILED' })]);
    // B's write meets A's: B re-reads, applies its own change (b held) and keeps A's (a held).
    await replicaB.registry.refresh();
    const stored = JSON.parse(store.text() ?? '') as { lastGood: Record<string, unknown> };
    expect(Object.keys(stored.lastGood).sort()).toEqual([
      '012345678901/eu-west-1/a',
      '012345678901/eu-west-1/b',
    ]);
  });
});
