/**
 * The reply body is built fragment by fragment into a Buffer; these pin it to the bytes JSON.stringify gives for
 * the whole reply object (what the contract tests and vectors decode and compare).
 */
import { clusterToParams } from '../core/cluster';
import { InputError, NotReadyError } from '../core/errors';
import { silentLogger } from '../core/logger';
import type { FleetSnapshot } from '../core/snapshot';
import {
  aClusterRecord,
  loadExampleAddonDefaults,
  loadExampleFleet,
} from '../test/helpers/generator';
import { staticSource } from '../test/helpers/generator';
import { parseClusterQuery } from '../core/fleet-query/cluster-query';
import { minorVersion, selectClusters } from '../core/fleet-query/select';
import { generateParamsBody } from './generate-params';
import { createFleetRegistry } from './snapshot/fleet-snapshots';

async function snapshotOf(
  records = loadExampleFleet(),
  addons = loadExampleAddonDefaults(),
): Promise<FleetSnapshot> {
  const registry = createFleetRegistry({
    source: staticSource(records, addons),
    log: silentLogger,
  });
  await registry.refresh();
  return registry.servingSnapshot();
}

/** The reply as a single JSON.stringify of the whole object. */
function reference(snapshot: FleetSnapshot, parameters: Record<string, unknown>): string {
  const q = parseClusterQuery(parameters);
  const sets = selectClusters(snapshot, q).map((c) => {
    const params = clusterToParams(c);
    if (!q.addons) return params;
    const forVersion = snapshot.addonDefaults[minorVersion(c.aws.version)] ?? {};
    return { ...params, addons: Object.fromEntries(q.addons.map((n) => [n, forVersion[n] ?? ''])) };
  });
  return JSON.stringify({ output: { parameters: q.flatList ? [{ clusters: sets }] : sets } });
}

describe('generateParamsBody', () => {
  test.each<[string, Record<string, unknown>]>([
    ['no parameters', {}],
    ['selector', { selector: { matchLabels: { env: 'prod' } } }],
    ['nothing selected', { selector: { matchLabels: { env: 'nowhere' } } }],
    ['flat list', { flatList: true }],
    ['flat list, nothing selected', { flatList: true, names: ['no-such-cluster'] }],
    ['add-ons', { addons: ['vpc-cni', 'coredns'] }],
    ['add-ons, flat list', { addons: ['vpc-cni'], flatList: true }],
    [
      'every status',
      { statuses: ['ACTIVE', 'CREATING', 'UPDATING', 'DELETING', 'FAILED', 'PENDING'] },
    ],
  ])('%s: exactly the bytes of JSON.stringify(reply)', async (_case, parameters) => {
    const snapshot = await snapshotOf();
    const body = generateParamsBody(snapshot, parseClusterQuery(parameters));
    expect(body.toString('utf8')).toBe(reference(snapshot, parameters));
    expect(body.equals(Buffer.from(reference(snapshot, parameters)))).toBe(true);
  });

  test('non-ASCII tags and characters JSON escapes are encoded the same way', async () => {
    const snapshot = await snapshotOf(
      [
        aClusterRecord({
          clusterName: 'unicode',
          tags: { owner: 'Zoë <ops@example.com> "quoted" \\ back\nslash ✓ 🚀', team: 'ünï' },
        }),
        aClusterRecord({ clusterName: 'plain' }),
      ],
      {},
    );
    const body = generateParamsBody(snapshot, parseClusterQuery({}));
    expect(body.equals(Buffer.from(reference(snapshot, {})))).toBe(true);
  });
});

describe('add-on defaults of a Kubernetes version never looked up', () => {
  const fleet = () => [
    aClusterRecord({ clusterName: 'old', version: '1.30', tags: { env: 'prod' } }),
    aClusterRecord({ clusterName: 'new', version: '1.31', tags: { env: 'dev' } }),
    aClusterRecord({ clusterName: 'newer', version: '1.32', tags: { env: 'dev' } }),
  ];
  const known = { '1.30': { 'vpc-cni': 'v1.18.3-eksbuild.1' } };

  test('a request for add-ons selecting such a cluster is refused as not ready (503), naming the versions', async () => {
    const snapshot = await snapshotOf(fleet(), known);
    const run = () => generateParamsBody(snapshot, parseClusterQuery({ addons: ['vpc-cni'] }));
    expect(run).toThrow(NotReadyError);
    expect(run).toThrow(
      'no add-on defaults for Kubernetes 1.31, 1.32 (not looked up yet, or not in the fleet file)',
    );
  });

  test('with no defaults at all it is still not ready, not an unknown add-on', async () => {
    const snapshot = await snapshotOf(fleet(), {});
    expect(() => generateParamsBody(snapshot, parseClusterQuery({ addons: ['vpc-cni'] }))).toThrow(
      new NotReadyError(
        'no add-on defaults for Kubernetes 1.30, 1.31, 1.32 (not looked up yet, or not in the fleet file)',
      ),
    );
  });

  test('requests without add-ons, or selecting only known versions, are answered', async () => {
    const snapshot = await snapshotOf(fleet(), known);
    expect(generateParamsBody(snapshot, parseClusterQuery({})).toString()).toBe(
      reference(snapshot, {}),
    );
    const prodOnly = { addons: ['vpc-cni'], selector: { matchLabels: { env: 'prod' } } };
    expect(generateParamsBody(snapshot, parseClusterQuery(prodOnly)).toString()).toBe(
      reference(snapshot, prodOnly),
    );
  });

  test('an unknown add-on name is still a 400 once every selected version is known', async () => {
    const snapshot = await snapshotOf(fleet().slice(0, 1), known);
    expect(() =>
      generateParamsBody(snapshot, parseClusterQuery({ addons: ['no-such-addon'] })),
    ).toThrow(InputError);
  });
});

describe('names globs are bounded in total work per request', () => {
  const fleet = () =>
    Array.from({ length: 1000 }, (_, i) =>
      aClusterRecord({ clusterName: `payments-${String(i).padStart(4, '0')}` }),
    );

  test('globs whose matching against this fleet could burn seconds are a 400 naming the parameter', async () => {
    const snapshot = await snapshotOf(fleet(), {});
    // 1,000 distinct globs that fit the names, so no cheap check rejects them before the walk.
    const names = Array.from({ length: 1000 }, (_, i) => `*p*a*y*m*e*n*t*s*${i}*Z*`);
    expect(() => generateParamsBody(snapshot, parseClusterQuery({ names }))).toThrow(InputError);
    expect(() => generateParamsBody(snapshot, parseClusterQuery({ names }))).toThrow(
      /^input\.parameters\.names: 1000 globs with wildcards \(\d+ characters in all\) against the names of 1000 clusters exceed the matching budget/,
    );
  });

  test('exact names cost nothing, however many; a few ordinary globs are far inside the budget', async () => {
    const snapshot = await snapshotOf(fleet(), {});
    const exact = Array.from({ length: 1000 }, (_, i) => `payments-${String(i).padStart(4, '0')}`);
    expect(
      JSON.parse(generateParamsBody(snapshot, parseClusterQuery({ names: exact })).toString())
        .output.parameters,
    ).toHaveLength(1000);
    const globs = ['payments-00??', '*-09*', 'payments-1*'];
    const body = generateParamsBody(snapshot, parseClusterQuery({ names: globs })).toString();
    expect(JSON.parse(body).output.parameters).toHaveLength(100 + 100 + 0);
  });
});
