import { clusterUpgradesOf } from './sources/cluster-upgrades';

/*
 * Reading ClusterUpgrade objects (the upgrade controller's resource) defensively: the fields of the CRD, nothing
 * else, and a field of the wrong type is absent rather than a fault.
 */

describe('clusterUpgradesOf', () => {
  it('reads group, phase, stage, message, step, weights, target weights and the cluster traffic moves to', () => {
    const read = clusterUpgradesOf({
      items: [
        {
          metadata: { name: 'up' },
          spec: { group: 'g', steps: [0, 50, 100] },
          status: {
            phase: 'Shifting',
            stage: 'Converging',
            message: 'waiting for the generator',
            stepIndex: 1,
            weights: { blue: 100, green: 0 },
            targetWeights: { blue: 50, green: 50 },
            pair: { blue: { name: 'a', color: 'blue' }, green: { name: 'b', color: 'green' } },
          },
        },
      ],
    });
    expect(read.count).toBe(1);
    expect(read.byGroup.get('g')).toEqual({
      name: 'up',
      group: 'g',
      phase: 'Shifting',
      stage: 'Converging',
      message: 'waiting for the generator',
      stepIndex: 1,
      steps: [0, 50, 100],
      weights: { blue: 100, green: 0 },
      targetWeights: { blue: 50, green: 50 },
      movesTo: { name: 'b', color: 'green' },
    });
  });

  it('prefers the plan in force to the spec for the steps', () => {
    const read = clusterUpgradesOf({
      items: [
        {
          metadata: { name: 'up' },
          spec: { group: 'g', steps: [0, 100] },
          status: { stepIndex: 0, plan: { steps: [0, 10, 100] } },
        },
      ],
    });
    expect(read.byGroup.get('g')?.steps).toEqual([0, 10, 100]);
  });

  it('ignores fields the CRD does not have (spec.upgradeGroup, status.currentStep) and ill-typed ones', () => {
    const read = clusterUpgradesOf({
      items: [
        { metadata: { name: 'old' }, spec: { upgradeGroup: 'g' }, status: { currentStep: 2 } },
        {
          metadata: { name: 'odd' },
          spec: { group: 'h', steps: 'all' },
          status: {
            phase: 7,
            stepIndex: '2',
            weights: { blue: '75', green: 25 },
            targetWeights: { colour: 1 },
            pair: { green: { color: 'green' } },
          },
        },
      ],
    });
    expect(read.count).toBe(1);
    expect(read.byGroup.has('g')).toBe(false);
    expect(read.byGroup.get('h')).toEqual({
      name: 'odd',
      group: 'h',
      phase: undefined,
      stage: undefined,
      message: undefined,
      stepIndex: undefined,
      steps: undefined,
      weights: undefined,
      targetWeights: undefined,
      movesTo: undefined,
    });
  });
});
