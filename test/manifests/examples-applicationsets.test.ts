import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { clusterFromRecord } from '../../core/cluster';
import type { Cluster } from '../../core/cluster';
import { run } from '../../cmp-sidecar/cli';
import type { Application, ArgoCdEnv } from '../../cmp-sidecar/argocd/applicationset';
import { renderApplicationSet } from '../../cmp-sidecar/argocd/applicationset';
import type { StartedGenerator } from '../helpers/generator';
import { loadExampleFleet, startGenerator } from '../helpers/generator';
import type { K8sObject } from './manifest-tree';
import {
  findObject,
  installObjects,
  isK8sObject,
  MANIFESTS_DIR,
  readYamlDocuments,
  rel,
  yamlFilesUnder,
} from './manifest-tree';
import { validateObject } from './schemas';

/*
 * Every example ApplicationSet under manifests/examples, run through the Argo CD ApplicationSet emulation
 * (cmp-sidecar/argocd) against the real generator serving the bundled example fleet, with the plugin ConfigMap and token
 * Secret exactly as the install creates them (only baseUrl points at the test server, and the token is set).
 * The expected Applications are written out from plugins/cluster-sources/examples/fleet.yaml.
 */

const EXAMPLES = path.join(MANIFESTS_DIR, 'examples');
const fleet: Cluster[] = loadExampleFleet().flatMap((r) => {
  const m = clusterFromRecord(r);
  return m.cluster ? [m.cluster] : [];
});
const serverOf = (name: string): string => {
  const c = fleet.find((x) => x.name === name);
  if (!c) throw new Error(`no cluster ${name} in the example fleet`);
  return c.server;
};

let generator: StartedGenerator;
let gitRoot: string;
let env: ArgoCdEnv;

beforeAll(async () => {
  generator = await startGenerator({ records: loadExampleFleet() });
  const objects = installObjects();
  const cm = findObject(objects, 'ConfigMap', 'eks-cluster-generator');
  const secret = findObject(objects, 'Secret', 'eks-cluster-generator-token');
  const cmData = cm['data'] as Record<string, string>;
  // The git directory generator's checkout of example-org/platform: two apps.
  gitRoot = mkdtempSync(path.join(os.tmpdir(), 'platform-repo-'));
  for (const app of ['ingress', 'monitoring'])
    mkdirSync(path.join(gitRoot, 'apps', app), { recursive: true });
  env = {
    controllerNamespace: 'argocd',
    configMaps: [
      {
        name: cm.metadata.name,
        namespace: 'argocd',
        data: { ...cmData, baseUrl: generator.url },
      },
    ],
    secrets: [
      {
        name: secret.metadata.name,
        namespace: 'argocd',
        labels: secret.metadata.labels ?? {},
        data: { token: generator.token },
      },
    ],
    gitRepos: { 'https://github.com/example-org/platform.git': gitRoot },
  };
});

afterAll(async () => {
  await generator?.close();
  if (gitRoot) rmSync(gitRoot, { recursive: true, force: true });
});

function readAppSet(file: string): K8sObject {
  return parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as K8sObject;
}

async function render(file: string): Promise<Application[]> {
  const result = await renderApplicationSet(readAppSet(file), env);
  if ('error' in result) throw new Error(`${file}: ${result.error}`);
  return result.applications;
}

const names = (apps: Application[]) => apps.map((a) => a.metadata.name).sort();
const destination = (a: Application) =>
  a.spec['destination'] as { server: string; namespace: string };

function expectValidApplications(apps: Application[]): void {
  for (const a of apps) {
    expect([a.metadata.name, validateObject(a as unknown as K8sObject)]).toEqual([
      a.metadata.name,
      expect.objectContaining({ ok: true }),
    ]);
  }
}

describe('plugin-generator-gotemplate.yaml', () => {
  it('gives one Application per ACTIVE dev and staging cluster, deployed to that cluster', async () => {
    const apps = await render('plugin-generator-gotemplate.yaml');
    expect(names(apps)).toEqual([
      'guestbook-dev-euw1',
      'guestbook-dev-use1',
      'guestbook-staging-apse2',
      'guestbook-staging-euw1',
      'guestbook-staging-use1',
    ]);
    for (const a of apps) {
      const cluster = a.metadata.name.replace(/^guestbook-/, '');
      expect(destination(a)).toEqual({ server: serverOf(cluster), namespace: 'guestbook' });
      expect(a.metadata.labels?.['env']).toBe(cluster.split('-')[0]);
    }
    expectValidApplications(apps);
  });
});

describe('plugin-generator-flat.yaml', () => {
  it('gives one Application per prod cluster, with AWS facts as string Helm parameters', async () => {
    const apps = await render('plugin-generator-flat.yaml');
    expect(names(apps)).toEqual([
      'cluster-info-prod-apse2',
      'cluster-info-prod-euw1-blue',
      'cluster-info-prod-euw1-green',
      'cluster-info-prod-use1',
      'cluster-info-prod-use1-payments',
      'cluster-info-tooling-euw1',
    ]);
    const tooling = apps.find((a) => a.metadata.name === 'cluster-info-tooling-euw1')!;
    expect(destination(tooling)).toEqual({
      server: serverOf('tooling-euw1'),
      namespace: 'kube-system',
    });
    const params = (
      tooling.spec['source'] as { helm: { parameters: { name: string; value: string }[] } }
    ).helm.parameters;
    expect(params).toEqual(
      expect.arrayContaining([
        { name: 'cluster.name', value: 'eks-ops-01' },
        { name: 'cluster.region', value: 'eu-west-1' },
        { name: 'cluster.accountId', value: '012345678901' },
      ]),
    );
    expectValidApplications(apps);
  });
});

describe('matrix-apps-by-clusters.yaml', () => {
  it('gives every app directory × every non-prod ACTIVE cluster', async () => {
    const apps = await render('matrix-apps-by-clusters.yaml');
    const clusters = ['dev-euw1', 'dev-use1', 'staging-apse2', 'staging-euw1', 'staging-use1'];
    expect(names(apps)).toEqual(
      ['ingress', 'monitoring'].flatMap((app) => clusters.map((c) => `${app}-${c}`)).sort(),
    );
    const one = apps.find((a) => a.metadata.name === 'monitoring-staging-euw1')!;
    expect(destination(one)).toEqual({ server: serverOf('staging-euw1'), namespace: 'monitoring' });
    expect((one.spec['source'] as { path: string }).path).toBe('apps/monitoring');
    expectValidApplications(apps);
  });
});

describe('env-waves-rolling-sync.yaml', () => {
  interface Step {
    matchExpressions: { key: string; operator: 'In' | 'NotIn'; values: string[] }[];
    maxUpdate?: number | string;
  }
  const matches = (step: Step, labels: Record<string, string>) =>
    step.matchExpressions.every((e) =>
      e.operator === 'In'
        ? e.values.includes(labels[e.key] ?? '')
        : !e.values.includes(labels[e.key] ?? ''),
    );

  it('puts every Application in exactly one RollingSync step: dev, then staging, then prod one at a time', async () => {
    const appSet = readAppSet('env-waves-rolling-sync.yaml');
    const steps = (appSet['spec'] as { strategy: { rollingSync: { steps: Step[] } } }).strategy
      .rollingSync.steps;
    const apps = await render('env-waves-rolling-sync.yaml');
    expect(apps).toHaveLength(11);
    const waves: string[][] = steps.map(() => []);
    for (const a of apps) {
      const stepIndexes = steps
        .map((s, i) => (matches(s, a.metadata.labels ?? {}) ? i : -1))
        .filter((i) => i >= 0);
      expect([a.metadata.name, stepIndexes.length]).toEqual([a.metadata.name, 1]);
      waves[stepIndexes[0]!]!.push(a.metadata.name.replace(/^platform-addons-/, ''));
    }
    expect(waves.map((w) => w.sort())).toEqual([
      ['dev-euw1', 'dev-use1'],
      ['staging-apse2', 'staging-euw1', 'staging-use1'],
      [
        'prod-apse2',
        'prod-euw1-blue',
        'prod-euw1-green',
        'prod-use1',
        'prod-use1-payments',
        'tooling-euw1',
      ],
    ]);
    expect(steps[2]!.maxUpdate).toBe(1);
    // RollingSync syncs step by step itself: the template must not auto-sync.
    for (const a of apps)
      expect((a.spec['syncPolicy'] as { automated?: unknown }).automated).toBeUndefined();
    expectValidApplications(apps);
  });
});

describe('blue-green-traffic.yaml', () => {
  it('gives the blue/green pair, each with its colour and traffic weight (90 + 10)', async () => {
    const apps = await render('blue-green-traffic.yaml');
    expect(names(apps)).toEqual(['checkout-prod-euw1-blue', 'checkout-prod-euw1-green']);
    const helm = (a: Application) =>
      Object.fromEntries(
        (
          a.spec['source'] as { helm: { parameters: { name: string; value: string }[] } }
        ).helm.parameters.map((p) => [p.name, p.value]),
      );
    const blue = apps.find((a) => a.metadata.name.endsWith('-blue'))!;
    const green = apps.find((a) => a.metadata.name.endsWith('-green'))!;
    expect(helm(blue)).toEqual({
      'dns.hostname': 'checkout.shop.example.com',
      'dns.setIdentifier': 'prod-euw1-blue',
      'dns.weight': '90',
      'cluster.color': 'blue',
    });
    expect(helm(green)).toMatchObject({
      'dns.setIdentifier': 'prod-euw1-green',
      'dns.weight': '10',
    });
    expect(Number(helm(blue)['dns.weight']) + Number(helm(green)['dns.weight'])).toBe(100);
    expect(destination(blue).server).toBe(serverOf('prod-euw1-blue'));
    expect(destination(green).server).toBe(serverOf('prod-euw1-green'));
    expectValidApplications(apps);
  });
});

describe('eks-overlay-app/applicationset.yaml', () => {
  it('hands each cluster’s clusterContext to the eks-overlay plugin, which renders with it', async () => {
    const apps = await render('eks-overlay-app/applicationset.yaml');
    expect(apps).toHaveLength(11);
    expectValidApplications(apps);
    for (const a of apps) {
      const source = a.spec['source'] as {
        path: string;
        plugin: { name: string; env: { name: string; value: string }[] };
      };
      expect(source.plugin.name).toBe('eks-overlay-v1');
      const contextEnv = source.plugin.env.find((e) => e.name === 'CLUSTER_CONTEXT')!;
      const context = JSON.parse(contextEnv.value) as { name: string; server: string };
      expect(context.server).toBe(destination(a).server);
      expect(a.metadata.name).toBe(`orders-${context.name}`);
    }
    // What argocd-cmp-server then runs for one of them: generate in the app directory, env prefixed.
    const a = apps.find((x) => x.metadata.name === 'orders-staging-euw1')!;
    const source = a.spec['source'] as {
      path: string;
      plugin: { env: { name: string; value: string }[] };
    };
    let stdout = '';
    let stderr = '';
    const code = await run(['generate'], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      cwd: path.join(path.dirname(MANIFESTS_DIR), source.path),
      env: {
        ARGOCD_APP_NAME: a.metadata.name,
        ARGOCD_APP_NAMESPACE: 'argocd',
        ARGOCD_APP_SOURCE_PATH: source.path,
        ARGOCD_APP_PARAMETERS: 'null',
        ...Object.fromEntries(source.plugin.env.map((e) => [`ARGOCD_ENV_${e.name}`, e.value])),
      },
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(stdout).toContain('eu-west-1');
  });
});

describe('matrix-apps-by-clusters.yaml, with a cluster that lacks the env label', () => {
  it('still gives it its Applications, labelled env: none (the template works under missingkey=error)', async () => {
    const records = loadExampleFleet().map((r) =>
      r.clusterName === 'dev-euw1'
        ? {
            ...r,
            tags: Object.fromEntries(Object.entries(r.tags ?? {}).filter(([k]) => k !== 'env')),
          }
        : r,
    );
    const bare = await startGenerator({ records });
    try {
      const result = await renderApplicationSet(readAppSet('matrix-apps-by-clusters.yaml'), {
        ...env,
        configMaps: (env.configMaps ?? []).map((c) => ({
          ...c,
          data: { ...c.data, baseUrl: bare.url },
        })),
        secrets: (env.secrets ?? []).map((x) => ({ ...x, data: { token: bare.token } })),
      });
      if ('error' in result) throw new Error(result.error);
      const app = result.applications.find((a) => a.metadata.name === 'ingress-dev-euw1');
      expect(app?.metadata.labels?.['env']).toBe('none');
    } finally {
      await bare.close();
    }
  });
});

/** Every value under a key named `key`, anywhere in a parsed document. */
function valuesOf(doc: unknown, key: string): unknown[] {
  if (Array.isArray(doc)) return doc.flatMap((d) => valuesOf(d, key));
  if (typeof doc !== 'object' || doc === null) return [];
  return Object.entries(doc).flatMap(([k, v]) => [...(k === key ? [v] : []), ...valuesOf(v, key)]);
}

describe('every ApplicationSet under manifests/', () => {
  const appSets = yamlFilesUnder(MANIFESTS_DIR).flatMap((file) =>
    readYamlDocuments(file)
      .filter(isK8sObject)
      .filter((o) => o.kind === 'ApplicationSet')
      .map((o) => [rel(file), o] as const),
  );

  it('are found', () => {
    expect(appSets.length).toBeGreaterThan(4);
  });

  it.each(appSets)(
    '%s never pins the status filter to ACTIVE alone (an upgrading cluster would lose its Applications)',
    (_file, o) => {
      for (const statuses of valuesOf(o['spec'], 'statuses'))
        expect(statuses).toContain('UPDATING');
    },
  );

  it.each(appSets)(
    '%s reads labels with index (+ default where a cluster may lack one), never .metadata.labels.<key>',
    (_file, o) => {
      const spec = o['spec'] as { goTemplate?: boolean; template: unknown };
      if (spec.goTemplate !== true) return;
      expect(JSON.stringify(spec.template)).not.toMatch(/\.metadata\.labels\.[A-Za-z_]/);
    },
  );
});
