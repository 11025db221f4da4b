import { EmptyRenderError, RenderError, SecretError } from '../../core/errors';
import { tempDir, writeTree } from '../../test/cmp/helpers';
import { parseOverlayConfig } from '../config';
import { renderApp } from './pipeline';
import type { ObjectStage } from './stages';
import type { ArgoEnv, RenderedObject } from './types';

const env: ArgoEnv = {
  appName: 'web',
  appNamespace: 'web',
  projectName: 'default',
  revision: '',
  revisionShort: '',
  sourceRepoUrl: '',
  sourcePath: '',
  targetRevision: '',
  kubeVersion: '1.31.0',
  kubeApiVersions: [],
  userEnv: {},
  parameters: [],
};
const cluster = { name: 'prod', metadata: { labels: { env: 'prod' }, annotations: {} } };

let app: ReturnType<typeof tempDir>;
beforeEach(() => {
  app = tempDir('eks-overlay-pipeline-');
  writeTree(app.dir, {
    'base/a.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  url: x\n',
    'envs/prod/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
  });
});
afterEach(() => app.cleanup());

const render = (layers: string, stages: ObjectStage[], allowEmpty = false) =>
  renderApp({
    appDir: app.dir,
    rootDir: app.dir,
    config: parseOverlayConfig(
      `layers: ${layers}\nallowEmpty: ${allowEmpty}\n`,
      'eks-overlay.yaml',
    ),
    env,
    cluster,
    warn: () => undefined,
    debug: () => undefined,
    stages,
  });

describe('the template scope', () => {
  test.each(['1.31', '1.31.2', 'v1.31.2-eks-1a2b3c4'])(
    'KUBE_VERSION %s: templates get kubeVersion as sent and kubeMinor 1.31',
    async (kubeVersion) => {
      writeTree(app.dir, {
        'versions/cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: v\ndata:\n  raw: "{{kubeVersion}}"\n  minor: "{{kubeMinor}}"\n',
      });
      const out = await renderApp({
        appDir: app.dir,
        rootDir: app.dir,
        config: parseOverlayConfig('layers: [versions]\n', 'eks-overlay.yaml'),
        env: { ...env, kubeVersion },
        cluster,
        warn: () => undefined,
        debug: () => undefined,
        stages: [],
      });
      expect(out.objects[0]!.object['data']).toEqual({ raw: kubeVersion, minor: '1.31' });
    },
  );
});

describe('layer files', () => {
  test('.json manifests are read like YAML ones (as Argo CD reads a directory), templated and merged', async () => {
    writeTree(app.dir, {
      'json/cm.json':
        '{\n\t"apiVersion": "v1",\n\t"kind": "ConfigMap",\n\t"metadata": {"name": "c"},\n\t"data": {"env": "{{cluster.metadata.labels.env}}", "n": "1"}\n}\n',
      'json/notes.txt': 'not a manifest',
    });
    const out = await render('[envs/prod, json]', []);
    expect(out.objects.map((o) => [o.object['metadata'], o.object['data']])).toEqual([
      [{ name: 'c' }, { env: 'prod', n: '1' }],
    ]);
  });

  test('a .json file with a syntax error names file:line', async () => {
    writeTree(app.dir, {
      'json/bad.json': '{\n  "apiVersion": "v1",\n  "kind": ConfigMap\n  "x": 1\n}\n',
    });
    await expect(render('[json]', [])).rejects.toThrow(/^json\/bad\.json:\d+: invalid YAML/);
  });
});

describe('the render-wide bound', () => {
  const bounded = (renderBound: number) =>
    renderApp({
      appDir: app.dir,
      rootDir: app.dir,
      config: parseOverlayConfig('layers: [ctl]\n', 'eks-overlay.yaml'),
      env,
      cluster,
      warn: () => undefined,
      debug: () => undefined,
      stages: [],
      renderBound,
    });

  beforeEach(() => {
    // 300 control characters: 300 characters of values, 1,800 of output once escaped as \u0001.
    writeTree(app.dir, {
      'ctl/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ctl\ndata:\n  x: "${'\\x01'.repeat(300)}"\n`,
    });
  });

  test('on what the files expand to, naming file:line', async () => {
    await expect(bounded(200)).rejects.toThrow(
      /^ctl\/cm\.yaml:6: the values of this render \(every key and string, aliases and templates expanded\) pass 200 bytes, the limit per render \(a constant: split the app, or repeat less through aliases and templates\); refused$/,
    );
  });

  test('on the YAML printed, naming the object', async () => {
    await expect(bounded(1000)).rejects.toThrow(
      /^the rendered YAML stream passes 1000 bytes, the limit per render \(a constant: .*\), at object 1 of 1 \(ConfigMap ctl\); refused$/,
    );
    expect((await bounded(4000)).objects).toHaveLength(1);
  });
});

describe('object stages in the pipeline', () => {
  test('see every merged object with its source, and the strict templateString', async () => {
    let seen: readonly RenderedObject[] = [];
    const stage: ObjectStage = {
      name: 'probe',
      run: (objects, ctx) => {
        seen = objects;
        const id = ctx.templateString('<path:{{cluster.metadata.labels.env}}/db#url>', {
          file: 'base/a.yaml',
          line: 6,
        });
        return Promise.resolve(
          objects.map((o) =>
            o.object['kind'] === 'Secret'
              ? { ...o, object: { ...o.object, stringData: { url: id } } }
              : o,
          ),
        );
      },
    };
    const out = await render('[base, "envs/{{cluster.metadata.labels.env}}"]', [stage]);
    expect(seen.map((o) => o.source)).toEqual([
      { file: 'base/a.yaml', line: 1 },
      { file: 'envs/prod/a.yaml', line: 1 },
    ]);
    expect(out.yaml).toContain('url: "<path:prod/db#url>"');
  });

  test('errors: AppErrors pass through; anything else becomes a RenderError naming the stage', async () => {
    const failing = (e: Error): ObjectStage => ({ name: 'boom', run: () => Promise.reject(e) });
    await expect(
      render('[base]', [failing(new SecretError('secret db key url missing'))]),
    ).rejects.toThrow(SecretError);
    const wrapped = render('[base]', [failing(new Error('oops'))]);
    await expect(wrapped).rejects.toThrow(RenderError);
    await expect(wrapped).rejects.toMatchObject({ message: 'stage boom failed: oops' });
  });

  test('a stage that drops everything makes an empty render, which is an error', async () => {
    const dropAll: ObjectStage = { name: 'drop', run: () => Promise.resolve([]) };
    await expect(render('[base]', [dropAll])).rejects.toThrow(EmptyRenderError);
    expect((await render('[base]', [dropAll], true)).yaml).toBe(
      'apiVersion: v1\nkind: List\nitems: []\n',
    );
  });
});
