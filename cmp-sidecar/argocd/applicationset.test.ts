import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { clusterFromRecord } from '../../core/cluster';
import type { ClusterRecord } from '../../core/cluster';
import {
  IN_CLUSTER_SERVER,
  SECRET_TYPE_LABEL,
  UnsupportedGeneratorError,
  clusterSecretFor,
  generateParams,
  goPathMatch,
  listGitDirectories,
  pluginGeneratorEnv,
  renderApplicationSet,
} from './applicationset';
import type { ArgoCdEnv } from './applicationset';
import type { SecretObject } from './plugin-generator';

const record: ClusterRecord = {
  accountId: '012345678901',
  region: 'eu-west-1',
  clusterName: 'prod-eu-1',
  arn: 'arn:aws:eks:eu-west-1:012345678901:cluster/prod-eu-1',
  version: '1.30',
  platformVersion: 'eks.5',
  status: 'ACTIVE',
  endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC',
  vpcId: 'vpc-1',
  tags: { env: 'prod', team: 'platform', 'argocd-eks-plugins/project': 'fleet' },
  caData: 'LS0tLS1CRUdJTi==',
};
const mapped = clusterFromRecord(record);
if (!mapped.cluster) throw new Error(mapped.issues.join('; '));
const cluster = mapped.cluster;

const clusterSecret = (
  name: string,
  server: string,
  labels: Record<string, string> = {},
): SecretObject => ({
  name: `s-${name}`,
  namespace: 'argocd',
  labels: { [SECRET_TYPE_LABEL]: 'cluster', ...labels },
  annotations: { note: 'n' },
  data: { name, server, config: '{}' },
});

const appSet = (spec: Record<string, unknown>) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'ApplicationSet',
  metadata: { name: 'set', namespace: 'argocd' },
  spec,
});

describe('clusterSecretFor: an Argo CD cluster Secret (C1) from the cluster model', () => {
  test('labels + secret-type label, annotations, data name/server/config/project', () => {
    const s = clusterSecretFor(cluster, { roleARN: 'arn:aws:iam::012345678901:role/argocd' });
    expect(s.labels).toEqual({ ...cluster.labels, [SECRET_TYPE_LABEL]: 'cluster' });
    expect(s.annotations).toEqual(cluster.annotations);
    expect(s.namespace).toBe('argocd');
    expect(s.data).toMatchObject({ name: cluster.name, server: cluster.server, project: 'fleet' });
    expect(s.data?.['server']).not.toMatch(/\/$/);
    expect(JSON.parse(s.data?.['config'] ?? '')).toEqual({
      awsAuthConfig: { clusterName: 'prod-eu-1', roleARN: 'arn:aws:iam::012345678901:role/argocd' },
      tlsClientConfig: { insecure: false, caData: 'LS0tLS1CRUdJTi==' },
    });
  });
});

describe('clusters generator (C2)', () => {
  const env: ArgoCdEnv = {
    secrets: [
      clusterSecret('b', 'https://b.example', { env: 'prod' }),
      clusterSecret('a', 'https://a.example', { env: 'dev' }),
      { name: 'not-a-cluster', namespace: 'argocd', data: { name: 'x', server: 'https://x' } },
      { ...clusterSecret('other-ns', 'https://o'), namespace: 'elsewhere' },
    ],
  };
  const run = (goTemplate: boolean, clusters: Record<string, unknown>, e: ArgoCdEnv = env) =>
    generateParams({ clusters }, { appSet: { name: 'set', goTemplate }, env: e });

  test('flat: metadata.* keys from the raw Secret metadata, secret-type label included; in-cluster first', async () => {
    const r = await run(false, { values: { v: '{{name}}-{{metadata.labels.env}}' } });
    expect(r).toEqual({
      params: [
        {
          name: 'in-cluster',
          nameNormalized: 'in-cluster',
          server: IN_CLUSTER_SERVER,
          project: '',
          'values.v': 'in-cluster-{{metadata.labels.env}}',
        },
        {
          name: 'a',
          nameNormalized: 'a',
          server: 'https://a.example',
          project: '',
          'metadata.labels.argocd.argoproj.io/secret-type': 'cluster',
          'metadata.labels.env': 'dev',
          'metadata.annotations.note': 'n',
          'values.v': 'a-dev',
        },
        {
          name: 'b',
          nameNormalized: 'b',
          server: 'https://b.example',
          project: '',
          'metadata.labels.argocd.argoproj.io/secret-type': 'cluster',
          'metadata.labels.env': 'prod',
          'metadata.annotations.note': 'n',
          'values.v': 'b-prod',
        },
      ],
    });
  });

  test('goTemplate: metadata holds labels/annotations maps; in-cluster has no metadata key', async () => {
    const r = await run(true, {});
    if ('error' in r) throw new Error(r.error);
    expect(r.params[1]).toEqual({
      name: 'a',
      nameNormalized: 'a',
      server: 'https://a.example',
      project: '',
      metadata: {
        labels: { [SECRET_TYPE_LABEL]: 'cluster', env: 'dev' },
        annotations: { note: 'n' },
      },
    });
    expect(r.params[0]).toEqual({
      name: 'in-cluster',
      nameNormalized: 'in-cluster',
      server: IN_CLUSTER_SERVER,
      project: '',
    });
  });

  test('a selector filters Secrets by label and drops the local cluster', async () => {
    const r = await run(true, { selector: { matchLabels: { env: 'prod' } } });
    if ('error' in r) throw new Error(r.error);
    expect(r.params.map((p) => p['name'])).toEqual(['b']);
  });

  test('no local cluster when a Secret already has its server', async () => {
    const e = { secrets: [...(env.secrets ?? []), clusterSecret('local', IN_CLUSTER_SERVER)] };
    const r = await run(true, {}, e);
    if ('error' in r) throw new Error(r.error);
    expect(r.params.map((p) => p['name'])).toEqual(['a', 'b', 'local']);
  });

  test('flatList: one param set `{clusters: [...]}`', async () => {
    const r = await run(true, { flatList: true, selector: { matchLabels: { env: 'dev' } } });
    if ('error' in r) throw new Error(r.error);
    expect(r.params).toHaveLength(1);
    expect((r.params[0]?.['clusters'] as { name: string }[]).map((c) => c.name)).toEqual(['a']);
  });
});

describe('list generator', () => {
  test('goTemplate keeps elements; flat needs strings and maps `values`', async () => {
    const gen = { list: { elements: [{ a: 'x', values: { k: 'v' } }] } };
    const go = await generateParams(gen, { appSet: { name: 's', goTemplate: true }, env: {} });
    expect(go).toEqual({ params: [{ a: 'x', values: { k: 'v' } }] });
    const flat = await generateParams(gen, { appSet: { name: 's', goTemplate: false }, env: {} });
    expect(flat).toEqual({ params: [{ a: 'x', 'values.k': 'v' }] });
    const bad = await generateParams(
      { list: { elements: [{ n: 1 }] } },
      { appSet: { name: 's', goTemplate: false }, env: {} },
    );
    expect(bad).toEqual({ error: 'error parsing value as string: %!w(<nil>)' });
  });
});

describe('git directories generator over a local checkout', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-git-'));
    for (const d of [
      'apps/guestbook',
      'apps/My_App',
      'apps/skip',
      'apps/guestbook/sub',
      '.git/x',
      'other',
    ]) {
      fs.mkdirSync(path.join(root, d), { recursive: true });
    }
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('directories are listed like the repo-server (hidden ones skipped)', () => {
    expect(listGitDirectories(root)).toEqual([
      'apps',
      'apps/My_App',
      'apps/guestbook',
      'apps/guestbook/sub',
      'apps/skip',
      'other',
    ]);
  });

  test('path.Match globs: * stays within one segment; exclude wins', () => {
    expect(goPathMatch('apps/*', 'apps/x')).toBe(true);
    expect(goPathMatch('apps/*', 'apps/x/y')).toBe(false);
    expect(goPathMatch('apps/[gs]*', 'apps/skip')).toBe(true);
    expect(goPathMatch('apps/?kip', 'apps/skip')).toBe(true);
  });

  const git = {
    git: {
      repoURL: 'https://example.com/repo.git',
      revision: 'main',
      directories: [{ path: 'apps/*' }, { path: 'apps/skip', exclude: true }],
    },
  };
  test('goTemplate: path.path, path.basename, path.basenameNormalized, path.segments', async () => {
    const r = await generateParams(git, {
      appSet: { name: 's', goTemplate: true },
      env: { gitRepos: { 'https://example.com/repo.git': root } },
    });
    expect(r).toEqual({
      params: [
        {
          path: {
            path: 'apps/My_App',
            basename: 'My_App',
            basenameNormalized: 'my-app',
            segments: ['apps', 'My_App'],
          },
        },
        {
          path: {
            path: 'apps/guestbook',
            basename: 'guestbook',
            basenameNormalized: 'guestbook',
            segments: ['apps', 'guestbook'],
          },
        },
      ],
    });
  });
  test('flat: path, path.basename, path.basenameNormalized, path[n]', async () => {
    const r = await generateParams(git, {
      appSet: { name: 's', goTemplate: false },
      env: { gitRepos: { 'https://example.com/repo.git': root } },
    });
    if ('error' in r) throw new Error(r.error);
    expect(r.params[0]).toEqual({
      path: 'apps/My_App',
      'path.basename': 'My_App',
      'path.basenameNormalized': 'my-app',
      'path[0]': 'apps',
      'path[1]': 'My_App',
    });
  });
});

/** A fake plugin service answering one cluster per requested region, recording request bodies. */
async function regionPlugin() {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      const parsed = JSON.parse(body) as { input: { parameters?: { regions?: string[] } } };
      const regions = parsed.input.parameters?.regions ?? ['us-east-1'];
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          output: { parameters: regions.map((r) => ({ name: `c-${r}`, region: r })) },
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    bodies,
    env: pluginGeneratorEnv({ baseUrl: url, token: 'tok' }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('matrix', () => {
  test('the second child is templated with each first-child param set (one call each); goTemplate merge', async () => {
    const plugin = await regionPlugin();
    try {
      const r = await renderApplicationSet(
        appSet({
          goTemplate: true,
          goTemplateOptions: ['missingkey=error'],
          generators: [
            {
              matrix: {
                generators: [
                  {
                    list: {
                      elements: [
                        { region: 'eu-west-1', app: 'a' },
                        { region: 'us-east-1', app: 'b' },
                      ],
                    },
                  },
                  {
                    plugin: {
                      configMapRef: { name: 'eks-cluster-generator' },
                      input: { parameters: { regions: ['{{ .region }}'] } },
                    },
                  },
                ],
              },
            },
          ],
          template: {
            metadata: { name: '{{ .app }}-{{ .name }}' },
            spec: {
              destination: { name: '{{ .name }}', namespace: '{{ .app }}' },
              project: 'default',
            },
          },
        }),
        plugin.env,
      );
      expect(plugin.bodies).toEqual([
        '{"applicationSetName":"set","input":{"parameters":{"regions":["eu-west-1"]}}}\n',
        '{"applicationSetName":"set","input":{"parameters":{"regions":["us-east-1"]}}}\n',
      ]);
      if ('error' in r) throw new Error(r.error);
      expect(r.applications.map((a) => a.metadata.name)).toEqual([
        'a-c-eu-west-1',
        'b-c-us-east-1',
      ]);
      expect(r.applications[0]).toEqual({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: 'a-c-eu-west-1',
          namespace: 'argocd',
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: { destination: { name: 'c-eu-west-1', namespace: 'a' }, project: 'default' },
      });
    } finally {
      await plugin.close();
    }
  });

  test('flat mode: two plugin children with different inputs clash on `generator`', async () => {
    const plugin = await regionPlugin();
    try {
      const child = (regions: string[]) => ({
        plugin: {
          configMapRef: { name: 'eks-cluster-generator' },
          input: { parameters: { regions } },
        },
      });
      const r = await renderApplicationSet(
        appSet({
          generators: [{ matrix: { generators: [child(['eu-west-1']), child(['us-east-1'])] } }],
          template: { metadata: { name: '{{name}}' }, spec: {} },
        }),
        plugin.env,
      );
      expect('error' in r && r.error).toMatch(
        /^failed to combine string maps with merging params for the matrix generator: found duplicate key (name|region|generator) with different value/,
      );
    } finally {
      await plugin.close();
    }
  });
});

describe('renderApplicationSet', () => {
  test('flat mode renders every string and map key; unknown tags stay literal; preserveResourcesOnDeletion', async () => {
    const r = await renderApplicationSet(
      appSet({
        syncPolicy: { preserveResourcesOnDeletion: true },
        generators: [{ list: { elements: [{ cluster: 'c1', url: 'https://c1' }] } }],
        template: {
          metadata: { name: '{{cluster}}-app', labels: { '{{cluster}}': 'yes' } },
          spec: { destination: { server: '{{url}}' }, info: '{{nope}}', replicas: 2 },
        },
      }),
    );
    expect(r).toEqual({
      applications: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'c1-app', namespace: 'argocd', labels: { c1: 'yes' } },
          spec: { destination: { server: 'https://c1' }, info: '{{nope}}', replicas: 2 },
        },
      ],
    });
  });

  test('a template error is the ApplicationSet error', async () => {
    const r = await renderApplicationSet(
      appSet({
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ list: { elements: [{ a: 'x' }] } }],
        template: { metadata: { name: '{{ .b }}' }, spec: {} },
      }),
    );
    expect(r).toEqual({
      error:
        'error generating application from params: failed to execute go template {{ .b }}: template: :1:3: executing "" at <.b>: map has no entry for key "b"',
    });
  });

  test('generators outside the emulation throw, naming the ApplicationSet and the generator', async () => {
    await expect(
      renderApplicationSet(appSet({ generators: [{ scmProvider: {} }], template: {} })),
    ).rejects.toThrow(
      new UnsupportedGeneratorError(
        'ApplicationSet "set": spec.generators[0]: generator "scmProvider" is not emulated',
      ),
    );
  });

  test('a template function outside the subset throws, naming the ApplicationSet, the field and the function', async () => {
    await expect(
      renderApplicationSet(
        appSet({
          goTemplate: true,
          generators: [{ list: { elements: [{ a: 'x' }] } }],
          template: { metadata: { name: 'x' }, spec: { source: { path: '{{ toYaml .a }}' } } },
        }),
      ),
    ).rejects.toThrow(
      'ApplicationSet "set": spec.template: spec.source.path: go-template emulation: function "toYaml" is not supported',
    );
  });
});

test('flat mode: a string whose {{ and }} are not on one line is not templated (Render.Replace gate)', async () => {
  const r = await renderApplicationSet(
    appSet({
      generators: [{ list: { elements: [{ a: 'x' }] } }],
      template: { metadata: { name: '{{a}}' }, spec: { one: '{{a', two: '{{\na}}' } },
    }),
  );
  expect('applications' in r && r.applications[0]?.spec).toEqual({ one: '{{a', two: '{{\na}}' });
});

test('an empty param set leaves the template untouched and adds no finalizer', async () => {
  const r = await renderApplicationSet(
    appSet({
      goTemplate: true,
      generators: [{ list: { elements: [{}] } }],
      template: { metadata: { name: '{{ .x }}' }, spec: {} },
    }),
  );
  expect('applications' in r && r.applications[0]?.metadata).toEqual({
    name: '{{ .x }}',
    namespace: 'argocd',
  });
});

test('matrix: interpolated plugin parameters are re-marshalled by Go (HTML-escaped bytes on the wire)', async () => {
  const plugin = await regionPlugin();
  try {
    await renderApplicationSet(
      appSet({
        goTemplate: true,
        generators: [
          {
            matrix: {
              generators: [
                { list: { elements: [{ region: 'eu-west-1', note: '<a&b>' }] } },
                {
                  plugin: {
                    configMapRef: { name: 'eks-cluster-generator' },
                    input: { parameters: { regions: ['{{ .region }}'], names: ['{{ .note }}'] } },
                  },
                },
              ],
            },
          },
        ],
        template: { metadata: { name: '{{ .name }}' }, spec: {} },
      }),
      plugin.env,
    );
    expect(plugin.bodies).toEqual([
      '{"applicationSetName":"set","input":{"parameters":{"names":["\\u003ca\\u0026b\\u003e"],"regions":["eu-west-1"]}}}\n',
    ]);
  } finally {
    await plugin.close();
  }
});

test('matrix goTemplate merge: the first child wins, nested maps merge, an empty list does not erase', async () => {
  const r = await generateParams(
    {
      matrix: {
        generators: [
          { list: { elements: [{ k: 'a', m: { x: '1' }, l: [] }] } },
          { list: { elements: [{ k: 'b', m: { y: '2' }, l: ['kept'], only: 'b' }] } },
        ],
      },
    },
    { appSet: { name: 's', goTemplate: true }, env: {} },
  );
  expect(r).toEqual({ params: [{ k: 'a', m: { x: '1', y: '2' }, l: ['kept'], only: 'b' }] });
});

describe('git files generator (over a local checkout)', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-gitfiles-'));
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    write('clusters/eu/Config.yaml', 'cluster:\n  name: eu\n  port: 443\n');
    write('clusters/us/Config.yaml', '- cluster: { name: us-a }\n- cluster: { name: us-b }\n');
    write('clusters/old/Config.yaml', 'cluster: { name: old }\n');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const files = {
    git: {
      repoURL: 'https://example.com/repo.git',
      files: [{ path: 'clusters/*/Config.yaml' }, { path: 'clusters/old/**', exclude: true }],
    },
  };

  test('goTemplate: the content as is, a list gives one set per element, path params with filename', async () => {
    const r = await generateParams(files, {
      appSet: { name: 's', goTemplate: true },
      env: { gitRepos: { 'https://example.com/repo.git': root } },
    });
    expect(r).toEqual({
      params: [
        {
          cluster: { name: 'eu', port: 443 },
          path: {
            path: 'clusters/eu',
            basename: 'eu',
            filename: 'Config.yaml',
            basenameNormalized: 'eu',
            filenameNormalized: 'config.yaml',
            segments: ['clusters', 'eu'],
          },
        },
        expect.objectContaining({ cluster: { name: 'us-a' } }),
        expect.objectContaining({ cluster: { name: 'us-b' } }),
      ],
    });
  });

  test('flat: flattened content through %v, and path, path.filename, path[n]', async () => {
    const r = await generateParams(files, {
      appSet: { name: 's', goTemplate: false },
      env: { gitRepos: { 'https://example.com/repo.git': root } },
    });
    if ('error' in r) throw new Error(r.error);
    expect(r.params[0]).toEqual({
      'cluster.name': 'eu',
      'cluster.port': '443',
      path: 'clusters/eu',
      'path.basename': 'eu',
      'path.filename': 'Config.yaml',
      'path.basenameNormalized': 'eu',
      'path.filenameNormalized': 'config.yaml',
      'path[0]': 'clusters',
      'path[1]': 'eu',
    });
  });
});

describe('merge generator', () => {
  const merge = (mergeKeys: string[], second: unknown[]) => ({
    merge: {
      mergeKeys,
      generators: [
        {
          list: {
            elements: [
              { name: 'a', v: '1' },
              { name: 'b', v: '1' },
            ],
          },
        },
        { list: { elements: second } },
      ],
    },
  });

  test('later children override the base sets with the same merge key; sets without a base are dropped', async () => {
    const r = await renderApplicationSet(
      appSet({
        goTemplate: true,
        generators: [
          merge(
            ['name'],
            [
              { name: 'b', v: '2', extra: 'x' },
              { name: 'c', v: '3' },
            ],
          ),
        ],
        template: { metadata: { name: '{{ .name }}-{{ .v }}' }, spec: {} },
      }),
    );
    if ('error' in r) throw new Error(r.error);
    expect(r.applications.map((a) => a.metadata.name)).toEqual(['a-1', 'b-2']);
  });

  test('a merge key that is not unique in a child is an error, as are missing keys', async () => {
    const dup = await renderApplicationSet(
      appSet({
        goTemplate: true,
        generators: [merge(['v'], [])],
        template: { metadata: { name: 'x' }, spec: {} },
      }),
    );
    expect(dup).toEqual({
      error:
        'the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was {"v":"1"}',
    });
    const none = await renderApplicationSet(
      appSet({ generators: [merge([], [])], template: { metadata: { name: 'x' }, spec: {} } }),
    );
    expect(none).toEqual({ error: 'no merge keys were specified' });
  });
});

describe('templatePatch', () => {
  test('rendered with the params, then merged into the Application: maps merge, lists replace, null deletes', async () => {
    const r = await renderApplicationSet(
      appSet({
        goTemplate: true,
        generators: [{ list: { elements: [{ name: 'a', auto: true }] } }],
        template: {
          metadata: { name: '{{ .name }}', labels: { keep: 'yes', drop: 'no' } },
          spec: { project: 'p', syncPolicy: { syncOptions: ['A=true'] } },
        },
        templatePatch: `metadata:
  labels:
    drop: null
    added: '{{ .name }}'
spec:
  {{- if .auto }}
  syncPolicy:
    automated: { prune: true }
    syncOptions: [B=true]
  {{- end }}
`,
      }),
    );
    if ('error' in r) throw new Error(r.error);
    expect(r.applications[0]?.metadata.labels).toEqual({ keep: 'yes', added: 'a' });
    expect(r.applications[0]?.spec).toEqual({
      project: 'p',
      syncPolicy: { automated: { prune: true }, syncOptions: ['B=true'] },
    });
  });
});
