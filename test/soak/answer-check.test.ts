/**
 * The soak's judge, judged: it must accept answers that show a fleet state the fake had, and reject a shortened
 * list, a list going back to an older fleet, clusters that must not be served, and 503s outside the designed
 * window or without the designed body. Runs in the normal suite (no service, no load).
 */
import { AwsFake } from '../fakes/aws/aws-fake';
import { AnswerChecker } from './answer-check';
import { FleetModel, HOME_ACCOUNT } from './fleet-model';
import type { Answer } from './load-driver';
import type { QuerySpec } from './queries';

let fake: AwsFake;
beforeAll(async () => {
  fake = await AwsFake.start({ homeAccount: HOME_ACCOUNT });
});
afterAll(() => fake.close());

const ALL: QuerySpec = { id: 'all', parameters: {}, matches: () => true };
const specs = new Map([[ALL.id, ALL]]);

function body(names: readonly string[], fleet: FleetModel): Buffer {
  const parameters = names.map((name) => ({
    name,
    nameNormalized: name,
    server: `https://${name}.example`,
    project: 'default',
    metadata: {},
    aws: { region: fleet.metaOf(name)?.region ?? 'us-east-1', accountId: HOME_ACCOUNT },
    clusterContext: '{}',
  }));
  return Buffer.from(JSON.stringify({ output: { parameters } }));
}

function visibleNames(fleet: FleetModel, generation: number): string[] {
  const g = fleet.generations[generation];
  return [...(g?.visible.values() ?? [])].flatMap((s) => [...s]).sort();
}

let seq = 0;
function answer(
  checker: AnswerChecker,
  at: { sentAt: number; answeredAt: number },
  reply:
    { status: 200; names: readonly string[]; fleet: FleetModel } | { status: number; text: string },
): Answer {
  const a: Answer = {
    seq: seq++,
    specId: ALL.id,
    scheduledAt: at.sentAt,
    sentAt: at.sentAt,
    answeredAt: at.answeredAt,
    status: reply.status,
    gzip: false,
    hash: undefined,
    encoding: undefined,
    text: undefined,
    bytes: 0,
  };
  if ('names' in reply) {
    a.hash = `h${a.seq}`;
    checker.digest(ALL, a.hash, body(reply.names, reply.fleet));
  } else {
    a.text = reply.text;
  }
  return a;
}

/** A fleet with generation 0 at t=1000 and generation 1 (4 clusters removed from eu-west-1) at t=2000. */
function fleetWithTwoGenerations(): FleetModel {
  let t = 1000;
  const fleet = new FleetModel(fake, () => t);
  t = 2000;
  fleet.apply({ label: '-4 eu-west-1', remove: { 'eu-west-1': 4 } });
  return fleet;
}

const STALE = JSON.stringify({
  message: 'cluster source parts too stale to serve (limit 20s): eks:111111111111/eu-west-1 (...)',
  code: 'ERR_NOT_READY',
});

describe('soak answer check', () => {
  it('accepts each real fleet state, and the old state while the change is not yet listed', () => {
    const fleet = fleetWithTwoGenerations();
    const checker = new AnswerChecker(fleet, specs);
    const report = checker.check(
      [
        answer(
          checker,
          { sentAt: 1500, answeredAt: 1501 },
          { status: 200, names: visibleNames(fleet, 0), fleet },
        ),
        answer(
          checker,
          { sentAt: 2500, answeredAt: 2501 },
          { status: 200, names: visibleNames(fleet, 0), fleet },
        ),
        answer(
          checker,
          { sentAt: 3000, answeredAt: 3001 },
          { status: 200, names: visibleNames(fleet, 1), fleet },
        ),
      ],
      0,
      { outageStartedAt: undefined, recoveredAt: undefined },
    );
    expect(report.violations).toEqual([]);
    expect(report.exact200).toBe(3);
  });

  it.each([
    ['one cluster dropped', (n: string[]) => n.slice(1), /not a fleet state/],
    ['an empty list', () => [], /not a fleet state/],
    ['a cluster the fake never had', (n: string[]) => [...n, 'use1-999'], /never had/],
    ['a cluster that is not enrolled', (n: string[]) => [...n, 'use1-024'], /not enrolled/],
    ['a cluster twice', (n: string[]) => [...n, n[0] ?? ''], /listed twice/],
  ])('rejects a 200 with %s', (_, edit, why) => {
    const fleet = fleetWithTwoGenerations();
    const checker = new AnswerChecker(fleet, specs);
    const names = edit(visibleNames(fleet, 1));
    const report = checker.check(
      [answer(checker, { sentAt: 3000, answeredAt: 3001 }, { status: 200, names, fleet })],
      0,
      { outageStartedAt: undefined, recoveredAt: undefined },
    );
    // One violation per region at fault.
    expect(report.violations).not.toHaveLength(0);
    expect(report.violations.map((v) => v.what)).toEqual(
      report.violations.map(() => expect.stringMatching(why)),
    );
    expect(report.ok200).toBe(0);
  });

  it('rejects a state newer than the answer (the change had not happened yet)', () => {
    const fleet = fleetWithTwoGenerations();
    const checker = new AnswerChecker(fleet, specs);
    const report = checker.check(
      [
        answer(
          checker,
          { sentAt: 1500, answeredAt: 1501 },
          { status: 200, names: visibleNames(fleet, 1), fleet },
        ),
      ],
      0,
      { outageStartedAt: undefined, recoveredAt: undefined },
    );
    expect(report.violations[0]?.what).toMatch(/not a fleet state of generations 0\.\.0/);
  });

  it('rejects going back to an older fleet after a newer one was served', () => {
    const fleet = fleetWithTwoGenerations();
    const checker = new AnswerChecker(fleet, specs);
    const report = checker.check(
      [
        answer(
          checker,
          { sentAt: 3000, answeredAt: 3001 },
          { status: 200, names: visibleNames(fleet, 1), fleet },
        ),
        answer(
          checker,
          { sentAt: 3002, answeredAt: 3003 },
          { status: 200, names: visibleNames(fleet, 0), fleet },
        ),
      ],
      0,
      { outageStartedAt: undefined, recoveredAt: undefined },
    );
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0]?.what).toMatch(/went back/);
  });

  it('accepts a staleness 503 only between the outage start and the recovery', () => {
    const fleet = fleetWithTwoGenerations();
    const checker = new AnswerChecker(fleet, specs);
    const window = { outageStartedAt: 5000, recoveredAt: 9000 };
    const report = checker.check(
      [
        answer(checker, { sentAt: 4000, answeredAt: 4001 }, { status: 503, text: STALE }),
        answer(checker, { sentAt: 6000, answeredAt: 6001 }, { status: 503, text: STALE }),
        answer(checker, { sentAt: 8999, answeredAt: 9500 }, { status: 503, text: STALE }),
        answer(checker, { sentAt: 9001, answeredAt: 9002 }, { status: 503, text: STALE }),
      ],
      0,
      window,
    );
    expect(report.designed503).toBe(2);
    expect(report.violations.map((v) => v.what)).toEqual([
      expect.stringMatching(/outside the designed staleness window/),
      expect.stringMatching(/outside the designed staleness window/),
    ]);
  });

  it.each([
    ['another status', 500, '{"message":"internal"}', /status 500/],
    [
      'a 503 that is not about staleness',
      503,
      '{"message":"busy","code":"ERR_NOT_READY"}',
      /not a staleness refusal/,
    ],
    [
      'a 503 with extra keys',
      503,
      '{"message":"too stale","code":"ERR_NOT_READY","stack":"x"}',
      /unexpected keys stack/,
    ],
    ['a 503 that is not JSON', 503, 'Service Unavailable', /not JSON/],
    ['no answer at all', 0, 'read ECONNRESET', /no answer/],
  ])('rejects %s', (_, status, text, why) => {
    const fleet = fleetWithTwoGenerations();
    const checker = new AnswerChecker(fleet, specs);
    const report = checker.check(
      [answer(checker, { sentAt: 6000, answeredAt: 6001 }, { status, text })],
      0,
      { outageStartedAt: 5000, recoveredAt: 9000 },
    );
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0]?.what).toMatch(why);
  });
});
