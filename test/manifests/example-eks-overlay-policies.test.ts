import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { run } from '../../cmp-sidecar/cli';
import { tempDir } from '../cmp/helpers';
import { MANIFESTS_DIR } from './manifest-tree';

/*
 * manifests/examples/eks-overlay-policies/app rendered by the real eks-overlay `generate` for a dev and a prod
 * cluster: its prod-only admission policy passes the app as shipped on both, and blocks a change that drops the
 * prod replicas on prod clusters only, before Argo CD would sync it.
 */
const APP_DIR = path.join(MANIFESTS_DIR, 'examples', 'eks-overlay-policies', 'app');

function context(env: string): string {
  return JSON.stringify({
    name: `payments-${env}-use1`,
    nameNormalized: `payments-${env}-use1`,
    server: 'https://0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com',
    project: 'default',
    metadata: { labels: { env }, annotations: {} },
    aws: { accountId: '111122223333', region: 'us-east-1', clusterName: `payments-${env}-use1` },
  });
}

async function generate(appDir: string, env: string) {
  let stdout = '';
  let stderr = '';
  const code = await run(['generate'], {
    cwd: appDir,
    env: {
      ARGOCD_APP_NAME: `payments-${env}`,
      ARGOCD_APP_NAMESPACE: 'payments',
      ARGOCD_APP_PARAMETERS: 'null',
      ARGOCD_ENV_CLUSTER_CONTEXT: context(env),
    },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

function replicas(stdout: string): unknown {
  const deployment = parseAllDocuments(stdout)
    .map((d) => d.toJS() as { kind?: string; spec?: { replicas?: unknown } })
    .find((o) => o.kind === 'Deployment');
  return deployment?.spec?.replicas;
}

describe('examples/eks-overlay-policies', () => {
  it.each([
    ['dev', 1],
    ['prod', 3],
  ])('the app as shipped renders on %s (replicas %d)', async (env, expected) => {
    const r = await generate(APP_DIR, env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(replicas(r.stdout)).toBe(expected);
  });

  describe('a change that drops the prod replicas (envs/prod removed)', () => {
    let tmp: ReturnType<typeof tempDir>;
    let appDir: string;
    beforeAll(() => {
      tmp = tempDir('policies-example-');
      appDir = path.join(tmp.dir, 'app');
      cpSync(APP_DIR, appDir, { recursive: true });
      rmSync(path.join(appDir, 'envs', 'prod'), { recursive: true });
    });
    afterAll(() => tmp.cleanup());

    it('is blocked on a prod cluster: nothing on stdout, the policy message on stderr', async () => {
      const r = await generate(appDir, 'prod');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        "Deployment payments/payments (base/deployment.yaml:2): ValidatingAdmissionPolicy 'prod-high-availability' " +
          "with binding 'prod-high-availability' (policies/prod/high-availability.yaml:3): " +
          'prod Deployments run at least 2 replicas; payments has 1 [reason: Forbidden]',
      );
    });

    it('still renders on a dev cluster, which has no prod policy', async () => {
      const r = await generate(appDir, 'dev');
      expect(r.code).toBe(0);
      expect(replicas(r.stdout)).toBe(1);
    });
  });
});
