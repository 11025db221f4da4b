/**
 * The real generator service (example fleet) seen through the Argo CD emulation, end to end: what
 * ApplicationSet templates receive in flat and goTemplate modes, selectors (the service's and Argo CD's
 * generator-level one), flatList, account ids through flattening, the equivalence with Argo CD's native
 * `clusters:` generator over cluster Secrets, and the failure path (503 → ErrorOccurred, nothing deleted).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clusterFromRecord } from '../../core/cluster';
import type { Cluster } from '../../core/cluster';
import { silentLogger } from '../../core/logger';
import { createApp } from '../../generator-service/app';
import { createServiceMetrics } from '../../generator-service/metrics';
import { createFleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import {
  SECRET_TYPE_LABEL,
  clusterSecretFor,
  generateParams,
  pluginGeneratorEnv,
  renderApplicationSet,
} from '../../cmp-sidecar/argocd/applicationset';
import type { Application, ArgoCdEnv } from '../../cmp-sidecar/argocd/applicationset';
import { goHttpDo } from '../../cmp-sidecar/argocd/http-client';
import { emulatePluginGenerator } from '../../cmp-sidecar/argocd/plugin-generator';
import type { Params, PluginGeneratorSetup } from '../../cmp-sidecar/argocd/plugin-generator';
import { loadExampleFleet, startGenerator } from '../helpers/generator';
import type { StartedGenerator } from '../helpers/generator';
import { sendRaw } from './vectors';

let gen: StartedGenerator;
let fleet: Cluster[];
let env: ArgoCdEnv;

beforeAll(async () => {
  const records = loadExampleFleet();
  gen = await startGenerator({ records });
  fleet = records.map((r) => {
    const m = clusterFromRecord(r);
    if (!m.cluster) throw new Error(`example fleet: ${m.issues.join('; ')}`);
    return m.cluster;
  });
  const plugin = pluginGeneratorEnv({ baseUrl: gen.url, token: gen.token });
  env = { ...plugin, secrets: [...plugin.secrets] };
});

afterAll(async () => {
  await gen.close();
});

const active = () => fleet.filter((c) => c.aws.status === 'ACTIVE');
const byName = <T extends { metadata: { name: string } }>(xs: T[]) =>
  [...xs].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

/** The Plugin generator alone, for the ApplicationSet `eks` in the given mode. */
async function pluginParams(
  goTemplate: boolean,
  parameters: Record<string, unknown> = {},
  extra: { values?: Record<string, string>; goTemplateOptions?: string[] } = {},
): Promise<Params[]> {
  const setup: PluginGeneratorSetup = {
    applicationSet: {
      name: 'eks',
      goTemplate,
      ...(extra.goTemplateOptions ? { goTemplateOptions: extra.goTemplateOptions } : {}),
    },
    controllerNamespace: 'argocd',
    configMap: env.configMaps ?? [],
    secret: env.secrets ?? [],
    generator: {
      configMapRef: { name: 'eks-cluster-generator' },
      input: { parameters },
      ...(extra.values ? { values: extra.values } : {}),
    },
  };
  const result = await emulatePluginGenerator(setup);
  if ('error' in result) throw new Error(result.error);
  return result.params;
}

describe('flat mode (no goTemplate): what {{key}} templates receive', () => {
  test('one param set per ACTIVE cluster, nested keys dotted, every value a string', async () => {
    const params = await pluginParams(false);
    expect(params.map((p) => p['name']).sort()).toEqual(
      active()
        .map((c) => c.name)
        .sort(),
    );
    for (const p of params) {
      const c = fleet.find((x) => x.name === p['name']) as Cluster;
      expect(p).toMatchObject({
        name: c.name,
        nameNormalized: c.nameNormalized,
        server: c.server,
        project: c.project,
        'aws.region': c.aws.region,
        'aws.clusterName': c.aws.clusterName,
        'upgrade.weight': c.upgrade.weight,
      });
      for (const [k, v] of Object.entries(c.labels)) expect(p[`metadata.labels.${k}`]).toBe(v);
      for (const [k, v] of Object.entries(c.annotations)) {
        expect(p[`metadata.annotations.${k}`]).toBe(v);
      }
      expect(JSON.parse(p['clusterContext'] as string)).toMatchObject({ name: c.name });
      const { generator, ...rest } = p;
      expect(generator).toEqual({ input: { parameters: {} } });
      for (const v of Object.values(rest)) expect(typeof v).toBe('string');
      expect(Object.values(rest)).not.toContain('<nil>');
    }
  });

  test('account ids survive flattening: exact 12-digit strings, leading zeros kept, no exponent form', async () => {
    const params = await pluginParams(false);
    const ids = new Set(params.map((p) => p['aws.accountId']));
    expect(ids).toEqual(new Set(active().map((c) => c.aws.accountId)));
    expect([...ids].some((id) => String(id).startsWith('0'))).toBe(true);
    for (const p of params) {
      expect(p['aws.accountId']).toMatch(/^\d{12}$/);
      expect(p['metadata.annotations.aws_account_id']).toBe(p['aws.accountId']);
      for (const v of Object.values(p)) {
        if (typeof v === 'string') expect(v).not.toMatch(/^\d(\.\d+)?e[+-]\d\d$/);
      }
    }
  });

  test('spec values render with {{key}} against the flattened params', async () => {
    const params = await pluginParams(false, {}, { values: { where: '{{aws.region}}/{{name}}' } });
    for (const p of params)
      expect(p['values.where']).toBe(`${String(p['aws.region'])}/${String(p['name'])}`);
  });
});

describe('goTemplate mode: what {{ .key }} templates receive', () => {
  test('the service objects unchanged, plus generator and values', async () => {
    const params = await pluginParams(
      true,
      {},
      { values: { env: '{{ index .metadata.labels "env" }}' } },
    );
    expect(params).toHaveLength(active().length);
    for (const p of params) {
      const c = fleet.find((x) => x.name === p['name']) as Cluster;
      expect(p).toMatchObject({
        name: c.name,
        server: c.server,
        metadata: { labels: c.labels, annotations: c.annotations },
        aws: { accountId: c.aws.accountId, region: c.aws.region },
        upgrade: { group: c.upgrade.group, color: c.upgrade.color, weight: c.upgrade.weight },
        values: { env: c.labels['env'] },
      });
      expect(p['generator']).toEqual({ input: { parameters: {} } });
    }
  });
});

describe('selectors', () => {
  test('input.parameters.selector (the service filters)', async () => {
    const selector = {
      matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'staging'] }],
    };
    const params = await pluginParams(true, { selector });
    const want = active().filter((c) => ['dev', 'staging'].includes(c.labels['env'] ?? ''));
    expect(want.length).toBeGreaterThan(0);
    expect(params.map((p) => p['name']).sort()).toEqual(want.map((c) => c.name).sort());
  });

  test('Argo CD generator-level selector over the flattened params (the controller filters)', async () => {
    const appSet = { name: 'eks', goTemplate: true };
    const generator = {
      plugin: { configMapRef: { name: 'eks-cluster-generator' } },
      selector: { matchLabels: { 'aws.region': 'eu-west-1', 'metadata.labels.env': 'prod' } },
    };
    const r = await generateParams(generator, { appSet, env });
    if ('error' in r) throw new Error(r.error);
    const want = active().filter((c) => c.aws.region === 'eu-west-1' && c.labels['env'] === 'prod');
    expect(want.length).toBeGreaterThan(0);
    expect(r.params.map((p) => p['name']).sort()).toEqual(want.map((c) => c.name).sort());
  });

  test('regions and accountIds together', async () => {
    const acct = active()[0]?.aws.accountId ?? '';
    const params = await pluginParams(false, { regions: ['us-east-1'], accountIds: [acct] });
    const want = active().filter((c) => c.aws.region === 'us-east-1' && c.aws.accountId === acct);
    expect(params.map((p) => p['name']).sort()).toEqual(want.map((c) => c.name).sort());
  });
});

describe('flatList', () => {
  test('goTemplate: one param set holding every cluster under `clusters`', async () => {
    const params = await pluginParams(true, { flatList: true });
    expect(params).toHaveLength(1);
    const clusters = params[0]?.['clusters'] as { name: string }[];
    expect(clusters.map((c) => c.name).sort()).toEqual(
      active()
        .map((c) => c.name)
        .sort(),
    );
  });

  test('flat: the list flattens to clusters.<i>.<key>', async () => {
    const params = await pluginParams(false, { flatList: true });
    expect(params).toHaveLength(1);
    const p = params[0] ?? {};
    const names = Object.keys(p)
      .filter((k) => /^clusters\.\d+\.name$/.test(k))
      .map((k) => p[k]);
    expect(names.sort()).toEqual(
      active()
        .map((c) => c.name)
        .sort(),
    );
    expect(p['clusters.0.aws.accountId']).toMatch(/^\d{12}$/);
  });

  test('a template iterating the list in one Application', async () => {
    const appSet = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'fleet-index', namespace: 'argocd' },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [
          {
            plugin: {
              configMapRef: { name: 'eks-cluster-generator' },
              input: { parameters: { flatList: true } },
            },
          },
        ],
        template: {
          metadata: { name: 'fleet-index' },
          spec: {
            project: 'default',
            source: {
              repoURL: 'https://example.com/r.git',
              path: 'index',
              plugin: {
                env: [
                  {
                    name: 'CLUSTERS',
                    value:
                      '{{ range $i, $c := .clusters }}{{ if $i }},{{ end }}{{ $c.name }}{{ end }}',
                  },
                ],
              },
            },
            destination: { server: 'https://kubernetes.default.svc', namespace: 'x' },
          },
        },
      },
    };
    const r = await renderApplicationSet(appSet, env);
    if ('error' in r) throw new Error(r.error);
    const spec = r.applications[0]?.spec as {
      source: { plugin: { env: { value: string }[] } };
    };
    const value = spec.source.plugin.env[0]?.value ?? '';
    expect(value.split(',').sort()).toEqual(
      active()
        .map((c) => c.name)
        .sort(),
    );
  });
});

/** A template written for Argo CD's native `clusters:` generator. */
function clustersStyleTemplate(goTemplate: boolean) {
  const t = (go: string, flat: string) => (goTemplate ? go : flat);
  return {
    metadata: {
      name: t('guestbook-{{ .nameNormalized }}', 'guestbook-{{nameNormalized}}'),
      labels: { env: t('{{ index .metadata.labels "env" }}', '{{metadata.labels.env}}') },
      annotations: {
        'example.com/cluster': t('{{ .name }}', '{{name}}'),
        'example.com/account': t(
          '{{ index .metadata.annotations "aws_account_id" }}',
          '{{metadata.annotations.aws_account_id}}',
        ),
      },
    },
    spec: {
      project: t('{{ if .project }}{{ .project }}{{ else }}default{{ end }}', 'default'),
      source: {
        repoURL: 'https://github.com/argoproj/argocd-example-apps.git',
        targetRevision: 'HEAD',
        path: 'guestbook',
        helm: {
          valuesObject: {
            cluster: t('{{ .name }}', '{{name}}'),
            region: t(
              '{{ index .metadata.annotations "aws_region" }}',
              '{{metadata.annotations.aws_region}}',
            ),
          },
        },
      },
      destination: { server: t('{{ .server }}', '{{server}}'), namespace: 'guestbook' },
    },
  };
}

function appSetWith(generator: Record<string, unknown>, goTemplate: boolean) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'guestbook', namespace: 'argocd' },
    spec: {
      goTemplate,
      ...(goTemplate ? { goTemplateOptions: ['missingkey=error'] } : {}),
      generators: [generator],
      template: clustersStyleTemplate(goTemplate),
    },
  };
}

describe('a native clusters:-style template renders the same from the plugin and from cluster Secrets', () => {
  // The same clusters both ways: the ACTIVE ones (the service's default), registered as cluster Secrets.
  const selector = { matchExpressions: [{ key: 'env', operator: 'Exists' }] };
  const nativeEnv = (): ArgoCdEnv => ({
    ...env,
    secrets: [...(env.secrets ?? []), ...active().map((c) => clusterSecretFor(c))],
  });

  test.each([true, false])('goTemplate=%s: identical Applications', async (goTemplate) => {
    const fromPlugin = await renderApplicationSet(
      appSetWith(
        {
          plugin: {
            configMapRef: { name: 'eks-cluster-generator' },
            input: { parameters: { selector } },
          },
        },
        goTemplate,
      ),
      env,
    );
    const fromSecrets = await renderApplicationSet(
      appSetWith({ clusters: { selector } }, goTemplate),
      nativeEnv(),
    );
    if ('error' in fromPlugin) throw new Error(fromPlugin.error);
    if ('error' in fromSecrets) throw new Error(fromSecrets.error);
    expect(fromPlugin.applications).toHaveLength(active().length);
    expect(byName(fromPlugin.applications)).toEqual(byName(fromSecrets.applications));
    const one = fromPlugin.applications.find((a: Application) =>
      a.metadata.annotations?.['example.com/account']?.startsWith('0'),
    );
    expect(one?.metadata.annotations?.['example.com/account']).toMatch(/^0\d{11}$/);
  });

  test('goTemplate params: the native shape exactly, but for the secret-type label and `generator`', async () => {
    const appSet = { name: 'guestbook', goTemplate: true };
    const plugin = await generateParams(
      { plugin: { configMapRef: { name: 'eks-cluster-generator' } } },
      { appSet, env },
    );
    const native = await generateParams({ clusters: { selector } }, { appSet, env: nativeEnv() });
    if ('error' in plugin) throw new Error(plugin.error);
    if ('error' in native) throw new Error(native.error);
    expect(native.params).toHaveLength(plugin.params.length);
    for (const n of native.params) {
      const p = plugin.params.find((x) => x['name'] === n['name']) as Params;
      const nativeLabels = (n['metadata'] as { labels: Record<string, string> }).labels;
      const { [SECRET_TYPE_LABEL]: secretType, ...labels } = nativeLabels;
      expect(secretType).toBe('cluster');
      expect({
        name: p['name'],
        nameNormalized: p['nameNormalized'],
        server: p['server'],
        project: p['project'],
        metadata: p['metadata'],
      }).toEqual({ ...n, metadata: { ...(n['metadata'] as object), labels } });
    }
  });

  test('flat params: every native key has the same value, but for the secret-type label; `generator` is extra', async () => {
    const appSet = { name: 'guestbook', goTemplate: false };
    const plugin = await generateParams(
      { plugin: { configMapRef: { name: 'eks-cluster-generator' } } },
      { appSet, env },
    );
    const native = await generateParams({ clusters: { selector } }, { appSet, env: nativeEnv() });
    if ('error' in plugin) throw new Error(plugin.error);
    if ('error' in native) throw new Error(native.error);
    const secretTypeKey = `metadata.labels.${SECRET_TYPE_LABEL}`;
    for (const n of native.params) {
      const p = plugin.params.find((x) => x['name'] === n['name']) as Params;
      expect(n[secretTypeKey]).toBe('cluster');
      const { [secretTypeKey]: _ignored, ...nativeRest } = n;
      expect(p).toMatchObject(nativeRest);
      const metaKeys = (o: Params) =>
        Object.keys(o)
          .filter((k) => k.startsWith('metadata.'))
          .sort();
      expect(metaKeys(p)).toEqual(metaKeys(nativeRest));
      expect('generator' in p && !('generator' in n)).toBe(true);
    }
  });
});

describe('the worked examples under manifests/examples render against the service', () => {
  test('plugin-generator-gotemplate.yaml: one guestbook per dev/staging cluster', async () => {
    const { parse } = await import('yaml');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.resolve(
      __dirname,
      '../../manifests/examples/plugin-generator-gotemplate.yaml',
    );
    const r = await renderApplicationSet(parse(fs.readFileSync(file, 'utf8')), env);
    if ('error' in r) throw new Error(r.error);
    const want = active().filter((c) => ['dev', 'staging'].includes(c.labels['env'] ?? ''));
    expect(r.applications.map((a) => a.metadata.name).sort()).toEqual(
      want.map((c) => `guestbook-${c.nameNormalized}`).sort(),
    );
    for (const a of r.applications) {
      const c = want.find((x) => `guestbook-${x.nameNormalized}` === a.metadata.name) as Cluster;
      expect((a.spec as { destination: { server: string } }).destination.server).toBe(c.server);
      expect(a.metadata.annotations?.['aws-region']).toBe(c.aws.region);
    }
  });
});

describe('more worked examples', () => {
  const load = async (name: string) => {
    const { parse } = await import('yaml');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.resolve(__dirname, '../../manifests/examples', name);
    return parse(fs.readFileSync(file, 'utf8')) as unknown;
  };

  test('plugin-generator-flat.yaml: flat mode, account ids reach Helm parameters as exact strings', async () => {
    const r = await renderApplicationSet(await load('plugin-generator-flat.yaml'), env);
    if ('error' in r) throw new Error(r.error);
    const prod = active().filter((c) => c.labels['env'] === 'prod');
    expect(r.applications.map((a) => a.metadata.name).sort()).toEqual(
      prod.map((c) => `cluster-info-${c.nameNormalized}`).sort(),
    );
    for (const a of r.applications) {
      const c = prod.find((x) => `cluster-info-${x.nameNormalized}` === a.metadata.name) as Cluster;
      const helm = (
        a.spec as { source: { helm: { parameters: { name: string; value: string }[] } } }
      ).source.helm.parameters;
      expect(helm.find((p) => p.name === 'cluster.accountId')?.value).toBe(c.aws.accountId);
      expect(JSON.stringify(a)).not.toContain('{{');
    }
  });

  test('matrix-apps-by-clusters.yaml: git directories × plugin, one service call per directory', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-'));
    try {
      for (const d of ['apps/ingress', 'apps/monitoring', 'charts/x']) {
        fs.mkdirSync(path.join(root, d), { recursive: true });
      }
      const calls: string[] = [];
      const r = await renderApplicationSet(await load('matrix-apps-by-clusters.yaml'), {
        ...env,
        gitRepos: { 'https://github.com/example-org/platform.git': root },
        transport: (req) => {
          calls.push(req.url);
          return goHttpDo(req);
        },
      });
      expect(calls).toHaveLength(2);
      if ('error' in r) throw new Error(r.error);
      const nonProd = active().filter((c) => c.labels['env'] !== 'prod');
      const want = ['ingress', 'monitoring'].flatMap((app) =>
        nonProd.map((c) => `${app}-${c.nameNormalized}`),
      );
      expect(r.applications.map((a) => a.metadata.name).sort()).toEqual(want.sort());
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

test('the install ConfigMap and token Secret (manifests/base/plugin-generator) work as Argo CD reads them', async () => {
  const { parse } = await import('yaml');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const dir = path.resolve(__dirname, '../../manifests/base/plugin-generator');
  const cm = parse(fs.readFileSync(path.join(dir, 'plugin-configmap.yaml'), 'utf8')) as {
    metadata: { name: string };
    data: Record<string, string>;
  };
  const secret = parse(fs.readFileSync(path.join(dir, 'token-secret.yaml'), 'utf8')) as {
    metadata: { name: string };
    stringData: Record<string, string>;
  };
  const ns = 'argocd';
  const result = await emulatePluginGenerator({
    applicationSet: { name: 'eks', goTemplate: true },
    controllerNamespace: ns,
    // Only the URL differs in a test; the token reference and requestTimeout are the install's own.
    configMap: { name: cm.metadata.name, namespace: ns, data: { ...cm.data, baseUrl: gen.url } },
    secret: {
      name: secret.metadata.name,
      namespace: ns,
      data: Object.fromEntries(Object.keys(secret.stringData).map((k) => [k, `${gen.token}\n`])),
    },
    generator: { configMapRef: { name: cm.metadata.name } },
  });
  expect('params' in result && result.params.length).toBe(active().length);
});

describe('failure path', () => {
  test('a service that cannot load its fleet answers 503; Argo CD reports it and keeps its Applications', async () => {
    const metrics = createServiceMetrics();
    const registry = createFleetRegistry({
      source: { kind: 'file', load: () => Promise.reject(new Error('fleet file unreadable')) },
      log: silentLogger,
      metrics,
    });
    await registry.refresh();
    const app = createApp({
      registry,
      tokens: { current: () => 't0ken' },
      log: silentLogger,
      metrics,
    });
    const server = createServer(app).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const raw = await sendRaw(
        `${url}/api/v1/getparams.execute`,
        'POST',
        { 'Content-Type': 'application/json', Authorization: 'Bearer t0ken' },
        Buffer.from('{"applicationSetName":"guestbook","input":{}}\n'),
      );
      expect(raw.status).toBe(503);
      const message = (JSON.parse(raw.body.toString('utf8')) as { message: string }).message;
      expect(message.length).toBeGreaterThan(0);

      const failing = pluginGeneratorEnv({ baseUrl: url, token: 't0ken' });
      const r = await renderApplicationSet(
        appSetWith({ plugin: { configMapRef: { name: 'eks-cluster-generator' } } }, true),
        failing,
      );
      expect(r).toEqual({
        error: `error listing params: error get api 'guestbook': API error with status code 503: ${message}`,
      });
    } finally {
      await registry.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('a wrong token: 403 surfaces as the ApplicationSet error', async () => {
    const wrong = pluginGeneratorEnv({ baseUrl: gen.url, token: 'not-the-token' });
    const r = await renderApplicationSet(
      appSetWith({ plugin: { configMapRef: { name: 'eks-cluster-generator' } } }, false),
      wrong,
    );
    expect('error' in r && r.error).toMatch(
      /^error listing params: error get api 'guestbook': API error with status code 403: .+/,
    );
  });
});
