/**
 * Two registrar replicas against one fake Kubernetes API: Lease-based leader election through the real client.
 * Lease timing runs on per-replica fake clocks where expiry matters, so nothing here waits on wall time.
 */
import { clusterSecretName } from '../../generator-service/registrar/desired';
import { cluster, ManualFeed, record } from '../fakes/kube-api/fleet-feed';
import type { Harness, Replica } from '../fakes/kube-api/harness';
import { NAMESPACE, startHarness } from '../fakes/kube-api/harness';

const LEASE = 'argocd-eks-plugins-registrar';
const alpha = record({ clusterName: 'alpha' });
const beta = record({ clusterName: 'beta' });

let h: Harness;
let feed: ManualFeed;

beforeEach(async () => {
  h = await startHarness();
  feed = new ManualFeed();
});
afterEach(async () => {
  await h.close();
});

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  renewTime?: string;
  acquireTime?: string;
  leaseTransitions?: number;
}
const lease = () => h.api.get('leases', NAMESPACE, LEASE);
const leaseSpec = () => (lease()?.['spec'] ?? {}) as LeaseSpec;
const secretRequestsBy = (user: string) =>
  h.api.requests.filter((q) => q.resource === 'secrets' && q.user === user);

function advance(seconds: number, ...replicas: Replica[]) {
  for (const r of replicas) r.clock.now += seconds * 1000;
}

describe('two replicas', () => {
  it('only the leader lists and writes Secrets', async () => {
    const a = await h.start('replica-a', feed);
    const b = await h.start('replica-b', feed);
    expect([a.handle.isLeader(), b.handle.isLeader()]).toEqual([true, false]);

    feed.publish([alpha, beta]);
    await expect(a.handle.settle()).resolves.toBe('success');
    await expect(b.handle.settle()).resolves.toBe('not-leader');

    expect(h.api.list('secrets', NAMESPACE)).toHaveLength(2);
    expect(secretRequestsBy('replica-a').length).toBeGreaterThan(0);
    expect(secretRequestsBy('replica-b')).toEqual([]);
    expect(await a.metric('argocd_eks_registrar_leader')).toBe(1);
    expect(await b.metric('argocd_eks_registrar_leader')).toBe(0);
  });

  it('writes a well-formed Lease and renews it with optimistic concurrency', async () => {
    const a = await h.start('replica-a', feed);
    const first = lease()!;
    expect(leaseSpec().holderIdentity).toMatch(/^replica-a_[0-9a-f]{8}$/);
    expect(leaseSpec().leaseDurationSeconds).toBe(60);
    // The fake enforces metav1.MicroTime (six fractional digits) as the API server does.
    expect(leaseSpec().renewTime).toMatch(/\.\d{6}Z$/);

    await expect(a.handle.electionRound()).resolves.toBe(true);
    expect(lease()!.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
    expect(leaseSpec().holderIdentity).toBe((first['spec'] as LeaseSpec).holderIdentity);
    const renewals = h.api.requests.filter((q) => q.resource === 'leases' && q.verb === 'update');
    expect(renewals.map((q) => q.status)).toEqual([200]);
  });

  it('candidates racing for a free lease: exactly one wins', async () => {
    const [a, b] = await Promise.all([h.start('replica-a', feed), h.start('replica-b', feed)]);
    expect([a.handle.isLeader(), b.handle.isLeader()].filter(Boolean)).toHaveLength(1);
  });

  it('fails over at once when the leader stops (it releases the lease)', async () => {
    const a = await h.start('replica-a', feed);
    const b = await h.start('replica-b', feed);
    feed.publish([alpha]);
    await a.handle.settle();

    await a.handle.stop();
    expect(leaseSpec().holderIdentity ?? '').toBe('');
    await expect(b.handle.electionRound()).resolves.toBe(true);
    expect(leaseSpec().holderIdentity).toMatch(/^replica-b_/);
    expect(leaseSpec().leaseTransitions).toBe(1);

    feed.publish([alpha, beta]);
    await expect(b.handle.settle()).resolves.toBe('success');
    const writesByB = h.api.writes('secrets').filter((w) => w.user === 'replica-b');
    expect(writesByB.map((w) => [w.verb, w.name])).toEqual([
      ['create', clusterSecretName(cluster(beta))],
    ]);
  });

  it('fails over after expiry when the leader can no longer renew, and the two never lead together', async () => {
    const a = await h.start('replica-a', feed, {}, { fakeClock: true });
    const b = await h.start('replica-b', feed, {}, { fakeClock: true });
    expect(a.handle.isLeader()).toBe(true);
    h.api.inject({ verb: 'update', resource: 'leases', status: 503, user: 'replica-a' });

    const steps: [number, boolean, boolean][] = [
      // [seconds since the last renewal, A leads, B leads]
      [30, true, false], // A's renewal failed, but it is within its renew deadline (2/3 of 60 s)
      [41, false, false], // A stepped down; B has not yet seen the lease unchanged for 60 s
      [61, false, true], // B takes over
      [80, false, true], // A sees B's lease; B renews
    ];
    let elapsed = 0;
    for (const [at, aLeads, bLeads] of steps) {
      advance(at - elapsed, a, b);
      elapsed = at;
      await a.handle.electionRound();
      await b.handle.electionRound();
      expect([at, a.handle.isLeader(), b.handle.isLeader()]).toEqual([at, aLeads, bLeads]);
    }

    feed.publish([alpha]);
    await expect(a.handle.settle()).resolves.toBe('not-leader');
    await expect(b.handle.settle()).resolves.toBe('success');
    expect(h.api.writes('secrets').every((w) => w.user === 'replica-b')).toBe(true);
  });

  it('a replica the API refuses (403 on leases: missing RBAC) never leads and never writes', async () => {
    h.api.inject({ verb: 'get', resource: 'leases', status: 403 });
    const a = await h.start('replica-a', feed);
    feed.publish([alpha]);
    await expect(a.handle.settle()).resolves.toBe('not-leader');
    expect(secretRequestsBy('replica-a')).toEqual([]);
    expect(a.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'registrar lease round failed' }),
    );
  });
});
