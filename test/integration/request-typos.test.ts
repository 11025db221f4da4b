/**
 * A typo in a request's `regions`/`region` or `accountIds` is a 400 naming the value, never a 200 with no
 * clusters (Argo CD would delete the ApplicationSet's Applications). What is covered comes from the configured
 * sources: every account × region target of EKS discovery, even one with no cluster yet; for the fleet file, the
 * regions and accounts of its clusters. A label selector matching nothing stays a 200 with an empty list.
 */
import request from 'supertest';
import { silentLogger } from '../../core/logger';
import { createApp, GET_PARAMS_PATH } from '../../generator-service/app';
import { createServiceMetrics } from '../../generator-service/metrics';
import {
  createFleetRegistry,
  type FleetRegistry,
} from '../../generator-service/snapshot/fleet-snapshots';
import type { EksHarness } from '../fakes/aws/eks-harness';
import { addAll, clusters, startEksHarness } from '../fakes/aws/eks-harness';
import { loadExampleFleet, startGenerator, type StartedGenerator } from '../helpers/generator';

const TOKEN = 'typo-test-token';
const HOME = '111111111111';
const SPOKE = '222222222222';
const ROLE = `arn:aws:iam::${SPOKE}:role/eks-discovery`;

interface Answer {
  status: number;
  body: { message?: string; code?: string; output?: { parameters: { name: string }[] } };
}

describe('on EKS discovery (configured targets: both accounts × us-east-1, eu-west-1)', () => {
  let h: EksHarness;
  let registry: FleetRegistry;

  beforeAll(async () => {
    h = await startEksHarness(
      { EKS_REGIONS: 'us-east-1,eu-west-1', EKS_ASSUME_ROLE_ARNS: ROLE },
      {
        homeAccount: HOME,
        fleet: (fake) => {
          addAll(fake, HOME, 'us-east-1', clusters('hub', 2, { env: 'prod' }));
          addAll(fake, SPOKE, 'eu-west-1', clusters('spoke', 2, { env: 'dev' }));
        },
      },
    );
    registry = createFleetRegistry({ source: h.source, log: silentLogger });
    await registry.refresh();
  });
  afterAll(async () => {
    await registry.stop();
    await h.close();
  });

  const getParams = async (parameters: Record<string, unknown>): Promise<Answer> => {
    const app = createApp({
      registry,
      tokens: { current: () => TOKEN },
      log: silentLogger,
      metrics: createServiceMetrics(),
    });
    const res = await request(app)
      .post(GET_PARAMS_PATH)
      .set('Authorization', `Bearer ${TOKEN}`)
      .send({ applicationSetName: 'set', input: { parameters } });
    return { status: res.status, body: res.body as Answer['body'] };
  };

  test('a region no target covers is a 400 naming the parameter, the value and what is covered', async () => {
    const r = await getParams({ regions: ['eu-west-1', 'eu-wset-1'] });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('ERR_INPUT');
    expect(r.body.message).toBe(
      'input.parameters.regions: "eu-wset-1" is not a region of any configured cluster source (covered: eu-west-1, us-east-1)',
    );
  });

  test('the region alias is named as written', async () => {
    const r = await getParams({ region: 'us-east-2' });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^input\.parameters\.region: "us-east-2" is not a region/);
  });

  test('an account no target covers is a 400 naming it', async () => {
    const r = await getParams({ accountIds: ['333333333333'] });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      `input.parameters.accountIds: "333333333333" is not an account of any configured cluster source (covered: ${HOME}, ${SPOKE})`,
    );
  });

  test('a configured account × region with no cluster yet is covered: 200 with an empty list', async () => {
    const r = await getParams({ accountIds: [SPOKE], regions: ['us-east-1'] });
    expect(r.status).toBe(200);
    expect(r.body.output?.parameters).toEqual([]);
  });

  test('a label selector matching no cluster stays a 200 with an empty list', async () => {
    const r = await getParams({ selector: { matchLabels: { env: 'brand-new' } } });
    expect(r.status).toBe(200);
    expect(r.body.output?.parameters).toEqual([]);
  });
});

describe('on the fleet file (covered: the regions and accounts of its clusters)', () => {
  let gen: StartedGenerator;
  beforeAll(async () => {
    gen = await startGenerator({ records: loadExampleFleet(), token: TOKEN });
  });
  afterAll(() => gen.close());

  const getParams = async (parameters: Record<string, unknown>): Promise<Answer> => {
    const res = await fetch(`${gen.url}${GET_PARAMS_PATH}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ applicationSetName: 'set', input: { parameters } }),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };

  test('a region none of its clusters is in is a 400; one it lists answers its clusters', async () => {
    const typo = await getParams({ regions: ['sa-east-1'] });
    expect(typo.status).toBe(400);
    expect(typo.body.message).toContain(
      '"sa-east-1" is not a region of any configured cluster source',
    );
    expect(typo.body.message).toContain('covered: ap-southeast-2, eu-west-1, us-east-1');

    const listed = await getParams({ regions: ['ap-southeast-2'] });
    expect(listed.status).toBe(200);
    expect(listed.body.output?.parameters.length).toBeGreaterThan(0);
  });

  test('typos in both parameters are reported at once', async () => {
    const r = await getParams({ regions: ['eu-west-9'], accountIds: ['999999999999'] });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('input.parameters.regions: "eu-west-9"');
    expect(r.body.message).toContain('input.parameters.accountIds: "999999999999"');
  });

  test('a label selector matching no cluster stays a 200 with an empty list', async () => {
    const r = await getParams({ selector: { matchLabels: { env: 'brand-new' } } });
    expect(r.status).toBe(200);
    expect(r.body.output?.parameters).toEqual([]);
  });
});
