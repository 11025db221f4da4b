import { DEFAULT_STEPS, fillQuery, parseSpec } from './spec';

describe('parseSpec', () => {
  it('fills the defaults: steps 0-10-25-50-100, rollback on a failing gate, hold on a gate error', () => {
    expect(parseSpec({ group: 'checkout' })).toEqual({
      spec: {
        group: 'checkout',
        steps: DEFAULT_STEPS,
        bakeSeconds: 300,
        convergeSeconds: 1800,
        gates: [],
        onGateFailure: 'rollback',
        onGateError: 'hold',
      },
    });
  });

  it('reports every problem at once, each with its path', () => {
    const r = parseSpec({
      steps: [0, 50, 40],
      bakeSeconds: -1,
      onGateFailure: 'ignore',
      onGateError: 'rollback',
      gates: [
        { name: 'a', applications: { names: [] } },
        {
          name: 'b',
          prometheus: { query: 'x{c="{{cluster}}"}', operator: '==', threshold: 1, blueFactor: 2 },
        },
        { name: 'b', applications: { selector: { matchLabels: { a: 'b' } } } },
      ],
    });
    expect('issues' in r && r.issues).toEqual([
      'spec.group: required (the upgrade group tag value shared by blue and green)',
      'spec.steps: must rise strictly, got 0, 50, 40',
      'spec.steps: must end at 100 (all traffic on green), got 0, 50, 40',
      'spec.bakeSeconds: -1 is not an integer from 0 to 86400',
      'spec.onGateFailure: must be "rollback" or "hold", got "ignore"',
      'spec.onGateError: must be "hold" (an unreachable dependency never moves traffic), got "rollback"',
      'spec.gates[0].applications.names: must be a non-empty list of Application names',
      'spec.gates[1].prometheus.query: unknown placeholder {{cluster}} (name, color, labels.<key>)',
      'spec.gates[1].prometheus.operator: must be one of < <= > >=',
      'spec.gates[1].prometheus: exactly one of threshold (absolute), blueFactor (relative to blue)',
      'spec.gates[2].name: "b" is used twice',
    ]);
  });
});

describe('fillQuery', () => {
  it("fills the cluster's name, color and labels, and nothing else", () => {
    expect(
      fillQuery(
        'r{cluster="{{ name }}",color="{{color}}",team="{{labels.team}}",x="{{labels.none}}"} > 0',
        {
          name: 'checkout-green',
          color: 'green',
          labels: { team: 'shop' },
        },
      ),
    ).toBe('r{cluster="checkout-green",color="green",team="shop",x=""} > 0');
  });
});
