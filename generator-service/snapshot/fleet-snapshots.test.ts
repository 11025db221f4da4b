import { silentLogger } from '../../core/logger';
import type { ClusterRecord } from '../../core/cluster';
import type { ClusterSource, SourceLoad } from '../../plugins/cluster-sources/source';
import { aClusterRecord } from '../../test/helpers/generator';
import { createFleetRegistry } from './fleet-snapshots';

/** A source whose loads the test resolves by hand. */
function manualSource() {
  const pending: ((records: ClusterRecord[]) => void)[] = [];
  let active = 0;
  let maxActive = 0;
  let calls = 0;
  let onWatch: (() => void) | undefined;
  const source: ClusterSource = {
    kind: 'file',
    load: () => {
      calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      return new Promise<SourceLoad>((resolve) => {
        pending.push((records) => {
          active--;
          resolve({ records, parts: [{ id: 'm', lastSuccessAt: 1, lastError: undefined }] });
        });
      });
    },
    watch: (cb) => {
      onWatch = cb;
      return () => (onWatch = undefined);
    },
  };
  return {
    source,
    pending,
    stats: () => ({ calls, maxActive }),
    change: () => onWatch?.(),
    watching: () => onWatch !== undefined,
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createFleetRegistry', () => {
  test('never runs two loads at once; refreshes asked for meanwhile collapse into one more load', async () => {
    const m = manualSource();
    const registry = createFleetRegistry({ source: m.source, log: silentLogger, now: () => 1 });
    const first = registry.refresh();
    const second = registry.refresh();
    const third = registry.refresh();
    expect(m.pending).toHaveLength(1);
    m.pending.shift()?.([aClusterRecord({ clusterName: 'a' })]);
    await first;
    await flush();
    expect(m.pending).toHaveLength(1);
    m.pending.shift()?.([
      aClusterRecord({ clusterName: 'a' }),
      aClusterRecord({ clusterName: 'b' }),
    ]);
    await Promise.all([second, third]);
    expect(m.stats()).toEqual({ calls: 2, maxActive: 1 });
    expect(registry.current()?.clusters.map((c) => c.name)).toEqual(['a', 'b']);
  });

  test('subscribers get every published snapshot; a throwing subscriber does not stop the others', async () => {
    const m = manualSource();
    const registry = createFleetRegistry({ source: m.source, log: silentLogger });
    const seen: number[] = [];
    registry.subscribe(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = registry.subscribe((s) => seen.push(s.version));
    const p = registry.refresh();
    m.pending.shift()?.([aClusterRecord({ clusterName: 'a' })]);
    await p;
    unsubscribe();
    const q = registry.refresh();
    m.pending.shift()?.([aClusterRecord({ clusterName: 'b' })]);
    await q;
    expect(seen).toEqual([1]);
    expect(registry.current()?.version).toBe(2);
  });

  test('start() watches the source; a change triggers a refresh; stop() unwatches and ends refreshing', async () => {
    const m = manualSource();
    const registry = createFleetRegistry({ source: m.source, log: silentLogger });
    const started = registry.start();
    m.pending.shift()?.([aClusterRecord({ clusterName: 'a' })]);
    await started;
    expect(m.watching()).toBe(true);
    m.change();
    expect(m.pending).toHaveLength(1);
    m.pending.shift()?.([
      aClusterRecord({ clusterName: 'a' }),
      aClusterRecord({ clusterName: 'z' }),
    ]);
    await flush();
    expect(registry.current()?.clusters).toHaveLength(2);
    await registry.stop();
    expect(m.watching()).toBe(false);
    await registry.refresh();
    expect(m.stats().calls).toBe(2);
  });

  test('a load that hangs past the timeout is abandoned and counted as a failure', async () => {
    const source: ClusterSource = {
      kind: 'file',
      load: (ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    };
    const registry = createFleetRegistry({ source, log: silentLogger, loadTimeoutMs: 10 });
    await registry.refresh();
    expect(registry.readiness()).toEqual({
      ready: false,
      reason: 'cluster source could not be read: load timed out after 10ms',
    });
  });

  test("a source's own refresh deadline applies: the registry does not abandon the load before it", async () => {
    jest.useFakeTimers();
    try {
      // Refreshed every 10 s, bounded by the source itself at 50 s (EKS_REFRESH_TIMEOUT_SECONDS): a load that takes
      // 40 s is the source's to finish, not thrown away at the registry's default of max(30 s, interval).
      const source: ClusterSource = {
        kind: 'file',
        refreshIntervalMs: 10_000,
        refreshTimeoutMs: 50_000,
        load: () =>
          new Promise((resolve) =>
            setTimeout(
              () =>
                resolve({
                  records: [aClusterRecord({ clusterName: 'a' })],
                  parts: [{ id: 'm', lastSuccessAt: 1, lastError: undefined }],
                }),
              40_000,
            ),
          ),
      };
      const registry = createFleetRegistry({ source, log: silentLogger });
      const done = registry.refresh();
      await jest.advanceTimersByTimeAsync(40_000);
      await done;
      expect(registry.readiness()).toEqual({ ready: true });
      expect(registry.current()?.clusters.map((c) => c.name)).toEqual(['a']);
    } finally {
      jest.useRealTimers();
    }
  });

  describe('snapshot versions change only when the fleet does', () => {
    /** A source that answers with whatever the test set last. */
    function settableSource(first: SourceLoad) {
      let next = first;
      const source: ClusterSource = { kind: 'file', load: () => Promise.resolve(next) };
      return { source, set: (load: SourceLoad) => (next = load) };
    }
    const parts = (lastError?: string) => [{ id: 'm', lastSuccessAt: 1, lastError }];
    /** Records whose iteration is counted, to tell whether the registry looked at them again. */
    function countedRecords(records: ClusterRecord[]) {
      let walks = 0;
      const iterate = records[Symbol.iterator].bind(records);
      Object.defineProperty(records, Symbol.iterator, {
        value: () => {
          walks++;
          return iterate();
        },
      });
      return { records, walks: () => walks };
    }

    test('the same records array again is not re-examined and keeps the snapshot', async () => {
      const counted = countedRecords([aClusterRecord({ clusterName: 'a' })]);
      const s = settableSource({ records: counted.records, parts: parts() });
      const registry = createFleetRegistry({ source: s.source, log: silentLogger });
      await registry.refresh();
      const first = registry.current();
      const walks = counted.walks();
      await registry.refresh();
      await registry.refresh();
      expect(counted.walks()).toBe(walks);
      expect(registry.current()).toBe(first);
      expect(first?.version).toBe(1);
    });

    test('equal records in a new array keep the version and the cluster objects', async () => {
      const s = settableSource({ records: [aClusterRecord({ clusterName: 'a' })], parts: parts() });
      const registry = createFleetRegistry({ source: s.source, log: silentLogger });
      await registry.refresh();
      const first = registry.current();
      s.set({ records: [aClusterRecord({ clusterName: 'a' })], parts: parts() });
      await registry.refresh();
      expect(registry.current()).toBe(first);
    });

    test('one changed cluster bumps the version once; unchanged clusters keep their identity', async () => {
      const s = settableSource({
        records: [aClusterRecord({ clusterName: 'a' }), aClusterRecord({ clusterName: 'b' })],
        parts: parts(),
      });
      const registry = createFleetRegistry({ source: s.source, log: silentLogger });
      await registry.refresh();
      const [a1, b1] = registry.current()?.clusters ?? [];
      s.set({
        records: [
          aClusterRecord({ clusterName: 'a' }),
          aClusterRecord({ clusterName: 'b', tags: { env: 'prod' } }),
        ],
        parts: parts(),
      });
      await registry.refresh();
      await registry.refresh();
      const [a2, b2] = registry.current()?.clusters ?? [];
      expect(registry.current()?.version).toBe(2);
      expect(a2).toBe(a1);
      expect(b2).not.toBe(b1);
      expect(b2?.labels).toMatchObject({ env: 'prod' });
    });

    test('the same records with a new part error or new add-on defaults is a new version', async () => {
      const records = [aClusterRecord({ clusterName: 'a' })];
      const s = settableSource({ records, parts: parts() });
      const registry = createFleetRegistry({ source: s.source, log: silentLogger });
      await registry.refresh();
      s.set({ records, parts: parts('file is broken') });
      await registry.refresh();
      expect(registry.current()?.version).toBe(2);
      expect(registry.current()?.parts[0]?.lastError).toBe('file is broken');
      s.set({ records, parts: parts('file is broken'), addonDefaults: { '1.30': { x: 'v1' } } });
      await registry.refresh();
      expect(registry.current()?.version).toBe(3);
      expect(registry.current()?.addonDefaults).toEqual({ '1.30': { x: 'v1' } });
    });
  });
});
