import type { SourcePart } from '../../core/snapshot';
import { part } from '../../test/fakes/kube-api/fleet-feed';
import type { DesiredSecret } from './desired';
import {
  INSTALLATION_LABEL,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  REGISTRAR_ANNOTATIONS,
  SECRET_TYPE_LABEL,
} from './desired';
import type { ActualSecret, KeepReason } from './plan';
import { planReconcile } from './plan';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const owned = {
  [SECRET_TYPE_LABEL]: 'cluster',
  [MANAGED_BY_LABEL]: MANAGED_BY,
  [INSTALLATION_LABEL]: 'default',
};

function desired(name: string, server = `https://${name}.example.com`): DesiredSecret {
  return {
    name,
    server,
    labels: { ...owned, env: 'dev' },
    annotations: {
      [REGISTRAR_ANNOTATIONS.accountId]: ACCOUNT,
      [REGISTRAR_ANNOTATIONS.region]: REGION,
      [REGISTRAR_ANNOTATIONS.sourcePart]: `eks:${ACCOUNT}/${REGION}`,
    },
    data: { name, server, config: '{}' },
  };
}

function actual(d: DesiredSecret, changes: Partial<ActualSecret> = {}): ActualSecret {
  return { ...d, resourceVersion: '7', ...changes };
}

function plan(input: {
  desired?: DesiredSecret[];
  actual?: ActualSecret[];
  parts?: SourcePart[];
  prune?: boolean;
  inSnapshot?: string[];
  installationId?: string;
  fleetReadFailing?: boolean;
}) {
  const d = input.desired ?? [];
  return planReconcile({
    desired: d,
    actual: input.actual ?? [],
    parts: input.parts ?? [part(ACCOUNT, REGION)],
    prune: input.prune ?? true,
    installationId: input.installationId ?? 'default',
    fleetReadFailing: input.fleetReadFailing ?? false,
    inSnapshot: new Set([...d.map((x) => x.name), ...(input.inSnapshot ?? [])]),
  });
}

describe('planReconcile', () => {
  const a = desired('a');

  it('creates what is missing and leaves what matches', () => {
    const p = plan({ desired: [a, desired('b')], actual: [actual(desired('b'))] });
    expect(p.create.map((x) => x.name)).toEqual(['a']);
    expect(p.unchanged).toEqual(['b']);
    expect([p.update, p.delete, p.conflicts, p.keep]).toEqual([[], [], [], []]);
  });

  it.each([
    ['a label added by hand', { labels: { ...a.labels, extra: 'x' } }],
    ['a label removed', { labels: owned }],
    ['an annotation changed', { annotations: { ...a.annotations, note: 'x' } }],
    ['data changed', { data: { ...a.data, config: '{"x":1}' } }],
    ['a data key added', { data: { ...a.data, shard: '1' } }],
  ])('updates an owned Secret with %s', (_what, changes) => {
    const p = plan({ desired: [a], actual: [actual(a, changes)] });
    expect(p.update.map((u) => [u.desired.name, u.actual.resourceVersion])).toEqual([['a', '7']]);
  });

  it('never plans a write to a Secret without the ownership label', () => {
    const foreign = actual(desired('a', 'https://other'), {
      labels: { [SECRET_TYPE_LABEL]: 'cluster' },
    });
    const p = plan({ desired: [a], actual: [foreign] });
    expect(p.conflicts).toEqual([
      {
        kind: 'name-taken',
        desired: 'a',
        foreign: 'a',
        owner: { kind: 'foreign' },
        server: a.server,
      },
    ]);
    expect([p.create, p.update, p.delete]).toEqual([[], [], []]);
  });

  it('reports a foreign Secret for the same server (trailing slash ignored) and registers nothing for it', () => {
    const foreign = actual(desired('by-hand', `${a.server}/`), {
      labels: { [SECRET_TYPE_LABEL]: 'cluster' },
    });
    const ours = actual(a, { data: { ...a.data, config: 'old' } });
    const p = plan({ desired: [a], actual: [foreign, ours] });
    expect(p.conflicts).toEqual([
      {
        kind: 'foreign-server',
        desired: 'a',
        foreign: 'by-hand',
        owner: { kind: 'foreign' },
        server: a.server,
      },
    ]);
    expect([p.create, p.update, p.delete]).toEqual([[], [], []]);
  });

  const gone = actual(desired('gone'));
  it.each<
    [
      string,
      { parts?: SourcePart[]; prune?: boolean; inSnapshot?: string[]; fleetReadFailing?: boolean },
      KeepReason | 'delete',
    ]
  >([
    ['its part listed successfully, prune on', {}, 'delete'],
    ['prune off', { prune: false }, 'prune-disabled'],
    [
      'the last fleet read refused (split registrar)',
      { fleetReadFailing: true },
      'fleet-read-failing',
    ],
    ['its part failing', { parts: [part(ACCOUNT, REGION, { failing: true })] }, 'part-failing'],
    [
      'its part never loaded',
      { parts: [part(ACCOUNT, REGION, { neverLoaded: true })] },
      'part-failing',
    ],
    ['its part not in the snapshot', { parts: [part('222222222222', REGION)] }, 'part-unknown'],
    [
      'the cluster still in the snapshot but not registrable',
      { inSnapshot: ['gone'] },
      'cluster-not-registrable',
    ],
  ])('an owned Secret whose cluster is not desired, with %s: %s', (_what, opts, expected) => {
    const p = plan({ desired: [a], actual: [actual(a), gone], ...opts });
    if (expected === 'delete') {
      expect(p.delete.map((x) => x.name)).toEqual(['gone']);
      expect(p.keep).toEqual([]);
    } else {
      expect(p.delete).toEqual([]);
      expect(p.keep).toEqual([{ name: 'gone', reason: expected }]);
    }
  });

  it('finds the part by account and region when the part id is not recorded', () => {
    const annotations = { ...gone.annotations };
    delete annotations[REGISTRAR_ANNOTATIONS.sourcePart];
    const p = plan({ actual: [{ ...gone, annotations }] });
    expect(p.delete.map((x) => x.name)).toEqual(['gone']);
  });

  it('an empty snapshot with failing parts deletes nothing', () => {
    const p = plan({
      actual: [gone, actual(a)],
      parts: [part(ACCOUNT, REGION, { failing: true })],
    });
    expect(p.delete).toEqual([]);
  });

  it('never deletes foreign Secrets', () => {
    const foreign = actual(desired('by-hand'), { labels: { [SECRET_TYPE_LABEL]: 'cluster' } });
    expect(plan({ actual: [foreign] })).toMatchObject({ delete: [], keep: [] });
  });

  describe('installations', () => {
    const ofInstallation = (s: ActualSecret, id: string | undefined): ActualSecret => {
      const labels: Record<string, string> = { ...s.labels };
      if (id === undefined) delete labels[INSTALLATION_LABEL];
      else labels[INSTALLATION_LABEL] = id;
      return { ...s, labels };
    };
    const green = (d: DesiredSecret): DesiredSecret => ({
      ...d,
      labels: { ...d.labels, [INSTALLATION_LABEL]: 'green' },
    });

    it("never writes or deletes another installation's Secret, and reports the one in its way", () => {
      const blueA = ofInstallation(actual(a), 'blue');
      const blueGone = ofInstallation(gone, 'blue');
      const p = plan({ desired: [green(a)], actual: [blueA, blueGone], installationId: 'green' });
      expect(p.conflicts).toEqual([
        {
          kind: 'foreign-server',
          desired: 'a',
          foreign: 'a',
          owner: { kind: 'other-installation', id: 'blue' },
          server: a.server,
        },
      ]);
      expect([p.create, p.update, p.delete, p.keep]).toEqual([[], [], [], []]);
    });

    it('reports a name held by another installation for another server as name-taken', () => {
      const blue = ofInstallation(actual(desired('a', 'https://elsewhere')), 'blue');
      const p = plan({ desired: [green(a)], actual: [blue], installationId: 'green' });
      expect(p.conflicts).toMatchObject([
        { kind: 'name-taken', owner: { kind: 'other-installation', id: 'blue' } },
      ]);
      expect([p.create, p.update, p.delete]).toEqual([[], [], []]);
    });

    it('the default installation adopts Secrets written before installation ids (update adds the label) and prunes them as its own', () => {
      const legacyA = ofInstallation(actual(a), undefined);
      const legacyGone = ofInstallation(gone, undefined);
      const p = plan({ desired: [a], actual: [legacyA, legacyGone] });
      expect(p.update.map((u) => u.desired.labels[INSTALLATION_LABEL])).toEqual(['default']);
      expect(p.delete.map((x) => x.name)).toEqual(['gone']);
      expect(p.conflicts).toEqual([]);
    });

    it('another installation leaves those pre-id Secrets to the default one', () => {
      const legacyA = ofInstallation(actual(a), undefined);
      const legacyGone = ofInstallation(gone, undefined);
      const p = plan({
        desired: [green(a)],
        actual: [legacyA, legacyGone],
        installationId: 'green',
      });
      expect(p.conflicts).toMatchObject([
        { kind: 'foreign-server', owner: { kind: 'other-installation', id: 'default' } },
      ]);
      expect([p.create, p.update, p.delete, p.keep]).toEqual([[], [], [], []]);
    });
  });
});
