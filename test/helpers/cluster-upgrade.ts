import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * A ClusterUpgrade as the cluster holds it mid-upgrade: the spec of the shipped example
 * (manifests/examples/blue-green-upgrade/cluster-upgrade.yaml) on another group, and a status shaped as the upgrade
 * controller writes it (generator-service/upgrades/status.ts) at its third step, baking. Schema-checked against the
 * project's CRD in test/manifests/fleet-view-cluster-upgrades.test.ts, so the fleet view's fixtures cannot drift
 * from what the controller really writes.
 */
export const EXAMPLE_CLUSTER_UPGRADE = path.resolve(
  __dirname,
  '..',
  '..',
  'manifests',
  'examples',
  'blue-green-upgrade',
  'cluster-upgrade.yaml',
);

export function aClusterUpgradeMidStep(group = 'prod-euw1'): Record<string, unknown> {
  const example = parse(readFileSync(EXAMPLE_CLUSTER_UPGRADE, 'utf8')) as {
    spec: Record<string, unknown> & { steps: number[] };
  };
  const member = (name: string, color: string, version: string) => ({
    name,
    color,
    arn: `arn:aws:eks:eu-west-1:012345678901:cluster/${name}`,
    server: `https://${name}.example.eks.amazonaws.com`,
    version,
    accountId: '012345678901',
    region: 'eu-west-1',
    labels: { env: 'prod', 'argocd-eks-plugins/upgrade-group': group },
  });
  const at = '2026-12-07T20:00:00.000Z';
  return {
    apiVersion: 'argocd-eks-plugins.io/v1alpha1',
    kind: 'ClusterUpgrade',
    metadata: { name: `${group}-to-1-30`, namespace: 'argocd', generation: 1 },
    spec: { ...example.spec, group },
    status: {
      phase: 'Baking',
      stage: 'Baking',
      message: 'step 3: green 25, baking until 2026-12-07T20:10:00.000Z',
      observedGeneration: 1,
      pair: {
        blue: member(`${group}-blue`, 'blue', '1.29'),
        green: member(`${group}-green`, 'green', '1.30'),
      },
      plan: {
        generation: 1,
        steps: example.spec.steps,
        bakeSeconds: 600,
        convergeSeconds: 1800,
        gates: [],
        onGateFailure: 'rollback',
      },
      stepIndex: 2,
      weights: { blue: 75, green: 25 },
      targetWeights: { blue: 75, green: 25 },
      refreshedAt: at,
      refreshedApplicationSets: ['checkout'],
      bakeStartedAt: at,
      gates: [
        { name: 'green-apps-healthy', result: 'Passed', reason: 'all Synced and Healthy', at },
      ],
      conditions: [
        {
          type: 'PreChecksPassed',
          status: 'True',
          reason: 'Passed',
          message: 'pair found',
          lastTransitionTime: at,
        },
      ],
      history: [
        {
          step: 0,
          weights: { blue: 100, green: 0 },
          startedAt: at,
          finishedAt: at,
          result: 'Passed',
        },
        {
          step: 1,
          weights: { blue: 90, green: 10 },
          startedAt: at,
          finishedAt: at,
          result: 'Passed',
        },
        { step: 2, weights: { blue: 75, green: 25 }, startedAt: at },
      ],
    },
  };
}
