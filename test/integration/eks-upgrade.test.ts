/**
 * A cluster being upgraded stays in every answer: the real registry and HTTP app on the EKS source, the source on
 * the real SDK, the SDK on the HTTP fake, while the fake walks one cluster through the statuses EKS reports during
 * UpdateClusterVersion (UPDATING) and a failed update (FAILED). Argo CD deletes the Applications of a cluster that
 * leaves a 200 answer, so no answer in between may lack it.
 */
import request from 'supertest';
import { silentLogger } from '../../core/logger';
import { createApp, GET_PARAMS_PATH } from '../../generator-service/app';
import { createServiceMetrics } from '../../generator-service/metrics';
import type { FleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import { createFleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import type { FakeCluster } from '../fakes/aws/fleet';
import type { EksHarness } from '../fakes/aws/eks-harness';
import { addAll, clusters, startEksHarness } from '../fakes/aws/eks-harness';

const HOME = '111111111111';
const TOKEN = 'eks-upgrade-test-token';
const FLEET = clusters('hub', 3, { env: 'prod' }, { version: '1.29' });
const UPGRADED = FLEET[1] as FakeCluster;

let h: EksHarness;
let registry: FleetRegistry;

beforeEach(async () => {
  h = await startEksHarness(
    { EKS_REGIONS: 'us-east-1', EKS_ENROLL_SELECTOR: 'argocd=enabled' },
    { homeAccount: HOME, fleet: (fake) => addAll(fake, HOME, 'us-east-1', FLEET) },
  );
  registry = createFleetRegistry({
    source: h.source,
    log: silentLogger,
    metrics: createServiceMetrics(),
  });
});

afterEach(async () => {
  await registry.stop();
  await h.close();
});

type ParamSet = { name: string; aws: { status: string; version: string } };

/** What Argo CD's default request (no statuses) gets: every parameter set. */
async function answer(): Promise<ParamSet[]> {
  const res = await request(
    createApp({
      registry,
      tokens: { current: () => TOKEN },
      log: silentLogger,
      metrics: createServiceMetrics(),
    }),
  )
    .post(GET_PARAMS_PATH)
    .set('Authorization', `Bearer ${TOKEN}`)
    .send({
      applicationSetName: 'fleet',
      input: { parameters: { selector: { matchLabels: { env: 'prod' } } } },
    });
  expect(res.status).toBe(200);
  return (res.body as { output: { parameters: ParamSet[] } }).output.parameters;
}

/** Moves the cluster to `status` (and `version`) in the fake EKS, refreshes, and returns the answer. */
async function after(
  status: NonNullable<FakeCluster['status']>,
  version = '1.29',
): Promise<ParamSet[]> {
  h.fake.addCluster(HOME, 'us-east-1', { ...UPGRADED, status, version });
  await registry.refresh();
  return answer();
}

const names = (sets: ParamSet[]) => sets.map((p) => p.name);
const upgraded = (sets: ParamSet[]) => sets.find((p) => p.name === UPGRADED.name)?.aws;

describe('a cluster being upgraded stays in every answer', () => {
  it('ACTIVE → UPDATING → ACTIVE (UpdateClusterVersion 1.29 → 1.30)', async () => {
    await registry.refresh();
    const before = await answer();
    expect(names(before)).toEqual(['hub-000', 'hub-001', 'hub-002']);

    const updating = await after('UPDATING');
    expect(names(updating)).toEqual(names(before));
    expect(upgraded(updating)).toMatchObject({ status: 'UPDATING', version: '1.29' });

    const updatingLonger = await after('UPDATING');
    expect(names(updatingLonger)).toEqual(names(before));

    const done = await after('ACTIVE', '1.30');
    expect(names(done)).toEqual(names(before));
    expect(upgraded(done)).toMatchObject({ status: 'ACTIVE', version: '1.30' });
  });

  it('ACTIVE → FAILED → ACTIVE: the failed update is answered with the last good parameters', async () => {
    await registry.refresh();
    const before = await answer();

    const failed = await after('FAILED', '1.30');
    expect(names(failed)).toEqual(names(before));
    expect(upgraded(failed)).toEqual(upgraded(before));

    const failedStill = await after('FAILED', '1.30');
    expect(names(failedStill)).toEqual(names(before));

    const recovered = await after('ACTIVE', '1.30');
    expect(names(recovered)).toEqual(names(before));
    expect(upgraded(recovered)).toMatchObject({ status: 'ACTIVE', version: '1.30' });
  });

  it('DELETING leaves the default answer at once', async () => {
    await registry.refresh();
    const deleting = await after('DELETING');
    expect(names(deleting)).toEqual(['hub-000', 'hub-002']);
  });
});
