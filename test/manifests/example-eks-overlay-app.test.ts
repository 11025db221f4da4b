import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { clusterFromRecord, clusterToParams } from '../../core/cluster';
import type { ClusterParams } from '../../core/cluster';
import { run } from '../../cmp-sidecar/cli';
import { loadExampleFleet } from '../helpers/generator';
import type { K8sObject } from './manifest-tree';
import { isK8sObject, MANIFESTS_DIR } from './manifest-tree';
import { validateObject } from './schemas';

/*
 * manifests/examples/eks-overlay-app/app rendered by the real eks-overlay `generate`, as argocd-cmp-server runs it
 * for an Application of examples/eks-overlay-app/applicationset.yaml: cwd = the app directory, the generator's
 * clusterContext in ARGOCD_ENV_CLUSTER_CONTEXT. Every cluster of the example fleet with an env label renders, and
 * every object it emits validates.
 */

const APP_DIR = path.join(MANIFESTS_DIR, 'examples', 'eks-overlay-app', 'app');

function exampleClusters(): ClusterParams[] {
  return loadExampleFleet().flatMap((rec) => {
    const mapped = clusterFromRecord(rec);
    return mapped.cluster ? [clusterToParams(mapped.cluster)] : [];
  });
}

async function generate(
  cluster: ClusterParams,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(['generate'], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd: APP_DIR,
    env: {
      ARGOCD_APP_NAME: `orders-${cluster.nameNormalized}`,
      ARGOCD_APP_NAMESPACE: 'argocd',
      ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
      ARGOCD_APP_SOURCE_PATH: 'manifests/examples/eks-overlay-app/app',
      ARGOCD_APP_SOURCE_REPO_URL: 'https://github.com/argocd-eks-plugins/argocd-eks-plugins.git',
      ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
      ARGOCD_APP_PARAMETERS: 'null',
      KUBE_VERSION: cluster.aws.version,
      ARGOCD_ENV_CLUSTER_CONTEXT: cluster.clusterContext,
    },
  });
  return { code, stdout, stderr };
}

const clusters = exampleClusters().filter((c) => c.metadata.labels?.['env'] !== undefined);

describe('examples/eks-overlay-app rendered by eks-overlay generate', () => {
  it('has clusters of every environment to render for', () => {
    const envs = new Set(clusters.map((c) => c.metadata.labels?.['env']));
    expect([...envs].sort()).toEqual(['dev', 'prod', 'staging']);
  });

  describe.each(clusters.map((c) => [c.name, c] as const))('for cluster %s', (_name, cluster) => {
    let objects: K8sObject[] = [];
    let result: { code: number; stdout: string; stderr: string };

    beforeAll(async () => {
      result = await generate(cluster);
      objects = parseAllDocuments(result.stdout)
        .map((d) => d.toJS() as unknown)
        .filter(isK8sObject);
    });

    it('exits 0 with objects on stdout', () => {
      expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
      expect(objects.length).toBeGreaterThan(0);
    });

    it('turns the placeholder Secret into an ExternalSecret (no Secret, no secret value)', () => {
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
      const es = objects.find(
        (o) => o.kind === 'ExternalSecret' && o.metadata.name === 'orders-db',
      );
      expect(es).toBeDefined();
      expect(JSON.stringify(es)).toContain(`orders/${cluster.metadata.labels?.['env']}/db`);
    });

    it('emits the WebApp kro instance for this cluster, with its region', () => {
      const app = objects.find((o) => o.kind === 'WebApp');
      expect(app?.metadata).toMatchObject({ name: 'orders', namespace: 'orders' });
      expect(app?.['spec']).toMatchObject({ region: cluster.aws.region, replicas: 2 });
    });

    it('applies the env layer (dev logs at debug, prod adds a PodDisruptionBudget)', () => {
      const env = cluster.metadata.labels?.['env'];
      const config = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name === 'orders-config',
      );
      expect((config?.['data'] as Record<string, string>)['LOG_LEVEL']).toBe(
        env === 'dev' ? 'debug' : 'info',
      );
      expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(env === 'prod');
    });

    it('emits only objects that validate (kro instances excepted: eks-overlay checked them against the RGD)', () => {
      for (const o of objects.filter((x) => x.kind !== 'WebApp')) {
        expect([`${o.kind}/${o.metadata.name}`, validateObject(o)]).toEqual([
          `${o.kind}/${o.metadata.name}`,
          expect.objectContaining({ ok: true }),
        ]);
      }
    });
  });
});
