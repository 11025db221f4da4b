/**
 * Blue/green upgrades end to end (issue 24): the upgrade controller with its real Kubernetes client, SDK, generator
 * client and Prometheus client, against the fake EKS, the fake Kubernetes API, the real generator on the EKS fake,
 * an Argo CD emulation and a fake Prometheus (upgrade-harness.ts). In every scenario the generator serves both
 * clusters of each pair in every answer, and the pair's weights never sum below 100 nor are both 0.
 */
import type { UpgradeStatus } from '../../generator-service/upgrades/status';
import type { UpgradeHarness } from './upgrade-harness';
import { NS, pairsAlwaysServed, startUpgradeHarness, weightHistory } from './upgrade-harness';

const RETIRED = 'argocd-eks-plugins/upgrade-retired';

/** The gates look at the incoming cluster only: its Applications of the group, its error ratio against blue's. */
const specFor = (group: string) => ({
  group,
  bakeSeconds: 60,
  gates: [
    {
      name: 'green-apps',
      applications: { selector: { matchLabels: { 'upgrade-group': group } } },
    },
    {
      name: 'error-ratio',
      prometheus: {
        query: 'errors_ratio{cluster="{{name}}",color="{{color}}"}',
        operator: '<=',
        blueFactor: 1.1,
      },
    },
  ],
});
const SPEC = specFor('checkout');

const terminal = (s: UpgradeStatus | undefined) =>
  s?.phase === 'Failed' ||
  s?.phase === 'Held' ||
  ((s?.phase === 'Completed' || s?.phase === 'RolledBack') && s.stage === 'Done');

let h: UpgradeHarness;

afterEach(async () => {
  await h.close();
});

function expectSafeWeights(group = 'checkout') {
  for (const w of weightHistory(h, group)) {
    expect(w.blue + w.green).toBeGreaterThanOrEqual(100);
    expect(w.blue === 0 && w.green === 0).toBe(false);
  }
}

function expectPairsServed(groups = ['checkout']) {
  expect(h.answers.length).toBeGreaterThan(0);
  // A 400 answers a request's own bad parameters (an ApplicationSet typo), not a fault of the generator.
  expect(
    pairsAlwaysServed(
      h.answers.filter((a) => a.status !== 400),
      groups,
    ),
  ).toEqual([]);
}

function events(reason?: string) {
  return h.api
    .list('events', NS)
    .filter((e) => reason === undefined || e['reason'] === reason)
    .map((e) => ({ type: e['type'], reason: e['reason'], message: String(e['message']) }));
}

describe('a blue/green upgrade', () => {
  it('moves traffic 0 → 10 → 25 → 50 → 100 with the gates passing, then retires blue without deleting it', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout-blue', 0.01);
    h.prometheus.answer('checkout-green', 0.0105);
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);

    const s = await h.drive(c, terminal);

    expect(s?.phase).toBe('Completed');
    expect(s?.weights).toEqual({ blue: 0, green: 100 });
    expect(h.weight('checkout-blue')).toBe(0);
    expect(h.weight('checkout-green')).toBe(100);
    expect(h.fake.cluster('111111111111', 'eu-west-1', 'checkout-blue')?.tags?.[RETIRED]).toBe(
      'true',
    );
    expect(h.fake.clusterNames('111111111111', 'eu-west-1')).toEqual([
      'checkout-blue',
      'checkout-green',
    ]);
    expect(s?.history?.map((x) => [x.weights.green, x.result])).toEqual([
      [0, 'Passed'],
      [10, 'Passed'],
      [25, 'Passed'],
      [50, 'Passed'],
      [100, 'Passed'],
    ]);
    expect(s?.gates?.map((g) => [g.name, g.result])).toEqual([
      ['green-apps', 'Passed'],
      ['error-ratio', 'Passed'],
    ]);
    // Rising weight first: green to 10 before blue to 90, and so on.
    expect(weightHistory(h, 'checkout').slice(0, 2)).toEqual([
      { blue: 100, green: 10 },
      { blue: 90, green: 10 },
    ]);
    expectSafeWeights();
    // The ApplicationSet selecting the pair was asked to refresh at every step.
    const refreshes = h.api.writes('applicationsets').filter((w) => w.verb === 'patch');
    expect(refreshes.length).toBeGreaterThanOrEqual(5);
    expect(s?.refreshedApplicationSets).toEqual(['checkout']);
    // The query was filled per cluster.
    expect(h.prometheus.queries).toContain('errors_ratio{cluster="checkout-green",color="green"}');
    expect(h.prometheus.queries).toContain('errors_ratio{cluster="checkout-blue",color="blue"}');
    expect(events('Completed')).toHaveLength(1);
    expect(await c.metric('argocd_eks_upgrade_outcomes_total', { outcome: 'completed' })).toBe(1);
    expectPairsServed();
  });

  it("pairs today's green with a new cluster for the group's next upgrade, whatever its color tag", async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);
    expect((await h.drive(c, terminal))?.phase).toBe('Completed');

    // The next cluster of the group, on 1.33, tagged blue: the retired blue has left the pair.
    h.fake.addCluster('111111111111', 'eu-west-1', {
      name: 'checkout-next',
      version: '1.33',
      tags: {
        argocd: 'enabled',
        'argocd-eks-plugins/upgrade-group': 'checkout',
        'argocd-eks-plugins/upgrade-color': 'blue',
        'argocd-eks-plugins/upgrade-weight': '0',
      },
      addons: { 'vpc-cni': 'v1.19.2-eksbuild.1' },
    });
    h.fake.setAddons([
      {
        addonName: 'vpc-cni',
        versions: [{ addonVersion: 'v1.19.2-eksbuild.1', compat: { '1.33': true, '1.32': true } }],
      },
    ]);
    // Argo CD creates the new cluster's Application (its ApplicationSet reconciles).
    const set = h.api.get('applicationsets', NS, 'checkout')!;
    h.api.seed('applicationsets', {
      ...set,
      metadata: {
        ...set.metadata,
        annotations: { 'argocd.argoproj.io/application-set-refresh': 'true' },
      },
    });
    await h.argoTick();
    h.createUpgrade('checkout-1-33', { ...SPEC, steps: [0, 50, 100] });

    const s = await h.drive(c, terminal, { name: 'checkout-1-33' });

    expect(s?.phase).toBe('Completed');
    expect(s?.pair?.blue).toMatchObject({ name: 'checkout-green', color: 'green' });
    expect(s?.pair?.green).toMatchObject({ name: 'checkout-next', color: 'blue' });
    expect(h.weight('checkout-next')).toBe(100);
    expect(h.weight('checkout-green')).toBe(0);
    expect(h.fake.cluster('111111111111', 'eu-west-1', 'checkout-green')?.tags?.[RETIRED]).toBe(
      'true',
    );
    expect(h.prometheus.queries).toContain('errors_ratio{cluster="checkout-next",color="blue"}');
    expectPairsServed();
  });

  it('rolls back to green 0 / blue 100 when a gate fails at 50, with an Event and a metric', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout-blue', 0.01);
    h.prometheus.answer('checkout-green', 0.01);
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);

    const s = await h.drive(c, (st) => {
      // Green's error ratio climbs once it takes half the traffic.
      if (st?.targetWeights?.green === 50) h.prometheus.answer('checkout-green', 0.05);
      return terminal(st);
    });

    expect(s?.phase).toBe('RolledBack');
    expect(s?.weights).toEqual({ blue: 100, green: 0 });
    expect(h.weight('checkout-blue')).toBe(100);
    expect(h.weight('checkout-green')).toBe(0);
    expect(s?.rollback?.reason).toMatch(
      /gate failed at green 50: error-ratio: green 0.05 not <= 1.1/,
    );
    expect(s?.gates?.find((g) => g.name === 'error-ratio')?.result).toBe('Failed');
    expect(s?.history?.at(-1)?.result).toBe('RolledBack');
    expect(Math.max(...weightHistory(h, 'checkout').map((w) => w.green))).toBe(50);
    // Rolling back raises blue before lowering green.
    expect(weightHistory(h, 'checkout').slice(-2)).toEqual([
      { blue: 100, green: 50 },
      { blue: 100, green: 0 },
    ]);
    expectSafeWeights();
    expect(events('RollingBack')).toEqual([
      expect.objectContaining({ type: 'Warning', message: expect.stringMatching(/error-ratio/) }),
    ]);
    expect(await c.metric('argocd_eks_upgrade_outcomes_total', { outcome: 'rolled-back' })).toBe(1);
    expect(h.fake.cluster('111111111111', 'eu-west-1', 'checkout-blue')?.tags?.[RETIRED]).toBe(
      undefined,
    );
    expectPairsServed();
  });

  it("rolls back when green's PostSync smoke test fails after a step", async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    let greenWeight = 0;
    h.hookPhase = ({ color }) => (color === 'green' && greenWeight >= 25 ? 'Failed' : 'Succeeded');
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);

    const s = await h.drive(c, (st) => {
      greenWeight = st?.targetWeights?.green ?? 0;
      return terminal(st);
    });

    expect(s?.phase).toBe('RolledBack');
    expect(s?.rollback?.reason).toMatch(
      /gate failed at green 25: green-apps: checkout-checkout-green: PostSync hook Job\/smoke-test Failed/,
    );
    expect(h.weight('checkout-green')).toBe(0);
    expect(h.weight('checkout-blue')).toBe(100);
    expectSafeWeights();
    expectPairsServed();
  });

  it('holds when the Applications never become Healthy with the new weights', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    let greenWeight = 0;
    h.health = ({ color }) => (color === 'green' && greenWeight >= 10 ? 'Degraded' : 'Healthy');
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', { ...SPEC, convergeSeconds: 120 });

    const s = await h.drive(c, (st) => {
      greenWeight = st?.targetWeights?.green ?? 0;
      return terminal(st);
    });

    expect(s?.phase).toBe('Held');
    expect(s?.message).toMatch(
      /held at green 10: not converged after 120s: waiting for Application checkout-checkout-green to be Synced and Healthy/,
    );
    expect(s?.weights).toEqual({ blue: 90, green: 10 });
    expect(s?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'NotConverged' }),
    );

    // An edit that does not parse keeps it held where it is.
    const o = h.api.get('clusterupgrades', NS, 'checkout-1-32')!;
    h.api.seed('clusterupgrades', { ...o, spec: { ...SPEC, steps: [0, 10, 50] } });
    await c.round();
    expect(h.upgrade('checkout-1-32')?.status).toMatchObject({
      phase: 'Held',
      weights: { blue: 90, green: 10 },
      message: expect.stringMatching(
        /still held: the edited spec is invalid: spec.steps: must end at 100/,
      ),
    });

    // Fixed, and released by a valid edit: the step refreshes and converges again, then goes on.
    h.health = () => 'Healthy';
    h.api.seed('clusterupgrades', { ...o, spec: { ...SPEC, resume: 'apps-fixed' } });
    const done = await h.drive(c, terminal);
    expect(done?.phase).toBe('Completed');
    expectSafeWeights();
    expectPairsServed();
  });

  it('leaves out an ApplicationSet whose input the generator refuses, and still upgrades', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    h.api.seed('applicationsets', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'typo', namespace: NS },
      spec: {
        generators: [
          {
            plugin: {
              configMapRef: { name: 'eks-cluster-generator' },
              input: { parameters: { regoins: ['eu-west-1'] } },
            },
          },
        ],
        template: { metadata: { name: 'x' }, spec: {} },
      },
    });
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);

    const s = await h.drive(c, terminal);

    expect(s?.phase).toBe('Completed');
    expect(s?.refreshedApplicationSets).toEqual(['checkout']);
    expect(
      c
        .logs()
        .some((l) => l['msg'] === 'ApplicationSet input refused by the generator; not refreshed'),
    ).toBe(true);
    // The refused answers were the generator's own 400s, not a fault.
    expect(h.answers.filter((a) => a.status !== 200).every((a) => a.status === 400)).toBe(true);
    expectPairsServed(['checkout']);
  });

  describe('when Argo CD is read back empty or shapeless mid-step', () => {
    const LIST = { apiVersion: 'argoproj.io/v1alpha1', metadata: { resourceVersion: '1' } };
    const stepOne = { blue: 90, green: 10 };

    it.each([
      ['applicationsets', 'Refreshing', () => true],
      ['applications', 'Converging', (st?: UpgradeStatus) => st?.stage === 'Converging'],
    ] as const)(
      'waits, never advancing, while the list of %s answers 200 without items',
      async (resource, stage, from) => {
        h = await startUpgradeHarness();
        h.prometheus.answer('checkout', 0.01);
        const c = await h.controller('a');
        h.createUpgrade('checkout-1-32', SPEC);
        await h.drive(c, from);
        h.api.inject({ verb: 'list', resource, status: 200, user: 'controller-a', body: LIST });

        const s = await h.drive(c, () => false, { max: 5 });

        expect(s).toMatchObject({ phase: 'Shifting', stage, weights: stepOne });
        expect(
          c
            .logs()
            .some(
              (l) =>
                l['msg'] === 'ClusterUpgrade reconcile stopped; retried next round' &&
                String(l['error']).includes(
                  `list ${resource}: HTTP 200 (the answer has no items array)`,
                ),
            ),
        ).toBe(true);

        // Once the lists have their shape again, the upgrade goes on from where it waited.
        h.api.clearFaults();
        const done = await h.drive(c, terminal);
        expect(done?.phase).toBe('Completed');
        expectSafeWeights();
      },
    );

    it('holds, naming the pair, when no ApplicationSet of this generator selects it any more', async () => {
      h = await startUpgradeHarness();
      h.prometheus.answer('checkout', 0.01);
      const c = await h.controller('a');
      h.createUpgrade('checkout-1-32', SPEC);
      // The pre-checks see the Applications; the ApplicationSet is gone when the step refreshes.
      h.api.inject({
        verb: 'list',
        resource: 'applicationsets',
        status: 200,
        user: 'controller-a',
        body: { ...LIST, items: [] },
      });

      const s = await h.drive(c, terminal);

      expect(s?.phase).toBe('Held');
      expect(s?.message).toBe(
        'held at green 0: no ApplicationSet of generator eks-cluster-generator selects blue checkout-blue / green checkout-green; edit the spec to resume',
      );
      expect(s?.weights).toEqual({ blue: 100, green: 0 });
      expect(s?.conditions).toContainEqual(
        expect.objectContaining({
          type: 'Progressing',
          status: 'False',
          reason: 'NothingSelected',
        }),
      );
    });

    it('holds, naming the pair, when no Application targets it any more', async () => {
      h = await startUpgradeHarness();
      h.prometheus.answer('checkout', 0.01);
      const c = await h.controller('a');
      h.createUpgrade('checkout-1-32', SPEC);
      await h.drive(c, (st) => st?.stage === 'Converging');
      h.api.inject({
        verb: 'list',
        resource: 'applications',
        status: 200,
        user: 'controller-a',
        body: { ...LIST, items: [] },
      });

      const s = await h.drive(c, terminal);

      expect(s?.phase).toBe('Held');
      expect(s?.message).toBe(
        'held at green 10: no Application of ApplicationSet checkout targets blue checkout-blue / green checkout-green; edit the spec to resume',
      );
      expect(s?.weights).toEqual(stepOne);
    });
  });

  it('holds, moving no traffic either way, when Prometheus is unreachable', async () => {
    h = await startUpgradeHarness();
    await h.prometheus.refuse();
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);

    const s = await h.drive(c, terminal);

    // Step 0 has no traffic on green to measure; the first gated step with traffic holds.
    expect(s?.phase).toBe('Held');
    expect(s?.weights).toEqual({ blue: 90, green: 10 });
    expect(s?.gates?.find((g) => g.name === 'error-ratio')).toEqual(
      expect.objectContaining({ result: 'Error', reason: expect.stringMatching(/unreachable/) }),
    );
    const writes = h.fake.tagWrites.length;
    for (let i = 0; i < 3; i++) {
      await c.round();
      h.clock.now += 120_000;
    }
    expect(h.fake.tagWrites.length).toBe(writes);
    expect(events('Held')).toHaveLength(1);
    expect(await c.metric('argocd_eks_upgrade_upgrades', { phase: 'Held' })).toBe(1);
    expect(await c.metric('argocd_eks_upgrade_outcomes_total', { outcome: 'held' })).toBe(1);
    expectSafeWeights();
    expectPairsServed();
  });

  it('holds when the query returns no series, and resumes after a spec edit', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout-blue', 0.01);
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);

    let s = await h.drive(c, terminal);
    expect(s?.phase).toBe('Held');
    expect(s?.gates?.find((g) => g.name === 'error-ratio')?.reason).toMatch(/no series/);

    h.prometheus.answer('checkout-green', 0.01);
    const o = h.api.get('clusterupgrades', NS, 'checkout-1-32');
    h.api.seed('clusterupgrades', { ...o!, spec: { ...SPEC, resume: 'metrics-fixed' } });
    s = await h.drive(c, terminal);
    expect(s?.phase).toBe('Completed');
    expectSafeWeights();
    expectPairsServed();
  });

  it('fails its pre-checks on an add-on incompatible with green, naming it, and moves nothing', async () => {
    h = await startUpgradeHarness({
      greenAddons: { 'vpc-cni': 'v1.19.2-eksbuild.1', coredns: 'v1.11.3-eksbuild.1' },
    });
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);

    const s = await h.drive(c, terminal);

    expect(s?.phase).toBe('Failed');
    expect(s?.message).toMatch(
      /add-on coredns v1.11.3-eksbuild.1 on green cluster checkout-green is not listed by DescribeAddonVersions as compatible with Kubernetes 1.32/,
    );
    expect(h.fake.tagWrites).toEqual([]);
    expect(h.fake.count({ op: 'DescribeAddon' })).toBe(2);
    expect(events('PreCheckFailed')).toHaveLength(1);
    expectPairsServed();
  });

  it('fails its pre-checks when an Application on blue has no twin on green', async () => {
    h = await startUpgradeHarness();
    h.api.list('applications', NS); // the emulation synced both at start
    const greenApp = h.api.list('applications', NS).find((a) => a.metadata.name.includes('green'));
    expect(greenApp).toBeDefined();
    // A twin on green that Argo CD has not created (e.g. the green cluster was not registered yet).
    await deleteApplication(h, greenApp!.metadata.name);
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);

    const s = await h.drive(c, terminal);

    expect(s?.phase).toBe('Failed');
    expect(s?.message).toMatch(
      /Application checkout-checkout-blue \(ApplicationSet checkout, path deploy\/chart\) on blue has no twin on green cluster checkout-green/,
    );
    expect(h.fake.tagWrites).toEqual([]);
  });

  it('fails naming the clusters when the group has two blues', async () => {
    h = await startUpgradeHarness();
    h.fake.addCluster('111111111111', 'eu-west-1', {
      name: 'checkout-blue-2',
      version: '1.31',
      tags: {
        argocd: 'enabled',
        'argocd-eks-plugins/upgrade-group': 'checkout',
        'argocd-eks-plugins/upgrade-color': 'blue',
        'argocd-eks-plugins/upgrade-weight': '0',
      },
    });
    await h.registry.refresh();
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);
    const s = await h.drive(c, terminal);
    expect(s?.message).toMatch(
      /needs exactly one blue and one green cluster \(not retired\); found blue: checkout-blue, checkout-blue-2; green: checkout-green/,
    );
    expect(h.fake.tagWrites).toEqual([]);
  });

  it('resumes after the controller dies between the two tag writes of a step', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    // Blue's first write (90, the second of step 10) never succeeds for controller a: it dies there.
    h.fake.addFault({
      match: { op: 'TagResource', subject: h.arn('checkout-blue') },
      fault: { kind: 'error', status: 500, type: 'ServerException' },
      times: 3,
    });
    const a = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);
    let s = await h.drive(a, (st) => st?.intendedWrite !== undefined);

    expect(s?.intendedWrite).toEqual(
      expect.objectContaining({
        color: 'blue',
        tags: { 'argocd-eks-plugins/upgrade-weight': '90' },
      }),
    );
    expect(s?.weights).toEqual({ blue: 100, green: 10 });
    expect(h.weight('checkout-green')).toBe(10);
    expect(h.weight('checkout-blue')).toBe(100);

    // a is gone without releasing its Lease; b takes over once the Lease expired on b's own clock.
    const b = await h.controller('b');
    await b.round();
    expect(b.controller.isLeader()).toBe(false);
    h.clock.now += 16_000;
    s = await h.drive(b, terminal);

    expect(s?.phase).toBe('Completed');
    const history = weightHistory(h, 'checkout');
    expect(history.slice(0, 2)).toEqual([
      { blue: 100, green: 10 },
      { blue: 90, green: 10 },
    ]);
    expectSafeWeights();
    expectPairsServed();
  });

  it('sends an announced write again when its result could not be recorded, and goes on', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);
    // Green's first write succeeds, but the status update recording it fails (as if the controller died there).
    h.fake.onTagged = () => {
      h.fake.onTagged = undefined;
      h.api.inject({ verb: 'update', resource: 'clusterupgrades/status', status: 500, times: 1 });
    };

    const s = await h.drive(c, terminal);

    expect(s?.phase).toBe('Completed');
    const green10 = h.fake.tagWrites.filter(
      (w) =>
        w.arn === h.arn('checkout-green') && w.tags['argocd-eks-plugins/upgrade-weight'] === '10',
    );
    expect(green10).toHaveLength(2);
    expectSafeWeights();
    expectPairsServed();
  });

  it('stops a controller whose status update lost to another writer before its next AWS write', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    const a = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);
    // Right after green's write of step 10, another writer changes the object (as a new leader would).
    h.fake.onTagged = () => {
      h.fake.onTagged = undefined;
      const o = h.api.get('clusterupgrades', NS, 'checkout-1-32')!;
      h.api.seed('clusterupgrades/status', {
        ...o,
        status: { ...(o['status'] as object), message: 'taken over' },
      });
    };
    await h.drive(a, () => h.fake.tagWrites.length > 0);

    // a's update after the write failed with 409: it sent nothing more.
    expect(h.fake.tagWrites.map((w) => w.arn)).toEqual([h.arn('checkout-green')]);
    expect(
      h.api.requests.some((r) => r.resource === 'clusterupgrades/status' && r.status === 409),
    ).toBe(true);
    expectSafeWeights();
  });

  it('sends nothing for an announced write when the object it read went stale before the resend', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    // Green's first write (10) fails for one whole call: it stays announced, unconfirmed.
    h.fake.addFault({
      match: { op: 'TagResource', subject: h.arn('checkout-green') },
      fault: { kind: 'error', status: 500, type: 'ServerException' },
      times: 3,
    });
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);
    await h.drive(c, (st) => st?.intendedWrite !== undefined);
    expect(h.fake.tagWrites).toEqual([]);

    // Right after the controller lists the upgrades, the spec is edited: what it read is stale.
    h.api.after('list', 'clusterupgrades', () => {
      const o = h.api.get('clusterupgrades', NS, 'checkout-1-32')!;
      h.api.seed('clusterupgrades', { ...o, spec: { ...SPEC, bakeSeconds: 120 } });
    });
    await c.round();

    expect(h.fake.tagWrites).toEqual([]);
    expect(
      h.api.requests.some((r) => r.resource === 'clusterupgrades/status' && r.status === 409),
    ).toBe(true);

    // The next round reads the object as it is now and finishes the write.
    const s = await h.drive(c, terminal);
    expect(s?.phase).toBe('Completed');
    expect(h.fake.tagWrites[0]).toEqual(
      expect.objectContaining({
        arn: h.arn('checkout-green'),
        tags: { 'argocd-eks-plugins/upgrade-weight': '10' },
      }),
    );
    expectSafeWeights();
    expectPairsServed();
  });

  it('rides out throttled TagResource calls', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    // More throttles than one call's attempts: one reconcile gives up, the next retries the announced write.
    h.fake.addFault({ match: { op: 'TagResource' }, fault: { kind: 'throttle' }, times: 4 });
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);

    const s = await h.drive(c, terminal);

    expect(s?.phase).toBe('Completed');
    expect(h.fake.calls.filter((x) => x.op === 'TagResource' && x.outcome === 429)).toHaveLength(4);
    expect(await c.metric('argocd_eks_upgrade_tag_writes_total', { result: 'failed' })).toBe(1);
    expectSafeWeights();
    expectPairsServed();
  });

  it('upgrades two groups at once, each pair on its own', async () => {
    h = await startUpgradeHarness({ groups: ['checkout', 'payments'] });
    h.prometheus.answer('-blue', 0.01);
    h.prometheus.answer('-green', 0.01);
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);
    h.createUpgrade('payments-1-32', { ...specFor('payments'), steps: [0, 50, 100] });

    await h.drive(
      c,
      () =>
        terminal(h.upgrade('checkout-1-32')?.status) &&
        terminal(h.upgrade('payments-1-32')?.status),
    );

    for (const [name, group] of [
      ['checkout-1-32', 'checkout'],
      ['payments-1-32', 'payments'],
    ] as const) {
      const s = h.upgrade(name)?.status;
      expect(s?.phase).toBe('Completed');
      expect(s?.pair?.green.name).toBe(`${group}-green`);
      expect(h.weight(`${group}-green`)).toBe(100);
      expectSafeWeights(group);
    }
    expect(h.upgrade('payments-1-32')?.status.history).toHaveLength(3);
    expectPairsServed(['checkout', 'payments']);
  });

  it('has one writer among two controllers; the other takes over when the first stops', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    const a = await h.controller('a');
    const b = await h.controller('b');
    h.createUpgrade('checkout-1-32', SPEC);

    for (let i = 0; i < 6; i++) {
      await a.round();
      await b.round();
      expect([a.controller.isLeader(), b.controller.isLeader()]).toEqual([true, false]);
      await h.argoTick();
      h.clock.now += 20_000;
    }
    const writers = (resource: string) =>
      new Set(
        h.api
          .writes()
          .filter((r) => r.resource === resource)
          .map((r) => r.user),
      );
    expect(h.fake.tagWrites.length).toBeGreaterThan(0);
    expect(writers('clusterupgrades/status')).toEqual(new Set(['controller-a']));
    expect(
      h.api.requests.some((r) => r.resource === 'clusterupgrades' && r.user === 'controller-b'),
    ).toBe(false);

    await a.controller.stop();
    const s = await h.drive(b, terminal);
    expect(s?.phase).toBe('Completed');
    expect(writers('clusterupgrades/status')).toEqual(new Set(['controller-a', 'controller-b']));
    expectSafeWeights();
    expectPairsServed();
  });

  it('takes a spec edit at the next step boundary', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);
    await h.drive(c, (st) => st?.targetWeights?.green === 10);
    const o = h.api.get('clusterupgrades', NS, 'checkout-1-32')!;
    h.api.seed('clusterupgrades', { ...o, spec: { ...SPEC, steps: [0, 10, 100] } });

    const s = await h.drive(c, terminal);
    expect(s?.phase).toBe('Completed');
    expect(s?.history?.map((x) => x.weights.green)).toEqual([0, 10, 100]);
    expectSafeWeights();
  });

  it('stops where it is when the ClusterUpgrade is deleted', async () => {
    h = await startUpgradeHarness();
    h.prometheus.answer('checkout', 0.01);
    const c = await h.controller('a');
    h.createUpgrade('checkout-1-32', SPEC);
    await h.drive(c, (st) => st?.targetWeights?.green === 25);
    await deleteUpgrade(h, 'checkout-1-32');
    const writes = h.fake.tagWrites.length;
    for (let i = 0; i < 5; i++) {
      await c.round();
      await h.argoTick();
      h.clock.now += 60_000;
    }
    expect(h.fake.tagWrites.length).toBe(writes);
    expectSafeWeights();
    expectPairsServed();
  });
});

async function deleteApplication(h: UpgradeHarness, name: string): Promise<void> {
  const res = await fetch(
    `${h.api.url}/apis/argoproj.io/v1alpha1/namespaces/${NS}/applications/${name}`,
    {
      method: 'DELETE',
    },
  );
  expect(res.status).toBe(200);
}

async function deleteUpgrade(h: UpgradeHarness, name: string): Promise<void> {
  const res = await fetch(
    `${h.api.url}/apis/argocd-eks-plugins.io/v1alpha1/namespaces/${NS}/clusterupgrades/${name}`,
    { method: 'DELETE' },
  );
  expect(res.status).toBe(200);
}
