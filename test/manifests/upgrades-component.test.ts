/**
 * manifests/components/upgrades: the ClusterUpgrade CRD and the upgrade controller's Deployment, built offline with
 * `kubectl kustomize` through the example overlay (manifests/examples/blue-green-upgrade). The CRD is checked
 * against objects of its own kind: what it admits (with the API server's defaults) and what it refuses.
 */
import path from 'node:path';
import { parseUpgradeControllerConfig } from '../../generator-service/upgrades/config';
import { parseSpec } from '../../generator-service/upgrades/spec';
import { findObject, type K8sObject, kustomizeBuild, MANIFESTS_DIR } from './manifest-tree';
import { validateObject } from './schemas';

const OVERLAY = path.join(MANIFESTS_DIR, 'examples', 'blue-green-upgrade');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
type Obj = K8sObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- built objects are walked freely

const objects = () => kustomizeBuild(OVERLAY) as Obj[];
const get = (kind: string, name: string) => findObject(objects(), kind, name) as Obj;
const podSpec = (name: string) => get('Deployment', name)['spec'].template.spec;
const container = (name: string) => podSpec(name).containers[0];

function upgrade(spec: Record<string, unknown>, status?: Record<string, unknown>): K8sObject {
  return {
    apiVersion: 'argocd-eks-plugins.io/v1alpha1',
    kind: 'ClusterUpgrade',
    metadata: { name: 'u', namespace: 'argocd' },
    spec,
    ...(status === undefined ? {} : { status }),
  };
}

describe('the ClusterUpgrade CRD', () => {
  const crd = () => get('CustomResourceDefinition', 'clusterupgrades.argocd-eks-plugins.io');

  it('is namespaced, group argocd-eks-plugins.io, v1alpha1, with a status subresource and printer columns', () => {
    const spec = crd()['spec'];
    expect(spec.group).toBe('argocd-eks-plugins.io');
    expect(spec.scope).toBe('Namespaced');
    expect(spec.names).toMatchObject({ kind: 'ClusterUpgrade', plural: 'clusterupgrades' });
    const [version] = spec.versions;
    expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true });
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual([
      'Group',
      'Phase',
      'Step',
      'Blue',
      'Green',
      'Message',
      'Age',
    ]);
  });

  it('admits the example and a minimal spec', () => {
    expect(validateObject(get('ClusterUpgrade', 'checkout-1-32'))).toEqual({
      ok: true,
      via: 'crd',
    });
    const minimal = upgrade({ group: 'checkout' });
    expect(validateObject(minimal)).toEqual({ ok: true, via: 'crd' });
    // What the controller reads from the example is valid too.
    expect(parseSpec(get('ClusterUpgrade', 'checkout-1-32')['spec'])).toHaveProperty('spec');
  });

  it('admits a status as the controller writes it', () => {
    const status = {
      phase: 'Shifting',
      stage: 'Writing',
      stepIndex: 1,
      weights: { blue: 100, green: 10 },
      targetWeights: { blue: 90, green: 10 },
      intendedWrite: {
        color: 'blue',
        cluster: 'checkout-blue',
        arn: 'arn:aws:eks:eu-west-1:111111111111:cluster/checkout-blue',
        tags: { 'argocd-eks-plugins/upgrade-weight': '90' },
        at: '2026-12-07T10:00:00.000Z',
      },
      gates: [{ name: 'g', result: 'Passed', reason: 'ok', at: '2026-12-07T10:00:00.000Z' }],
      conditions: [
        {
          type: 'PreChecksPassed',
          status: 'True',
          reason: 'Passed',
          message: 'all pre-checks passed',
          lastTransitionTime: '2026-12-07T10:00:00.000Z',
        },
      ],
      history: [
        {
          step: 0,
          weights: { blue: 100, green: 0 },
          startedAt: '2026-12-07T10:00:00.000Z',
          finishedAt: '2026-12-07T10:05:00.000Z',
          result: 'Passed',
        },
      ],
      plan: {
        generation: 1,
        steps: [0, 10, 100],
        bakeSeconds: 60,
        gates: [],
        onGateFailure: 'rollback',
      },
      pair: { blue: { name: 'checkout-blue' }, green: { name: 'checkout-green' } },
    };
    expect(validateObject(upgrade({ group: 'checkout' }, status))).toEqual({
      ok: true,
      via: 'crd',
    });
  });

  it.each([
    ['no group', {}],
    ['a weight over 100', { group: 'g', steps: [0, 150] }],
    ['onGateError other than hold', { group: 'g', onGateError: 'rollback' }],
    ['an unknown onGateFailure', { group: 'g', onGateFailure: 'ignore' }],
    ['an unknown field', { group: 'g', stepz: [0, 100] }],
    [
      'a Prometheus gate without operator',
      { group: 'g', gates: [{ name: 'p', prometheus: { query: 'up' } }] },
    ],
  ])('refuses %s', (_name, spec) => {
    expect(validateObject(upgrade(spec))).toMatchObject({ ok: false });
  });
});

describe('the upgrade controller component', () => {
  it('binds its Role to the controller ServiceAccount only, with what the controller calls', () => {
    const rules = get('Role', 'eks-upgrade-controller')['rules'] as Rule[];
    const verbsOn = (group: string, resource: string) =>
      rules
        .filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource))
        .flatMap((r) => r.verbs)
        .sort();
    expect(verbsOn('argocd-eks-plugins.io', 'clusterupgrades')).toEqual(['get', 'list']);
    expect(verbsOn('argocd-eks-plugins.io', 'clusterupgrades/status')).toEqual(['get', 'update']);
    expect(verbsOn('argoproj.io', 'applications')).toEqual(['get', 'list']);
    expect(verbsOn('argoproj.io', 'applicationsets')).toEqual(['get', 'list', 'patch']);
    expect(verbsOn('', 'events')).toEqual(['create']);
    expect(verbsOn('coordination.k8s.io', 'leases')).toEqual(['create', 'get', 'update']);
    expect(verbsOn('', 'secrets')).toEqual([]);
    const binding = get('RoleBinding', 'eks-upgrade-controller');
    expect(binding['subjects']).toEqual([
      { kind: 'ServiceAccount', name: 'eks-upgrade-controller', namespace: 'argocd' },
    ]);
    expect(podSpec('eks-upgrade-controller').serviceAccountName).toBe('eks-upgrade-controller');
  });

  it("runs the generator's image as the `upgrade-controller` subcommand, and its settings parse", () => {
    const c = container('eks-upgrade-controller');
    expect(c.image).toBe(container('eks-cluster-generator').image);
    expect(c.args).toEqual(['upgrade-controller']);
    const configMapName = c.envFrom[0].configMapRef.name as string;
    const configMap = objects().find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === configMapName,
    );
    const env: NodeJS.ProcessEnv = { ...configMap!['data'] };
    for (const e of c.env as { name: string; value?: string }[]) {
      env[e.name] = e.value ?? 'from-the-downward-api';
    }
    env['ARGOCD_NAMESPACE'] = 'argocd';
    const config = parseUpgradeControllerConfig(env);
    expect(config.prometheusUrl).toBe('http://prometheus-operated.monitoring:9090');
    // The generator's Service is where the controller reads the pair and the served weights.
    const url = new URL(config.generatorUrl);
    const service = get('Service', url.hostname);
    expect(service['spec'].ports.map((p: { port: number }) => String(p.port))).toContain(url.port);
    const generatorPolicy = get('NetworkPolicy', 'eks-cluster-generator')['spec'];
    expect(generatorPolicy.ingress).toContainEqual({
      from: [
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'eks-upgrade-controller' } } },
      ],
      ports: [{ port: 4355, protocol: 'TCP' }],
    });
  });

  it('leaves the default install without the CRD or the controller', () => {
    const install = kustomizeBuild(MANIFESTS_DIR);
    expect(install.filter((o) => /upgrade/i.test(o.metadata.name))).toEqual([]);
  });
});

describe('upgrade controller settings', () => {
  it('reports every problem at once', () => {
    expect(() =>
      parseUpgradeControllerConfig({
        UPGRADE_GENERATOR_URL: 'ftp://x',
        UPGRADE_RESYNC_SECONDS: '0',
        UPGRADE_ROLE_ARN: 'arn:aws:iam::{{accountId}}:user/x',
        UPGRADE_PROMETHEUS_URL: 'not a url',
      }),
    ).toThrow(
      /UPGRADE_GENERATOR_URL: "ftp:\/\/x" is not an http\(s\) URL[\s\S]*UPGRADE_GENERATOR_TOKEN_FILE: not set[\s\S]*UPGRADE_PROMETHEUS_URL[\s\S]*UPGRADE_ROLE_ARN[\s\S]*UPGRADE_RESYNC_SECONDS/,
    );
  });
});
