/**
 * Quarantine as Argo CD sees it, through the HTTP app: one cluster with a bad reserved tag never shortens a 200 and
 * never holds back the others; a start without a state store that finds one answers 503 naming it.
 */
import request from 'supertest';
import type { ClusterRecord } from '../../core/cluster';
import { silentLogger } from '../../core/logger';
import { createApp, GET_PARAMS_PATH } from '../../generator-service/app';
import { createServiceMetrics } from '../../generator-service/metrics';
import { createFleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import type { ClusterSource, SourceLoad } from '../../plugins/cluster-sources/source';
import { aClusterRecord } from '../helpers/generator';

const TOKEN = 'quarantine-test-token';
const BAD = { 'argocd-eks-plugins/upgrade-weight': '50%' };

function serve(records: ClusterRecord[]) {
  let current: SourceLoad = {
    records,
    parts: [{ id: 'm', lastSuccessAt: 1, lastError: undefined }],
  };
  const source: ClusterSource = { kind: 'file', load: () => Promise.resolve(current) };
  const metrics = createServiceMetrics();
  const registry = createFleetRegistry({ source, log: silentLogger, metrics });
  const app = createApp({ registry, tokens: { current: () => TOKEN }, log: silentLogger, metrics });
  return {
    registry,
    set: (next: ClusterRecord[]) => (current = { ...current, records: next }),
    ask: () =>
      request(app)
        .post(GET_PARAMS_PATH)
        .set('Authorization', `Bearer ${TOKEN}`)
        .send({ applicationSetName: 'fleet', input: { parameters: {} } }),
  };
}

const names = (res: request.Response) =>
  (res.body as { output: { parameters: { name: string }[] } }).output.parameters.map((p) => p.name);

describe('a quarantined cluster, as Argo CD sees it', () => {
  it('a start without a state store that finds one answers 503 naming it, not a shorter list', async () => {
    const g = serve([
      aClusterRecord({ clusterName: 'a' }),
      aClusterRecord({ clusterName: 'b', tags: BAD }),
    ]);
    await g.registry.refresh();
    const res = await g.ask();
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('ERR_NOT_READY');
    expect(res.body.message).toContain('arn:aws:eks:eu-west-1:012345678901:cluster/b');
    expect(res.body.message).toContain(
      'argocd-eks-plugins/upgrade-weight must be an integer 0-100, got "50%"',
    );
  });

  it('served, then given a bad tag: the same 200 answer, while a new cluster is still added', async () => {
    const g = serve([aClusterRecord({ clusterName: 'a' }), aClusterRecord({ clusterName: 'b' })]);
    await g.registry.refresh();
    const before = await g.ask();
    g.set([
      aClusterRecord({ clusterName: 'a' }),
      aClusterRecord({ clusterName: 'b', tags: BAD }),
      aClusterRecord({ clusterName: 'c' }),
    ]);
    await g.registry.refresh();
    const after = await g.ask();
    expect(after.status).toBe(200);
    expect(names(after)).toEqual(['a', 'b', 'c']);
    expect(after.body.output.parameters[1]).toEqual(before.body.output.parameters[1]);
  });
});
