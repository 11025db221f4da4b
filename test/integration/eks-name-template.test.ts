/**
 * EKS_CLUSTER_NAME_TEMPLATE seen from Argo CD: clusters that share an EKS name in different regions or accounts
 * get distinct fleet-wide names from the template, and a cluster's `argocd-eks-plugins/name` tag still wins.
 * The real registry and HTTP app on the EKS source, the source on the real SDK, the SDK on the HTTP fake.
 */
import request from 'supertest';
import { silentLogger } from '../../core/logger';
import { createApp, GET_PARAMS_PATH } from '../../generator-service/app';
import { createServiceMetrics } from '../../generator-service/metrics';
import type { FleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import { createFleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import type { EksHarness } from '../fakes/aws/eks-harness';
import { startEksHarness } from '../fakes/aws/eks-harness';

const HOME = '111111111111';
const SPOKE = '222222222222';
const ROLE = `arn:aws:iam::${SPOKE}:role/eks-discovery`;
const TOKEN = 'eks-name-template-test-token';
const ENROLLED = { argocd: 'enabled' };

let h: EksHarness | undefined;
let registry: FleetRegistry | undefined;

afterEach(async () => {
  await registry?.stop();
  await h?.close();
  registry = undefined;
  h = undefined;
});

/** `prod` in us-east-1 and eu-west-1 of the home account, and in us-east-1 of the spoke account. */
async function start(template: string | undefined): Promise<ReturnType<typeof createApp>> {
  h = await startEksHarness(
    {
      EKS_REGIONS: 'us-east-1,eu-west-1',
      EKS_ASSUME_ROLE_ARNS: ROLE,
      EKS_ENROLL_SELECTOR: 'argocd=enabled',
      ...(template === undefined ? {} : { EKS_CLUSTER_NAME_TEMPLATE: template }),
    },
    {
      homeAccount: HOME,
      fleet: (fake) => {
        fake.addCluster(HOME, 'us-east-1', { name: 'prod', tags: ENROLLED });
        fake.addCluster(HOME, 'eu-west-1', { name: 'prod', tags: ENROLLED });
        fake.addCluster(SPOKE, 'us-east-1', {
          name: 'prod',
          tags: { ...ENROLLED, 'argocd-eks-plugins/name': 'payments-prod' },
        });
      },
    },
  );
  registry = createFleetRegistry({
    source: h.source,
    log: silentLogger,
    metrics: createServiceMetrics(),
  });
  await registry.refresh();
  return createApp({
    registry,
    tokens: { current: () => TOKEN },
    log: silentLogger,
    metrics: createServiceMetrics(),
  });
}

type ParamSet = { name: string; aws: { clusterName: string; region: string; accountId: string } };

async function getParams(app: ReturnType<typeof createApp>) {
  const res = await request(app)
    .post(GET_PARAMS_PATH)
    .set('Authorization', `Bearer ${TOKEN}`)
    .send({ applicationSetName: 'fleet', input: { parameters: {} } });
  return { status: res.status, sets: (res.body?.output?.parameters ?? []) as ParamSet[] };
}

describe('EKS_CLUSTER_NAME_TEMPLATE', () => {
  it('serves two clusters named prod in two regions under {clusterName}-{region}, the name tag still winning', async () => {
    const app = await start('{clusterName}-{region}');
    const { status, sets } = await getParams(app);
    expect(status).toBe(200);
    expect(
      sets.map((s) => [s.name, s.aws.accountId, s.aws.region, s.aws.clusterName]).sort(),
    ).toEqual([
      ['payments-prod', SPOKE, 'us-east-1', 'prod'],
      ['prod-eu-west-1', HOME, 'eu-west-1', 'prod'],
      ['prod-us-east-1', HOME, 'us-east-1', 'prod'],
    ]);
  });

  it('fills {accountId} too', async () => {
    const app = await start('{accountId}.{clusterName}.{region}');
    const { sets } = await getParams(app);
    expect(sets.map((s) => s.name).sort()).toEqual([
      `${HOME}.prod.eu-west-1`,
      `${HOME}.prod.us-east-1`,
      'payments-prod',
    ]);
  });

  it('defaults to the EKS cluster name', async () => {
    await start(undefined);
    const load = await h!.load();
    expect(load.records.map((r) => r.fleetName).sort()).toEqual(['prod', 'prod', 'prod']);
  });
});
