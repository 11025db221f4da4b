/**
 * CLUSTER_SOURCE=eks seen from Argo CD: the real registry and HTTP app on the EKS source, the source on the
 * real SDK, the SDK on the HTTP fake. 503 before every target has listed, the full fleet after, the same
 * answer while a region is down, 503 once a failing target is older than EKS_MAX_STALE_SECONDS, and no
 * AWS call made by any request.
 */
import request from 'supertest';
import { silentLogger } from '../../core/logger';
import { createApp, GET_PARAMS_PATH } from '../../generator-service/app';
import { createServiceMetrics } from '../../generator-service/metrics';
import type { FleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import { createFleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import type { EksHarness } from '../fakes/aws/eks-harness';
import { addAll, clusters, startEksHarness } from '../fakes/aws/eks-harness';

const HOME = '111111111111';
const SPOKE = '222222222222';
const ROLE = `arn:aws:iam::${SPOKE}:role/eks-discovery`;
const TOKEN = 'eks-generator-test-token';

let h: EksHarness;
let registry: FleetRegistry;
let skewMs = 0;

beforeEach(async () => {
  h = await startEksHarness(
    {
      EKS_REGIONS: 'us-east-1,eu-west-1',
      EKS_ASSUME_ROLE_ARNS: ROLE,
      EKS_ENROLL_SELECTOR: 'argocd=enabled',
      EKS_MAX_STALE_SECONDS: '900',
    },
    {
      homeAccount: HOME,
      fleet: (fake) => {
        addAll(fake, HOME, 'us-east-1', clusters('hub', 2, { env: 'prod' }, { version: '1.29' }));
        addAll(fake, HOME, 'eu-west-1', clusters('edge', 3, { env: 'dev' }));
        addAll(fake, SPOKE, 'eu-west-1', clusters('spoke', 4, { env: 'prod' }));
      },
    },
  );
  skewMs = 0;
  registry = createFleetRegistry({
    source: h.source,
    log: silentLogger,
    metrics: createServiceMetrics(),
    now: () => Date.now() + skewMs,
  });
});

afterEach(async () => {
  await registry.stop();
  await h.close();
});

function app() {
  return createApp({
    registry,
    tokens: { current: () => TOKEN },
    log: silentLogger,
    metrics: createServiceMetrics(),
  });
}

function getParams(parameters: Record<string, unknown> = {}) {
  return request(app())
    .post(GET_PARAMS_PATH)
    .set('Authorization', `Bearer ${TOKEN}`)
    .send({ applicationSetName: 'fleet', input: { parameters } });
}

type ParamSet = {
  name: string;
  aws: { accountId: string; region: string };
  addons?: Record<string, string>;
};

function names(body: unknown): string[] {
  return (body as { output: { parameters: ParamSet[] } }).output.parameters.map((p) => p.name);
}

describe('the generator on EKS discovery', () => {
  it('answers 503 naming the targets until every target has listed, then the whole fleet', async () => {
    const down = h.fake.addFault({
      match: { region: 'eu-west-1', op: 'ListClusters' },
      fault: { kind: 'error', status: 503, type: 'ServiceUnavailableException', message: 'down' },
    });
    await registry.refresh();

    const ready = await request(app()).get('/readyz');
    expect(ready.status).toBe(503);
    const refused = await getParams();
    expect(refused.status).toBe(503);
    expect(refused.body.message).toContain(`eks:${HOME}/eu-west-1`);
    expect(refused.body.message).toContain(`eks:${ROLE}/eu-west-1`);

    down();
    await registry.refresh();
    expect((await request(app()).get('/readyz')).status).toBe(200);
    const ok = await getParams();
    expect(ok.status).toBe(200);
    expect(names(ok.body)).toEqual([
      'edge-000',
      'edge-001',
      'edge-002',
      'hub-000',
      'hub-001',
      'spoke-000',
      'spoke-001',
      'spoke-002',
      'spoke-003',
    ]);
    const spoke = (ok.body.output.parameters as ParamSet[]).find((p) => p.name === 'spoke-000');
    expect(spoke?.aws).toMatchObject({ accountId: SPOKE, region: 'eu-west-1' });
  });

  it('serves the same answer while a region is down, and 503 once that data is older than EKS_MAX_STALE_SECONDS', async () => {
    await registry.refresh();
    const before = await getParams();
    expect(before.status).toBe(200);

    h.fake.addFault({
      match: { region: 'eu-west-1' },
      fault: { kind: 'error', status: 503, type: 'ServiceUnavailableException', message: 'down' },
    });
    h.fake.removeCluster(SPOKE, 'eu-west-1', 'spoke-000'); // unseen while its region fails
    await registry.refresh();
    const during = await getParams();
    expect(during.status).toBe(200);
    expect(during.body).toEqual(before.body);

    skewMs = 901_000;
    const tooOld = await getParams();
    expect(tooOld.status).toBe(503);
    expect(tooOld.body.message).toMatch(/too stale/);
    expect(tooOld.body.message).toContain(`eks:${HOME}/eu-west-1`);

    skewMs = 0;
    h.fake.clearFaults();
    await registry.refresh();
    // Missing from one successful listing is not enough (FLEET_ABSENCE_REFRESHES, default 2).
    expect(names((await getParams()).body)).toContain('spoke-000');
    await registry.refresh();
    const after = await getParams();
    expect(after.status).toBe(200);
    expect(names(after.body)).not.toContain('spoke-000');
    expect(names(after.body)).toHaveLength(8);
  });

  it('gives each cluster the default add-on versions for its Kubernetes version', async () => {
    await registry.refresh();
    const res = await getParams({ addons: ['vpc-cni', 'coredns'] });
    expect(res.status).toBe(200);
    const sets = res.body.output.parameters as ParamSet[];
    expect(sets.find((p) => p.name === 'hub-000')?.addons).toEqual({
      'vpc-cni': 'v1.18.3-eksbuild.2',
      coredns: 'v1.11.1-eksbuild.9',
    });
    expect(sets.find((p) => p.name === 'edge-000')?.addons).toEqual({
      'vpc-cni': 'v1.18.3-eksbuild.2',
      coredns: 'v1.11.3-eksbuild.1',
    });
  });

  it('never calls AWS for a request: only load() does', async () => {
    await registry.refresh();
    h.fake.resetCalls();
    for (let i = 0; i < 20; i++) {
      const res = await getParams(
        i % 2 === 0 ? {} : { addons: ['kube-proxy'], regions: ['eu-west-1'] },
      );
      expect(res.status).toBe(200);
    }
    await request(app()).get('/readyz').expect(200);
    expect(h.fake.calls).toHaveLength(0);

    await registry.refresh();
    expect(h.fake.calls.length).toBeGreaterThan(0);
  });
});
