import { clusterFromRecord, type Cluster } from '../cluster';
import { InputError } from '../errors';
import type { FleetSnapshot, SourcePart } from '../snapshot';
import { aClusterRecord } from '../../test/helpers/generator';
import { parseClusterQuery } from './cluster-query';
import { checkQueryCovered, coverageOf, MAX_LISTED_COVERED } from './query-coverage';

const cluster = (name: string, accountId: string, region: string): Cluster => {
  const r = clusterFromRecord(aClusterRecord({ clusterName: name, accountId, region }));
  if (r.cluster === undefined) throw new Error(r.issues.join());
  return r.cluster;
};
const part = (accountId: string, region: string): SourcePart => ({
  id: `eks:${accountId}/${region}`,
  scope: { accountId, region },
  lastSuccessAt: 1,
  lastError: undefined,
});
const snapshot = (clusters: Cluster[], parts: SourcePart[]): FleetSnapshot => ({
  clusters,
  parts,
  addonDefaults: {},
  builtAt: 1,
  version: 1,
});
const refusal = (s: FleetSnapshot, parameters: Record<string, unknown>): string => {
  try {
    checkQueryCovered(parseClusterQuery(parameters), coverageOf(s.parts, s.clusters));
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  return '';
};

describe('what the configured sources cover', () => {
  test('EKS targets cover their account and region with or without clusters', () => {
    const s = snapshot([], [part('111111111111', 'eu-west-1'), part('222222222222', 'us-east-1')]);
    expect(coverageOf(s.parts, s.clusters)).toEqual({
      regions: new Set(['eu-west-1', 'us-east-1']),
      accountIds: new Set(['111111111111', '222222222222']),
    });
  });

  test('an unscoped part (the fleet file) covers the regions and accounts of the clusters', () => {
    const s = snapshot(
      [cluster('a', '111111111111', 'eu-west-1'), cluster('b', '222222222222', 'ap-south-1')],
      [{ id: 'file:/fleet.yaml', lastSuccessAt: 1, lastError: undefined }],
    );
    expect(refusal(s, { regions: ['ap-south-1', 'eu-west-1'] })).toBe('');
    expect(refusal(s, { regions: ['us-east-1'] })).toBe(
      'input.parameters.regions: "us-east-1" is not a region of any configured cluster source (covered: ap-south-1, eu-west-1)',
    );
  });

  test('several uncovered values are named together; an empty source covers nothing', () => {
    expect(refusal(snapshot([], []), { regions: ['eu-west-1', 'us-east-1'] })).toBe(
      'input.parameters.regions: "eu-west-1", "us-east-1" are not a region of any configured cluster source (covered: none)',
    );
  });

  test('the uncovered values named are bounded too', () => {
    const typos = ['eu-west-7', 'eu-west-8', 'eu-west-9', 'us-east-7', 'us-east-8'];
    expect(refusal(snapshot([], [part('111111111111', 'eu-west-1')]), { regions: typos })).toBe(
      'input.parameters.regions: "eu-west-7", "eu-west-8", "eu-west-9" and 2 more are not a region of any configured cluster source (covered: eu-west-1)',
    );
  });

  test('the covered list in a message is bounded', () => {
    const accounts = Array.from({ length: 45 }, (_, i) => String(100000000000 + i));
    const s = snapshot(
      [],
      accounts.map((a) => part(a, 'eu-west-1')),
    );
    const message = refusal(s, { accountIds: ['999999999999'] });
    expect(message).toContain(`${accounts[MAX_LISTED_COVERED - 1]} and 35 more)`);
    expect(message).not.toContain(accounts[MAX_LISTED_COVERED] as string);
  });

  test('a selector that matches nothing is not a typo', () => {
    const s = snapshot([cluster('a', '111111111111', 'eu-west-1')], []);
    expect(refusal(s, { selector: { matchLabels: { env: 'new' } } })).toBe('');
  });
});
