import { cluster, part, record } from '../../test/fakes/kube-api/fleet-feed';
import type { FleetSnapshot } from '../../core/snapshot';
import { decodeFleet, encodeFleet, ShapelessFleetError } from './fleet-wire';

const alpha = cluster(record({ clusterName: 'alpha' }));
const snapshot: FleetSnapshot = {
  clusters: [alpha],
  parts: [part(alpha.aws.accountId, alpha.aws.region)],
  addonDefaults: { '1.31': { 'vpc-cni': 'v1' } },
  builtAt: 1_700_000_000_000,
  version: 3,
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the wire JSON is edited freely to break it
type Json = any;
const wire = () => JSON.parse(encodeFleet(snapshot).toString('utf8')) as { fleet: Json };

describe('the fleet on the wire', () => {
  it('carries every cluster with its CA data, and each part with its state, round trip', () => {
    const view = decodeFleet(wire());
    expect(view).toEqual({
      version: 3,
      builtAt: snapshot.builtAt,
      parts: snapshot.parts,
      clusters: [alpha],
    });
    expect(view.clusters[0]?.caData).toBe(alpha.caData);
    expect(wire().fleet).not.toHaveProperty('addonDefaults');
  });

  it('keeps a failing part failing', () => {
    const failing = part(alpha.aws.accountId, alpha.aws.region, { failing: true });
    const body = wire();
    body.fleet.parts = [{ ...failing, lastSuccessAt: undefined }];
    expect(decodeFleet(JSON.parse(JSON.stringify(body))).parts).toEqual([
      {
        id: failing.id,
        scope: failing.scope,
        lastSuccessAt: undefined,
        lastError: failing.lastError,
      },
    ]);
  });

  const mutate = (f: (fleet: Json) => void) => {
    const body = wire();
    f(body.fleet);
    return body;
  };
  it.each<[string, unknown]>([
    ['null', null],
    ['{}', {}],
    ['the getparams shape {"output":{}}', { output: {} }],
    ['an array', []],
    ['{"fleet":{}}', { fleet: {} }],
    ['no parts', mutate((f) => delete f.parts)],
    ['an empty parts list', mutate((f) => (f.parts = []))],
    ['a part without id', mutate((f) => delete f.parts[0].id)],
    ['a part with a non-string error', mutate((f) => (f.parts[0].lastError = 5))],
    ['no clusters', mutate((f) => delete f.clusters)],
    ['a cluster without CA data', mutate((f) => delete f.clusters[0].caData)],
    ['a cluster without server', mutate((f) => delete f.clusters[0].server)],
    ['a cluster without aws', mutate((f) => delete f.clusters[0].aws)],
    ['a cluster without account id', mutate((f) => (f.clusters[0].aws.accountId = ''))],
    ['a cluster with a non-string label', mutate((f) => (f.clusters[0].labels = { a: 1 }))],
    ['no version', mutate((f) => delete f.version)],
  ])('refuses %s', (_what, body) => {
    expect(() => decodeFleet(body)).toThrow(ShapelessFleetError);
  });

  it('names the fields at fault', () => {
    expect(() => decodeFleet(mutate((f) => delete f.clusters[0].caData))).toThrow(
      'fleet.clusters[0].caData is missing or invalid',
    );
  });
});
