/**
 * Kubernetes API faults against the registrar (real @kubernetes/client-node, fake API server, REGISTRAR_PRUNE=true).
 *
 * Every row starts from the same registered fleet (alpha, beta, gamma) plus a hand-made cluster Secret, then
 * publishes one snapshot that needs every kind of write: alpha retagged (update), beta unchanged, gamma gone from
 * a part that listed successfully (a proven removal: delete), delta new (create). The fault hits that reconcile;
 * then it clears and the next reconcile must finish the job.
 */
import { clusterSecretName } from '../../generator-service/registrar/desired';
import type { ClusterRecord } from '../../core/cluster';
import { cluster, ManualFeed, part, record, ACCOUNT_A } from '../fakes/kube-api/fleet-feed';
import type { Harness, Replica } from '../fakes/kube-api/harness';
import { NAMESPACE, startHarness } from '../fakes/kube-api/harness';
import { describeWrites, FOREIGN } from './aws-pipeline';
import type { MatrixRow } from './matrix';

const alpha = record({ clusterName: 'alpha' });
const beta = record({ clusterName: 'beta' });
const gamma = record({ clusterName: 'gamma' });
const delta = record({ clusterName: 'delta' });
const alphaRetagged: ClusterRecord = { ...alpha, tags: { env: 'prod' } };
const nameOf = (r: ClusterRecord) => clusterSecretName(cluster(r));
const NAMES = new Map([alpha, beta, gamma, delta].map((r) => [nameOf(r), r.clusterName]));

interface Scene {
  readonly h: Harness;
  readonly feed: ManualFeed;
  readonly a: Replica;
  /** Replicas a row starts besides A. */
  readonly others: Replica[];
}

interface KubeFault {
  readonly name: string;
  /** Runs the reconcile under the fault and describes it; the scene is registered and a change is pending. */
  readonly during: (s: Scene) => Promise<string>;
  readonly expectedDuring: string;
  /** What the next reconcile (fault cleared) writes; `0 writes` when the faulty one already converged. */
  readonly expectedNext: string;
  readonly fakeClock?: boolean;
}

async function counters(r: Replica): Promise<string> {
  const out: string[] = [];
  for (const op of ['list', 'create', 'update', 'delete']) {
    const n = await r.metric('argocd_eks_registrar_errors_total', { operation: op });
    if (n > 0) out.push(`${op} error ×${n}`);
  }
  const conflicts = await r.metric('argocd_eks_registrar_conflicts_total', {
    kind: 'write-conflict',
  });
  if (conflicts > 0) out.push(`409 ×${conflicts}`);
  return out.length > 0 ? out.join(', ') : 'nothing reported';
}

/** Publishes the pending change, waits for the reconcile it triggers, describes writes and what was reported. */
async function reconcileUnderFault(s: Scene): Promise<string> {
  const mark = s.h.api.requests.length;
  s.feed.publish([alphaRetagged, beta, delta], [part(ACCOUNT_A, 'eu-west-1')]);
  const outcome = await s.a.handle.settle();
  return `${outcome ?? 'none'}: ${describeWrites(s.h, mark, NAMES)}; ${await counters(s.a)}`;
}

const inject =
  (...faults: Parameters<Harness['api']['inject']>[0][]) =>
  (s: Scene) => {
    for (const f of faults) s.h.api.inject(f);
    return reconcileUnderFault(s);
  };

const FAULTS: KubeFault[] = [
  {
    name: '403 on the Secret list (RBAC)',
    during: inject({ verb: 'list', resource: 'secrets', status: 403 }),
    expectedDuring: 'failed: 0 writes; list error ×1',
    expectedNext: 'success: created 1, updated 1, deleted gamma',
  },
  {
    name: 'Secret list fails with 500 (the registrar lists; it has no watch to lose)',
    during: inject({ verb: 'list', resource: 'secrets', status: 500 }),
    expectedDuring: 'failed: 0 writes; list error ×1',
    expectedNext: 'success: created 1, updated 1, deleted gamma',
  },
  {
    name: '403 on create',
    during: inject({ verb: 'create', resource: 'secrets', status: 403 }),
    expectedDuring: 'partial: updated 1, deleted gamma; create error ×1',
    expectedNext: 'success: created 1',
  },
  {
    name: '500 on update',
    during: inject({ verb: 'update', resource: 'secrets', status: 500 }),
    expectedDuring: 'partial: created 1, deleted gamma; update error ×1',
    expectedNext: 'success: updated 1',
  },
  {
    name: '503 on delete (the proven removal)',
    during: inject({ verb: 'delete', resource: 'secrets', status: 503 }),
    expectedDuring: 'partial: created 1, updated 1; delete error ×1',
    expectedNext: 'success: deleted gamma',
  },
  {
    name: '500 on every write',
    during: inject(
      { verb: 'create', resource: 'secrets', status: 500 },
      { verb: 'update', resource: 'secrets', status: 500 },
      { verb: 'delete', resource: 'secrets', status: 500 },
    ),
    expectedDuring: 'partial: 0 writes; create error ×1, update error ×1, delete error ×1',
    expectedNext: 'success: created 1, updated 1, deleted gamma',
  },
  {
    name: '409 on update once (resourceVersion conflict)',
    during: inject({
      verb: 'update',
      resource: 'secrets',
      status: 409,
      name: nameOf(alpha),
      times: 1,
    }),
    expectedDuring: 'success: created 1, updated 1, deleted gamma; 409 ×1',
    expectedNext: '0 writes',
  },
  {
    name: '409 on update twice in a row',
    during: inject({
      verb: 'update',
      resource: 'secrets',
      status: 409,
      name: nameOf(alpha),
      times: 2,
    }),
    expectedDuring: 'partial: created 1, deleted gamma; update error ×1, 409 ×1',
    expectedNext: 'success: updated 1',
  },
  {
    name: '409 on create: someone hand-made a Secret with that name meanwhile',
    during: (s) => {
      s.h.api.before('create', 'secrets', nameOf(delta), () => {
        s.h.api.seed('secrets', {
          ...structuredClone(FOREIGN),
          metadata: { ...structuredClone(FOREIGN.metadata), name: nameOf(delta) },
        });
      });
      return reconcileUnderFault(s);
    },
    expectedDuring: 'success: updated 1, deleted gamma; 409 ×1',
    expectedNext: '0 writes',
  },
  {
    name: '409 on delete: someone disowned the Secret meanwhile',
    during: (s) => {
      s.h.api.before('delete', 'secrets', nameOf(gamma), () => {
        const g = s.h.api.get('secrets', NAMESPACE, nameOf(gamma))!;
        const { ['app.kubernetes.io/managed-by']: _owner, ...labels } = g.metadata.labels ?? {};
        s.h.api.seed('secrets', { ...g, metadata: { ...g.metadata, labels } });
      });
      return reconcileUnderFault(s);
    },
    expectedDuring: 'success: created 1, updated 1; 409 ×1',
    expectedNext: '0 writes',
  },
  {
    name: 'leader Lease lost: renewals fail (503) past the renew deadline, another replica takes over',
    fakeClock: true,
    during: async (s) => {
      const b = await s.h.start(
        'replica-b',
        s.feed,
        { REGISTRAR_PRUNE: 'true' },
        { fakeClock: true },
      );
      s.others.push(b);
      s.h.api.inject({ verb: 'update', resource: 'leases', status: 503, user: 'replica-a' });
      // 41 s without renewal: past A's renew deadline (2/3 of 60 s); 61 s: B saw the Lease unchanged for a whole duration.
      for (const seconds of [41, 20]) {
        for (const r of [s.a, b]) r.clock.now += seconds * 1000;
        await s.a.handle.electionRound();
        await b.handle.electionRound();
      }
      const mark = s.h.api.requests.length;
      s.feed.publish([alphaRetagged, beta, delta], [part(ACCOUNT_A, 'eu-west-1')]);
      const byA = await s.a.handle.settle();
      const byB = await b.handle.settle();
      const writesBy = (user: string) =>
        s.h.api.requests
          .slice(mark)
          .filter(
            (q) =>
              q.resource === 'secrets' && q.user === user && q.verb !== 'list' && q.verb !== 'get',
          ).length;
      return `A ${byA ?? 'none'} (${writesBy('replica-a')} writes), B ${byB ?? 'none'}: ${describeWrites(s.h, mark, NAMES)}`;
    },
    expectedDuring: 'A not-leader (0 writes), B success: created 1, updated 1, deleted gamma',
    expectedNext: '0 writes',
  },
];

function expected(f: KubeFault): string {
  return [
    `fault: ${f.expectedDuring}`,
    `cleared: ${f.expectedNext}`,
    'converged, no Secret of a live cluster deleted, foreign Secret untouched',
  ].join(' · ');
}

async function observe(f: KubeFault): Promise<string> {
  const h = await startHarness();
  try {
    const feed = new ManualFeed();
    const a = await h.start(
      'replica-a',
      feed,
      { REGISTRAR_PRUNE: 'true' },
      f.fakeClock ? { fakeClock: true } : {},
    );
    const foreign = h.api.seed('secrets', structuredClone(FOREIGN));
    feed.publish([alpha, beta, gamma]);
    await a.handle.settle();
    const scene: Scene = { h, feed, a, others: [] };

    const during = await f.during(scene);
    h.api.clearFaults();

    const mark = h.api.requests.length;
    // Whoever leads now finishes the job.
    const leader = [a, ...scene.others].find((r) => r.handle.isLeader());
    const outcome = leader ? await leader.handle.reconcile('after the fault') : 'no leader';
    const writes = describeWrites(h, mark, NAMES);
    const next = writes === '0 writes' ? writes : `${outcome ?? 'none'}: ${writes}`;

    const live = new Set([alphaRetagged, beta, delta].map(nameOf));
    const deletedLive = h.api.requests.filter(
      (q) =>
        q.resource === 'secrets' && q.verb === 'delete' && q.status < 300 && live.has(q.name ?? ''),
    );
    const stored = new Map(h.api.list('secrets', NAMESPACE).map((s) => [s.metadata.name, s]));
    const owned = [...stored.values()].filter(
      (s) => s.metadata.labels?.['app.kubernetes.io/managed-by'] === 'argocd-eks-plugins',
    );
    // Hand-made Secrets that took a live cluster's name count as its registration (they win over ours).
    const converged =
      [...live].every((n) => stored.has(n)) &&
      owned.every((s) => live.has(s.metadata.name)) &&
      stored.get(nameOf(alpha))?.metadata.labels?.['env'] === 'prod';
    const foreignNow = stored.get(FOREIGN.metadata.name);
    return [
      `fault: ${during}`,
      `cleared: ${next}`,
      [
        converged ? 'converged' : 'NOT CONVERGED',
        deletedLive.length === 0
          ? 'no Secret of a live cluster deleted'
          : `DELETED ${deletedLive.length} SECRET(S) OF LIVE CLUSTERS`,
        JSON.stringify(foreignNow) === JSON.stringify(foreign)
          ? 'foreign Secret untouched'
          : 'FOREIGN SECRET CHANGED',
      ].join(', '),
    ].join(' · ');
  } finally {
    await h.close();
  }
}

export const kubeRows: MatrixRow[] = FAULTS.map((f) => ({
  component: 'registrar',
  fault: `Kubernetes API: ${f.name}`,
  expected: expected(f),
  observe: () => observe(f),
}));
