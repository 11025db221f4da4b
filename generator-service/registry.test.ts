import { silentLogger } from '../core/logger';
import type { ClusterRecord } from '../core/cluster';
import type { ClusterSource, SourceLoad } from '../plugins/cluster-sources/source';
import { aClusterRecord } from '../test/helpers/generator';
import { createFleetRegistry } from './registry';

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
});
