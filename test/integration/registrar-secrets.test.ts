/**
 * The registrar against an HTTP fake of the Kubernetes API, through the real @kubernetes/client-node:
 * which Secrets it writes, when it writes, and when it refuses to.
 */
import { Registry } from 'prom-client';
import { silentLogger } from '../../core/logger';
import { clusterSecretName } from '../../generator-service/registrar/desired';
import { startRegistrarFromEnv } from '../../generator-service/registrar/index';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  cluster,
  ManualFeed,
  part,
  record,
} from '../fakes/kube-api/fleet-feed';
import type { Harness, Replica } from '../fakes/kube-api/harness';
import { decodedData, NAMESPACE, startHarness, TOKENS } from '../fakes/kube-api/harness';
import type { KubeObject } from '../fakes/kube-api/server';

const alpha = record({ clusterName: 'alpha', tags: { env: 'dev', team: 'payments' } });
const beta = record({ clusterName: 'beta', accountId: ACCOUNT_B, region: 'us-east-1' });
const gamma = record({ clusterName: 'gamma' });
const nameOf = (r: typeof alpha) => clusterSecretName(cluster(r));

let h: Harness;
let feed: ManualFeed;

beforeEach(async () => {
  h = await startHarness();
  feed = new ManualFeed();
});
afterEach(async () => {
  await h.close();
});

const secrets = () => h.api.list('secrets', NAMESPACE);
const secret = (name: string) => h.api.get('secrets', NAMESPACE, name);
const secretWrites = () => h.api.writes('secrets');

async function leader(extra: NodeJS.ProcessEnv = {}): Promise<Replica> {
  const r = await h.start('replica-a', feed, extra);
  expect(r.handle.isLeader()).toBe(true);
  return r;
}

function seedForeign(name: string, server: string): KubeObject {
  return h.api.seed('secrets', {
    metadata: {
      name,
      namespace: NAMESPACE,
      labels: { 'argocd.argoproj.io/secret-type': 'cluster' },
    },
    stringData: { name: 'hand-made', server, config: '{"bearerToken":"hand-made-token"}' },
  });
}

describe('first registration', () => {
  it('writes one Argo CD cluster Secret per cluster, in the §C1 format', async () => {
    const r = await leader();
    feed.publish([alpha, beta]);
    await expect(r.handle.settle()).resolves.toBe('success');

    expect(secrets().map((s) => s.metadata.name)).toEqual([nameOf(alpha), nameOf(beta)].sort());
    const s = secret(nameOf(alpha))!;
    const c = cluster(alpha);
    expect(s['type']).toBe('Opaque');
    expect(s.metadata.labels).toEqual({
      ...c.labels,
      'argocd.argoproj.io/secret-type': 'cluster',
      'app.kubernetes.io/managed-by': 'argocd-eks-plugins',
      'argocd-eks-plugins/installation': 'default',
    });
    expect(s.metadata.annotations).toEqual({
      ...c.annotations,
      'argocd-eks-plugins/account-id': ACCOUNT_A,
      'argocd-eks-plugins/region': 'eu-west-1',
      'argocd-eks-plugins/cluster-arn': alpha.arn,
      'argocd-eks-plugins/source-part': `eks:${ACCOUNT_A}/eu-west-1`,
    });
    const data = decodedData(s);
    expect(Object.keys(data).sort()).toEqual(['config', 'name', 'server']);
    expect(data['name']).toBe('alpha');
    expect(data['server']).toBe(alpha.endpoint);
    expect(JSON.parse(data['config']!)).toEqual({
      awsAuthConfig: {
        clusterName: 'alpha',
        roleARN: `arn:aws:iam::${ACCOUNT_A}:role/argocd-manager`,
      },
      tlsClientConfig: { insecure: false, caData: alpha.caData },
    });
    expect(JSON.parse(decodedData(secret(nameOf(beta))!)['config']!).awsAuthConfig.roleARN).toBe(
      `arn:aws:iam::${ACCOUNT_B}:role/argocd-manager`,
    );
    expect(await r.metric('argocd_eks_registrar_secrets_total', { action: 'created' })).toBe(2);
    expect(await r.metric('argocd_eks_registrar_last_reconcile_success')).toBe(1);
    expect(await r.metric('argocd_eks_registrar_managed_secrets')).toBe(2);
    expect(await r.metric('argocd_eks_registrar_last_reconcile_timestamp_seconds')).toBeGreaterThan(
      0,
    );
  });

  it('writes nothing when nothing changed', async () => {
    const r = await leader();
    feed.publish([alpha, beta]);
    await r.handle.settle();
    const before = secretWrites().length;
    await r.handle.reconcile('again');
    feed.publish([beta, alpha]);
    await r.handle.settle();
    expect(secretWrites()).toHaveLength(before);
    expect(await r.metric('argocd_eks_registrar_secrets_total', { action: 'updated' })).toBe(0);
    expect(await r.metric('argocd_eks_registrar_secrets_total', { action: 'unchanged' })).toBe(4);
  });

  it('adds data.project when the cluster has a project, and omits roleARN without REGISTRAR_ROLE_ARN', async () => {
    const r = await leader({ REGISTRAR_ROLE_ARN: '' });
    const withProject = record({
      clusterName: 'delta',
      tags: { 'argocd-eks-plugins/project': 'platform' },
    });
    feed.publish([withProject]);
    await r.handle.settle();
    const data = decodedData(secret(nameOf(withProject))!);
    expect(data['project']).toBe('platform');
    expect(JSON.parse(data['config']!).awsAuthConfig).toEqual({ clusterName: 'delta' });
  });

  it('starts through startRegistrarFromEnv and registers on its own', async () => {
    feed.publish([alpha]);
    const registry = new Registry();
    const registrar = await startRegistrarFromEnv(h.env('replica-a'), {
      feed,
      log: silentLogger,
      metrics: registry,
    });
    try {
      await eventually(() => secret(nameOf(alpha)) !== undefined);
      expect(h.api.get('leases', NAMESPACE, 'argocd-eks-plugins-registrar')).toBeDefined();
      expect(await registry.getSingleMetric('argocd_eks_registrar_leader')!.get()).toMatchObject({
        values: [{ value: 1 }],
      });
    } finally {
      await registrar.stop();
    }
    const lease = h.api.get('leases', NAMESPACE, 'argocd-eks-plugins-registrar')!;
    expect((lease['spec'] as { holderIdentity?: string }).holderIdentity ?? '').toBe('');
  });
});

describe('changes', () => {
  it('a tag change updates labels and annotations of that Secret only', async () => {
    const r = await leader();
    feed.publish([alpha, beta]);
    await r.handle.settle();
    const before = secretWrites().length;

    const retagged = { ...alpha, tags: { env: 'prod', note: 'not a valid label value!' } };
    feed.publish([retagged, beta]);
    await expect(r.handle.settle()).resolves.toBe('success');

    const writes = secretWrites().slice(before);
    expect(writes.map((w) => [w.verb, w.name])).toEqual([['update', nameOf(alpha)]]);
    const s = secret(nameOf(alpha))!;
    expect(s.metadata.labels?.['env']).toBe('prod');
    expect(s.metadata.labels).not.toHaveProperty('team');
    expect(s.metadata.annotations?.['note']).toBe('not a valid label value!');
    expect(await r.metric('argocd_eks_registrar_secrets_total', { action: 'updated' })).toBe(1);
  });

  it('a CA rotation replaces caData with the new EKS value, unchanged', async () => {
    const r = await leader();
    feed.publish([alpha]);
    await r.handle.settle();
    const rotated = { ...alpha, caData: Buffer.from('rotated CA PEM').toString('base64') };
    feed.publish([rotated]);
    await r.handle.settle();
    const config = JSON.parse(decodedData(secret(nameOf(alpha))!)['config']!);
    expect(config.tlsClientConfig).toEqual({ insecure: false, caData: rotated.caData });
  });

  it('a rename (name tag) keeps the Secret name and updates data.name', async () => {
    const r = await leader();
    feed.publish([alpha]);
    await r.handle.settle();
    feed.publish([
      { ...alpha, tags: { ...alpha.tags, 'argocd-eks-plugins/name': 'alpha-renamed' } },
    ]);
    await r.handle.settle();
    expect(secrets().map((s) => s.metadata.name)).toEqual([nameOf(alpha)]);
    expect(decodedData(secret(nameOf(alpha))!)['name']).toBe('alpha-renamed');
  });

  it('repairs drift made by hand on an owned Secret', async () => {
    const r = await leader();
    feed.publish([alpha]);
    await r.handle.settle();
    const s = secret(nameOf(alpha))!;
    h.api.seed('secrets', {
      ...s,
      metadata: { ...s.metadata, labels: { ...s.metadata.labels, extra: 'by-hand' } },
      data: {
        ...(s['data'] as object),
        server: Buffer.from('https://elsewhere').toString('base64'),
      },
    });
    await r.handle.reconcile('resync');
    const repaired = secret(nameOf(alpha))!;
    expect(repaired.metadata.labels).not.toHaveProperty('extra');
    expect(decodedData(repaired)['server']).toBe(alpha.endpoint);
  });
});

describe('removal', () => {
  it('keeps the Secret of a cluster that left the fleet unless REGISTRAR_PRUNE=true', async () => {
    const r = await leader();
    feed.publish([alpha, gamma]);
    await r.handle.settle();
    feed.publish([alpha], [part(ACCOUNT_A, 'eu-west-1')]);
    await expect(r.handle.settle()).resolves.toBe('success');
    expect(secret(nameOf(gamma))).toBeDefined();
    expect(secretWrites().filter((w) => w.verb === 'delete')).toEqual([]);
    expect(r.logs).toContainEqual(
      expect.objectContaining({ secret: nameOf(gamma), reason: 'prune-disabled' }),
    );
  });

  it('deletes it with REGISTRAR_PRUNE=true once its part listed successfully without it', async () => {
    const r = await leader({ REGISTRAR_PRUNE: 'true' });
    feed.publish([alpha, gamma]);
    await r.handle.settle();
    feed.publish([alpha], [part(ACCOUNT_A, 'eu-west-1')]);
    await r.handle.settle();
    expect(secrets().map((s) => s.metadata.name)).toEqual([nameOf(alpha)]);
    expect(await r.metric('argocd_eks_registrar_secrets_total', { action: 'deleted' })).toBe(1);
  });

  it.each([
    ['its part is failing', [part(ACCOUNT_A, 'eu-west-1', { failing: true })], 'part-failing'],
    [
      'its part never loaded',
      [part(ACCOUNT_A, 'eu-west-1', { neverLoaded: true })],
      'part-failing',
    ],
    ['its part is not in the snapshot', [part(ACCOUNT_B, 'us-east-1')], 'part-unknown'],
  ])('never deletes it while %s, even with prune', async (_what, parts, reason) => {
    const r = await leader({ REGISTRAR_PRUNE: 'true' });
    feed.publish([alpha, beta]);
    await r.handle.settle();
    feed.publish([beta], parts);
    await r.handle.settle();
    expect(secret(nameOf(alpha))).toBeDefined();
    expect(secretWrites().filter((w) => w.verb === 'delete')).toEqual([]);
    expect(r.logs).toContainEqual(expect.objectContaining({ secret: nameOf(alpha), reason }));
  });

  it('never deletes a Secret it does not own', async () => {
    const r = await leader({ REGISTRAR_PRUNE: 'true' });
    seedForeign('hand-made-cluster', 'https://hand-made.example.com');
    feed.publish([alpha]);
    await r.handle.settle();
    expect(secret('hand-made-cluster')).toBeDefined();
    expect(secretWrites().map((w) => w.name)).toEqual([nameOf(alpha)]);
  });
});

describe('faults', () => {
  it('a failed write stops nothing else, and the next reconcile retries it', async () => {
    const r = await leader();
    h.api.inject({
      verb: 'create',
      resource: 'secrets',
      status: 500,
      name: nameOf(beta),
      times: 1,
    });
    feed.publish([alpha, beta, gamma]);
    await expect(r.handle.settle()).resolves.toBe('partial');
    expect(
      secrets()
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual([nameOf(alpha), nameOf(gamma)].sort());
    expect(await r.metric('argocd_eks_registrar_errors_total', { operation: 'create' })).toBe(1);
    expect(await r.metric('argocd_eks_registrar_last_reconcile_success')).toBe(0);

    await expect(r.handle.reconcile('retry')).resolves.toBe('success');
    expect(secrets()).toHaveLength(3);
  });

  it.each([403, 500, 503])(
    'a %i on update is logged and counted, other updates go on',
    async (code) => {
      const r = await leader();
      feed.publish([alpha, gamma]);
      await r.handle.settle();
      h.api.inject({ verb: 'update', resource: 'secrets', status: code, name: nameOf(alpha) });
      feed.publish([
        { ...alpha, tags: { env: 'prod' } },
        { ...gamma, tags: { env: 'prod' } },
      ]);
      await expect(r.handle.settle()).resolves.toBe('partial');
      expect(secret(nameOf(gamma))!.metadata.labels?.['env']).toBe('prod');
      expect(secret(nameOf(alpha))!.metadata.labels?.['env']).toBe('dev');
      expect(r.logs).toContainEqual(
        expect.objectContaining({ level: 'error', secret: nameOf(alpha), status: code }),
      );
    },
  );

  it('a failed listing changes nothing and is reported as a failed reconcile', async () => {
    const r = await leader({ REGISTRAR_PRUNE: 'true' });
    feed.publish([alpha, gamma]);
    await r.handle.settle();
    const before = secretWrites().length;
    h.api.inject({ verb: 'list', resource: 'secrets', status: 503, times: 1 });
    feed.publish([]);
    await expect(r.handle.settle()).resolves.toBe('failed');
    expect(secretWrites()).toHaveLength(before);
    expect(await r.metric('argocd_eks_registrar_reconciles_total', { result: 'failed' })).toBe(1);
  });

  it('a listing answered 200 without items is a failed listing, never an empty one', async () => {
    const r = await leader({ REGISTRAR_PRUNE: 'true' });
    feed.publish([alpha, gamma]);
    await r.handle.settle();
    const before = secretWrites().length;
    h.api.inject({
      verb: 'list',
      resource: 'secrets',
      status: 200,
      times: 1,
      body: { apiVersion: 'v1', kind: 'SecretList', metadata: { resourceVersion: '1' } },
    });
    feed.publish([alpha]);
    await expect(r.handle.settle()).resolves.toBe('failed');
    expect(secretWrites()).toHaveLength(before);
    expect(JSON.stringify(r.logs)).toContain(
      'list secrets: HTTP 200 (the answer has no items array)',
    );
  });

  it('a 409 on update re-reads the Secret and retries once', async () => {
    const r = await leader();
    feed.publish([alpha]);
    await r.handle.settle();
    h.api.inject({
      verb: 'update',
      resource: 'secrets',
      status: 409,
      name: nameOf(alpha),
      times: 1,
    });
    feed.publish([{ ...alpha, tags: { env: 'prod' } }]);
    await expect(r.handle.settle()).resolves.toBe('success');
    expect(secret(nameOf(alpha))!.metadata.labels?.['env']).toBe('prod');
    expect(
      h.api.requests
        .filter((q) => q.resource === 'secrets' && q.name === nameOf(alpha))
        .map((q) => [q.verb, q.status]),
    ).toEqual([
      ['create', 201],
      ['update', 409],
      ['get', 200],
      ['update', 200],
    ]);
    expect(await r.metric('argocd_eks_registrar_conflicts_total', { kind: 'write-conflict' })).toBe(
      1,
    );
  });

  it('a real resourceVersion race (someone writes between list and update) is resolved in the same round', async () => {
    const r = await leader();
    feed.publish([alpha]);
    await r.handle.settle();
    h.api.before('update', 'secrets', nameOf(alpha), () => {
      const s = secret(nameOf(alpha))!;
      h.api.seed('secrets', {
        ...s,
        metadata: { ...s.metadata, annotations: { ...s.metadata.annotations, touched: 'by-hand' } },
      });
    });
    feed.publish([{ ...alpha, tags: { env: 'prod' } }]);
    await expect(r.handle.settle()).resolves.toBe('success');
    const s = secret(nameOf(alpha))!;
    expect(s.metadata.labels?.['env']).toBe('prod');
    expect(s.metadata.annotations).not.toHaveProperty('touched');
    expect(
      h.api.requests
        .filter((q) => q.verb === 'update' && q.resource === 'secrets')
        .map((q) => q.status),
    ).toEqual([409, 200]);
  });

  it('a second 409 in the same round leaves the write for the next round', async () => {
    const r = await leader();
    feed.publish([alpha]);
    await r.handle.settle();
    h.api.inject({
      verb: 'update',
      resource: 'secrets',
      status: 409,
      name: nameOf(alpha),
      times: 2,
    });
    feed.publish([{ ...alpha, tags: { env: 'prod' } }]);
    await expect(r.handle.settle()).resolves.toBe('partial');
    expect(secret(nameOf(alpha))!.metadata.labels?.['env']).toBe('dev');
    await expect(r.handle.reconcile('next round')).resolves.toBe('success');
    expect(secret(nameOf(alpha))!.metadata.labels?.['env']).toBe('prod');
  });
});

describe('Secrets this project does not own', () => {
  it('leaves a hand-made Secret for the same server alone and reports it', async () => {
    const r = await leader();
    const foreign = seedForeign('alpha-by-hand', `${alpha.endpoint}/`);
    feed.publish([alpha, beta]);
    await expect(r.handle.settle()).resolves.toBe('success');
    expect(secret(nameOf(alpha))).toBeUndefined();
    expect(secret('alpha-by-hand')).toEqual(foreign);
    expect(secretWrites().map((w) => w.name)).toEqual([nameOf(beta)]);
    expect(await r.metric('argocd_eks_registrar_conflicts_total', { kind: 'foreign-server' })).toBe(
      1,
    );
    expect(r.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        secret: nameOf(alpha),
        foreignSecret: 'alpha-by-hand',
      }),
    );

    // A standing conflict is reported once, and shown by the gauge while it lasts.
    await r.handle.reconcile('resync');
    expect(await r.metric('argocd_eks_registrar_conflicts_total', { kind: 'foreign-server' })).toBe(
      1,
    );
    expect(await r.metric('argocd_eks_registrar_conflicting_secrets')).toBe(1);
    expect(
      r.logs.filter((l) => l['foreignSecret'] === 'alpha-by-hand' && l['level'] === 'warn'),
    ).toHaveLength(1);
  });

  it('leaves a hand-made Secret holding our name alone', async () => {
    const r = await leader();
    const foreign = seedForeign(nameOf(alpha), 'https://some-other-server.example.com');
    feed.publish([alpha]);
    await r.handle.settle();
    expect(secret(nameOf(alpha))).toEqual(foreign);
    expect(secretWrites()).toEqual([]);
    expect(await r.metric('argocd_eks_registrar_conflicts_total', { kind: 'name-taken' })).toBe(1);
  });

  it('does not overwrite an unlabelled Secret with our name (create answers 409)', async () => {
    const r = await leader();
    const plain = h.api.seed('secrets', {
      metadata: { name: nameOf(alpha), namespace: NAMESPACE },
      stringData: { unrelated: 'value' },
    });
    feed.publish([alpha]);
    await r.handle.settle();
    expect(secret(nameOf(alpha))).toEqual(plain);
  });
});

describe('two installations (two Argo CD instances, or a blue/green pair) in one namespace', () => {
  const INSTALLATION = 'argocd-eks-plugins/installation';

  async function installation(replica: string, id: string, f: ManualFeed): Promise<Replica> {
    const r = await h.start(replica, f, { REGISTRAR_INSTALLATION_ID: id, REGISTRAR_PRUNE: 'true' });
    expect(r.handle.isLeader()).toBe(true);
    return r;
  }

  it("each leads on its own Lease, registers its own clusters and never prunes the other one's", async () => {
    const blueFeed = new ManualFeed();
    const greenFeed = new ManualFeed();
    const blue = await installation('replica-a', 'blue', blueFeed);
    const green = await installation('replica-b', 'green', greenFeed);
    expect(h.api.get('leases', NAMESPACE, 'argocd-eks-plugins-registrar-blue')).toBeDefined();
    expect(h.api.get('leases', NAMESPACE, 'argocd-eks-plugins-registrar-green')).toBeDefined();

    // Both fleets are complete listings of the same account and region, with different clusters.
    blueFeed.publish([alpha], [part(ACCOUNT_A, 'eu-west-1')]);
    greenFeed.publish([gamma], [part(ACCOUNT_A, 'eu-west-1')]);
    await expect(blue.handle.settle()).resolves.toBe('success');
    await expect(green.handle.settle()).resolves.toBe('success');
    await blue.handle.reconcile('resync');
    await green.handle.reconcile('resync');

    expect(secret(nameOf(alpha))!.metadata.labels?.[INSTALLATION]).toBe('blue');
    expect(secret(nameOf(gamma))!.metadata.labels?.[INSTALLATION]).toBe('green');
    expect(secretWrites().filter((w) => w.verb !== 'create')).toEqual([]);
    expect(await blue.metric('argocd_eks_registrar_managed_secrets')).toBe(1);
  });

  it("neither overwrites the other one's Secret for a cluster both fleets hold; the second reports it", async () => {
    const blueFeed = new ManualFeed();
    const greenFeed = new ManualFeed();
    const blue = await installation('replica-a', 'blue', blueFeed);
    const green = await installation('replica-b', 'green', greenFeed);
    blueFeed.publish([alpha]);
    await blue.handle.settle();
    const written = secret(nameOf(alpha));

    greenFeed.publish([{ ...alpha, tags: { env: 'green-view' } }]);
    await expect(green.handle.settle()).resolves.toBe('success');
    expect(secret(nameOf(alpha))).toEqual(written);
    expect(secretWrites().map((w) => [w.verb, w.name])).toEqual([['create', nameOf(alpha)]]);
    expect(
      await green.metric('argocd_eks_registrar_conflicts_total', { kind: 'foreign-server' }),
    ).toBe(1);
    expect(green.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', secret: nameOf(alpha), installation: 'blue' }),
    );
  });

  it('the registrar upgraded in place (default id) adopts the Secrets written before ids: no orphan, no duplicate', async () => {
    const legacy = (rec: typeof alpha) => {
      const c = cluster(rec);
      return h.api.seed('secrets', {
        metadata: {
          name: nameOf(rec),
          namespace: NAMESPACE,
          labels: {
            ...c.labels,
            'argocd.argoproj.io/secret-type': 'cluster',
            'app.kubernetes.io/managed-by': 'argocd-eks-plugins',
          },
          annotations: {
            ...c.annotations,
            'argocd-eks-plugins/account-id': rec.accountId,
            'argocd-eks-plugins/region': rec.region,
            'argocd-eks-plugins/cluster-arn': rec.arn,
            'argocd-eks-plugins/source-part': `eks:${rec.accountId}/${rec.region}`,
          },
        },
        stringData: { name: rec.clusterName, server: rec.endpoint, config: '{}' },
      });
    };
    legacy(alpha);
    legacy(gamma);

    // A second installation started next to it touches none of them.
    const greenFeed = new ManualFeed();
    const green = await installation('replica-b', 'green', greenFeed);
    greenFeed.publish([alpha], [part(ACCOUNT_A, 'eu-west-1')]);
    await green.handle.settle();
    expect(secretWrites()).toEqual([]);

    // The upgraded one adopts alpha (one update adds its label) and prunes gamma, which left its fleet.
    const upgraded = await h.start('replica-a', feed, { REGISTRAR_PRUNE: 'true' });
    feed.publish([alpha], [part(ACCOUNT_A, 'eu-west-1')]);
    await expect(upgraded.handle.settle()).resolves.toBe('success');
    expect(secretWrites().map((w) => [w.verb, w.name])).toEqual([
      ['update', nameOf(alpha)],
      ['delete', nameOf(gamma)],
    ]);
    expect(secrets().map((s) => s.metadata.name)).toEqual([nameOf(alpha)]);
    expect(secret(nameOf(alpha))!.metadata.labels?.[INSTALLATION]).toBe('default');
  });
});

describe('dry run', () => {
  it('logs the plan and writes nothing', async () => {
    const r = await leader({ REGISTRAR_DRY_RUN: 'true', REGISTRAR_PRUNE: 'true' });
    feed.publish([alpha, beta]);
    await expect(r.handle.settle()).resolves.toBe('success');
    expect(secrets()).toEqual([]);
    expect(secretWrites()).toEqual([]);
    expect(r.logs).toContainEqual(
      expect.objectContaining({
        msg: 'dry run: would create cluster Secret',
        secret: nameOf(alpha),
      }),
    );
    expect(r.logs).toContainEqual(
      expect.objectContaining({ msg: 'registrar plan', create: 2, dryRun: true }),
    );
    expect(await r.metric('argocd_eks_registrar_secrets_total', { action: 'skipped' })).toBe(2);
  });
});

describe('logs', () => {
  it('never hold Secret data, CA data or the API token', async () => {
    const r = await leader({ REGISTRAR_PRUNE: 'true' });
    seedForeign('by-hand', beta.endpoint);
    h.api.inject({ verb: 'create', resource: 'secrets', status: 500, times: 1 });
    feed.publish([alpha, beta, gamma]);
    await r.handle.settle();
    feed.publish([{ ...alpha, caData: Buffer.from('new CA').toString('base64') }]);
    await r.handle.settle();
    const raw = r.rawLog();
    for (const forbidden of [
      alpha.caData,
      gamma.caData,
      Buffer.from('new CA').toString('base64'),
      'hand-made-token',
      TOKENS['replica-a']!,
      'awsAuthConfig',
    ]) {
      expect(raw).not.toContain(forbidden);
    }
    const exposition = await r.registry.metrics();
    expect(exposition).not.toContain(alpha.endpoint);
    expect(exposition).not.toContain(nameOf(alpha));
  });
});

/** Polls a condition the code under test reaches on its own; no timing is asserted. */
async function eventually(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not reached');
}
