import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { parseLikeArgoCd, REPO_ROOT, tempDir } from '../cmp/helpers';

/**
 * kro through the real eks-overlay CLI (bundled as build.mjs does, run as a subprocess with Argo CD's
 * environment): the eks-cluster-kro example for a prod us-east-1 hub, a broken RGD, a bad instance spec and the
 * seed's legacy ResourceGroup.
 */
const SHARED = path.resolve(REPO_ROOT, '..', 'shared');
const CRD_DIR = path.join(SHARED, 'crds');
const EXAMPLE = path.join(REPO_ROOT, 'manifests', 'examples', 'eks-cluster-kro');

let tmp: ReturnType<typeof tempDir>;
let cli: string;

beforeAll(async () => {
  tmp = tempDir('kro-cli-');
  cli = path.join(tmp.dir, 'eks-overlay.cjs');
  await build({
    entryPoints: [path.join(REPO_ROOT, 'cmp-sidecar', 'main.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    logLevel: 'error',
  });
});
afterAll(() => tmp.cleanup());

const prodUse1 = JSON.parse(
  readFileSync(path.join(EXAMPLE, 'context-prod-us-east-1.json'), 'utf8'),
) as Record<string, unknown>;

function argoEnv(context: unknown, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    ARGOCD_APP_NAME: 'eks-clusters-hub-prod-use1',
    ARGOCD_APP_NAMESPACE: 'eks-clusters',
    ARGOCD_APP_PROJECT_NAME: 'platform',
    ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
    ARGOCD_APP_REVISION_SHORT: '0123456',
    ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/platform/fleet.git',
    ARGOCD_APP_SOURCE_PATH: 'apps/eks-cluster-kro',
    ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
    ARGOCD_APP_PARAMETERS: 'null',
    KUBE_VERSION: '1.33.0',
    ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify(context),
    EKS_OVERLAY_CRD_DIR: CRD_DIR,
    ...extra,
  };
}

/** A copy of `src` at <tmp>/<name>/apps/eks-cluster-kro, as Argo CD checks the repo out. */
function checkout(name: string, src: string): string {
  const appDir = path.join(tmp.dir, name, 'apps', 'eks-cluster-kro');
  mkdirSync(appDir, { recursive: true });
  cpSync(src, appDir, { recursive: true });
  return appDir;
}

/** 1-based line of the first line of `file` containing `text`. */
function lineOf(file: string, text: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

function run(args: string[], cwd: string, env: Record<string, string>) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the eks-cluster-kro example on a prod us-east-1 hub', () => {
  let objects: Record<string, unknown>[];
  let stderr: string;

  beforeAll(() => {
    const appDir = checkout('example', EXAMPLE);
    const r = run(['generate'], appDir, argoEnv(prodUse1));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    objects = parseLikeArgoCd(r.stdout);
    stderr = r.stderr;
  });

  test('renders the namespace, the RGD and one EksCluster instance', () => {
    expect(objects.map((o) => `${String(o['apiVersion'])} ${String(o['kind'])}`).sort()).toEqual([
      'kro.run/v1alpha1 EksCluster',
      'kro.run/v1alpha1 ResourceGraphDefinition',
      'v1 Namespace',
    ]);
  });

  test('the RGD passes every check, its ACK templates schema-checked against the CRDs (no warning)', () => {
    expect(stderr).not.toMatch(/kro:/);
  });

  test('the instance spec is templated from the context, typed by the SimpleSchema and defaulted', () => {
    const instance = objects.find((o) => o['kind'] === 'EksCluster');
    expect(instance).toEqual({
      apiVersion: 'kro.run/v1alpha1',
      kind: 'EksCluster',
      metadata: {
        name: 'prod-us-east-1-workload',
        namespace: 'eks-clusters',
        labels: { 'app.kubernetes.io/managed-by': 'eks-overlay' },
        annotations: {
          'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
          'argocd.argoproj.io/sync-wave': '1',
        },
      },
      spec: {
        name: 'prod-us-east-1-workload',
        region: 'us-east-1',
        environment: 'prod',
        version: '1.33',
        subnetIDs: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        endpointPublicAccess: false,
        nodeGroup: {
          instanceType: 'm7i.large',
          amiType: 'AL2023_x86_64_STANDARD',
          minSize: 2,
          maxSize: 6,
          desiredSize: 3,
          diskSize: 50,
        },
        tags: { environment: 'prod', 'managed-by': 'kro' },
      },
    });
  });

  test('validate <dir> agrees', () => {
    const appDir = checkout('example-validate', EXAMPLE);
    const ctxFile = path.join(appDir, 'context-prod-us-east-1.json');
    const r = run(['validate', appDir, '--context', ctxFile], tmp.dir, {
      PATH: process.env['PATH'] ?? '',
      EKS_OVERLAY_CRD_DIR: CRD_DIR,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok /m);
  });
});

describe('failures: non-zero exit, nothing on stdout, the fault named', () => {
  test('an instance spec outside the RGD schema (environment not in the enum)', () => {
    const appDir = checkout('bad-env', EXAMPLE);
    const qa = {
      ...prodUse1,
      metadata: {
        ...(prodUse1['metadata'] as object),
        labels: { env: 'qa', workload_subnet_a: 'subnet-a', workload_subnet_b: 'subnet-b' },
      },
    };
    const r = run(['generate'], appDir, argoEnv(qa));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      `eks-overlay.yaml:${lineOf(path.join(appDir, 'eks-overlay.yaml'), 'environment:')}: EksCluster/qa-us-east-1-workload, at instances[0].spec.environment: instances[0].spec.environment must be one of ["dev", "staging", "prod"], got "qa"`,
    );
  });

  test('an RGD template referencing an unknown resource id, naming file:line, RGD, resource and field', () => {
    const appDir = checkout('bad-rgd', EXAMPLE);
    const file = path.join(appDir, 'base', 'eks-cluster-rgd.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('${cluster.spec.name}', '${clustr.spec.name}'),
    );
    const r = run(['generate'], appDir, argoEnv(prodUse1));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `base/eks-cluster-rgd.yaml:${lineOf(file, '${clustr.spec.name}')}: ekscluster.kro.run, resource nodeGroup, at spec.resources[3].template.spec.clusterName: references unknown identifiers: [clustr]`,
    );
  });

  test('an ACK template field that the Nodegroup CRD does not have', () => {
    const appDir = checkout('bad-field', EXAMPLE);
    const file = path.join(appDir, 'base', 'eks-cluster-rgd.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('capacityType: ON_DEMAND', 'capacityTypes: ON_DEMAND'),
    );
    const r = run(['generate'], appDir, argoEnv(prodUse1));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'resource nodeGroup, at spec.resources[3].template.spec.capacityTypes: schema not found for field',
    );
  });

  test('the example refuses a legacy ResourceGroup (legacyResourceGroups: reject)', () => {
    const appDir = checkout('reject-legacy', EXAMPLE);
    cpSync(
      path.join(REPO_ROOT, 'test', 'kro', 'fixtures', 'seed-eks-resource-group.yaml'),
      path.join(appDir, 'base', 'seed.yaml'),
    );
    const r = run(['generate'], appDir, argoEnv(prodUse1));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /base\/seed\.yaml:\d+: eks-cluster\.kro\.run, at kind: kro\.io\/v1alpha1 ResourceGroup is retired/,
    );
  });
});

test("the seed's kro.io ResourceGroup is translated to an RGD with a warning on stderr", () => {
  const appDir = path.join(tmp.dir, 'seed', 'apps', 'eks-cluster-kro');
  mkdirSync(path.join(appDir, 'base'), { recursive: true });
  writeFileSync(path.join(appDir, 'eks-overlay.yaml'), 'layers: [base]\n');
  cpSync(
    path.join(REPO_ROOT, 'test', 'kro', 'fixtures', 'seed-eks-resource-group.yaml'),
    path.join(appDir, 'base', 'seed.yaml'),
  );
  const r = run(['generate'], appDir, argoEnv(prodUse1));
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(
    /base\/seed\.yaml:\d+: eks-cluster\.kro\.run, at kind: legacy ResourceGroup translated to a ResourceGraphDefinition: kro\.io\/v1alpha1 ResourceGroup → kro\.run\/v1alpha1 ResourceGraphDefinition/,
  );
  expect(r.stderr).toContain('ids [cluster, nodegroup]');
  const [rgd] = parseLikeArgoCd(r.stdout);
  expect(rgd).toMatchObject({
    apiVersion: 'kro.run/v1alpha1',
    kind: 'ResourceGraphDefinition',
    metadata: { name: 'eks-cluster.kro.run' },
    spec: {
      schema: { apiVersion: 'v1alpha1', kind: 'EksCluster', spec: {} },
      resources: [
        { id: 'cluster', template: { kind: 'Cluster', spec: { name: 'prod-use1' } } },
        { id: 'nodegroup', template: { kind: 'Nodegroup', spec: { clusterName: 'prod-use1' } } },
      ],
    },
  });
  expect((rgd?.['metadata'] as Record<string, unknown>)['namespace']).toBeUndefined();
});
