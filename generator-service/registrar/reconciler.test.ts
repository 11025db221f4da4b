import { Registry } from 'prom-client';
import { silentLogger } from '../../core/logger';
import { ManualFeed, record } from '../../test/fakes/kube-api/fleet-feed';
import type { SecretContent } from './desired';
import { registrarMetrics } from './metrics';
import type { ActualSecret } from './plan';
import { Reconciler } from './reconciler';
import type { SecretStore } from './stores';

/** An in-memory store that records calls and can hold `list` until released. */
class MemoryStore implements SecretStore {
  readonly secrets = new Map<string, ActualSecret>();
  readonly calls: string[] = [];
  active = 0;
  maxActive = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async list(): Promise<ActualSecret[]> {
    this.calls.push('list');
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await this.gate;
      return [...this.secrets.values()];
    } finally {
      this.active -= 1;
    }
  }
  read(name: string) {
    return Promise.resolve(this.secrets.get(name));
  }
  create(s: SecretContent) {
    this.calls.push(`create ${s.name}`);
    this.secrets.set(s.name, { ...s, resourceVersion: '1' });
    return Promise.resolve();
  }
  replace(s: SecretContent) {
    this.calls.push(`update ${s.name}`);
    this.secrets.set(s.name, { ...s, resourceVersion: '2' });
    return Promise.resolve();
  }
  delete(name: string) {
    this.calls.push(`delete ${name}`);
    this.secrets.delete(name);
    return Promise.resolve();
  }
}

function setup(isLeader: () => boolean = () => true) {
  const feed = new ManualFeed();
  const store = new MemoryStore();
  const reconciler = new Reconciler({
    feed,
    store,
    config: { roleArnTemplate: undefined, prune: true, dryRun: false, installationId: 'default' },
    isLeader,
    log: silentLogger,
    metrics: registrarMetrics(new Registry()),
  });
  return { feed, store, reconciler };
}

describe('Reconciler', () => {
  it('never runs two reconciles at once, and coalesces triggers during a run into one more', async () => {
    const { feed, store, reconciler } = setup();
    feed.publish([record({ clusterName: 'a' })]);
    store.hold();
    const first = reconciler.trigger('snapshot 1');
    feed.publish([record({ clusterName: 'a' }), record({ clusterName: 'b' })]);
    const second = reconciler.trigger('snapshot 2');
    const third = reconciler.trigger('resync');
    expect(store.calls).toEqual(['list']);
    store.release();
    await Promise.all([first, second, third]);
    expect(store.maxActive).toBe(1);
    // One run for the first trigger, one for the two that came during it; the last sees the newest snapshot.
    expect(store.calls.filter((c) => c === 'list')).toHaveLength(2);
    expect([...store.secrets.keys()]).toHaveLength(2);
  });

  it('does nothing before the first snapshot or when not leader', async () => {
    const notLeader = setup(() => false);
    notLeader.feed.publish([record({ clusterName: 'a' })]);
    await notLeader.reconciler.trigger('x');
    expect(notLeader.reconciler.lastOutcome()).toBe('not-leader');
    expect(notLeader.store.calls).toEqual([]);

    const empty = setup();
    await empty.reconciler.trigger('x');
    expect(empty.reconciler.lastOutcome()).toBe('no-snapshot');
    expect(empty.store.calls).toEqual([]);
  });

  it('stops writing as soon as leadership is lost mid-reconcile', async () => {
    let checks = 0;
    // Leader for the start of the reconcile and the first write only.
    const { feed, store, reconciler } = setup(() => (checks += 1) <= 2);
    feed.publish(['a', 'b', 'c'].map((clusterName) => record({ clusterName })));
    await reconciler.trigger('snapshot');
    expect(store.calls.filter((c) => c.startsWith('create'))).toHaveLength(1);
    expect(reconciler.lastOutcome()).toBe('partial');
  });

  it('skips clusters that cannot be registered yet and never prunes them', async () => {
    const { feed, store, reconciler } = setup();
    feed.publish([record({ clusterName: 'a' })]);
    await reconciler.trigger('first');
    feed.publish([record({ clusterName: 'a', caData: '' })]);
    await reconciler.trigger('creating');
    expect(store.calls.filter((c) => c.startsWith('delete'))).toEqual([]);
    expect(store.secrets.size).toBe(1);
  });
});
