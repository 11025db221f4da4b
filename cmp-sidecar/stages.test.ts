import { ConfigError } from '../core/errors';
import { runInProcess, tempDir, writeTree } from '../test/cmp/helpers';
import { loadOverlayConfig, parseOverlayConfig } from './config';
import { renderApp } from './render/pipeline';
import { stageSettings } from './render/stages';
import type { ObjectStage, StageConfig } from './render/stages';
import type { ArgoEnv } from './render/types';
import { objectStages } from './stages';

let app: ReturnType<typeof tempDir>;
beforeEach(() => {
  app = tempDir('eks-overlay-stages-');
});
afterEach(() => app.cleanup());

describe('eks-overlay.yaml is validated once, every section by its owner', () => {
  test('the loader’s keys and every stage’s sections report their problems together (exit 78)', async () => {
    writeTree(app.dir, {
      'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      'eks-overlay.yaml': [
        'layers: [base]',
        'allowEmpty: 3',
        'secrets: {mode: sideways}',
        'kro: {bogus: 1}',
        'instances: [{name: x}]',
      ].join('\n'),
    });
    const res = await runInProcess(['render', '.'], { cwd: app.dir });
    expect(res).toEqual({
      code: 78,
      stdout: '',
      stderr:
        'eks-overlay: error: invalid configuration:\n' +
        '  - eks-overlay.yaml:2: allowEmpty must be true or false\n' +
        '  - eks-overlay.yaml:3: secrets.mode must be "externalSecret" or "inline"\n' +
        '  - eks-overlay.yaml:4: kro: unknown key "bogus" (allowed: rgdPaths, crdDirs, legacyResourceGroups, celOmitFunction)\n' +
        '  - eks-overlay.yaml:5: instances[0].kind: is required\n',
    });
  });

  test('the parameters command refuses an invalid stage section as render does', async () => {
    writeTree(app.dir, { 'eks-overlay.yaml': 'layers: [base]\nsecrets: [not, a, map]\n' });
    const res = await runInProcess(['parameters'], { cwd: app.dir });
    expect(res).toMatchObject({ code: 78, stdout: '' });
    expect(res.stderr).toContain('eks-overlay.yaml:2: secrets must be a map');
  });
});

/** A stage of this test's own: one object, plus its registration in a list, is all a new stage takes. */
interface LabelSettings {
  readonly labels: Readonly<Record<string, string>>;
}
const labelsConfig: StageConfig<LabelSettings> = {
  keys: ['commonLabels'],
  parse: (sections, issues) => {
    const raw = sections.value('commonLabels') ?? {};
    const ref = sections.source('commonLabels');
    const where = ref?.line === undefined ? 'eks-overlay.yaml' : `${ref.file}:${ref.line}`;
    if (
      typeof raw !== 'object' ||
      raw === null ||
      Array.isArray(raw) ||
      !Object.values(raw).every((v) => typeof v === 'string')
    ) {
      issues.push(`${where}: commonLabels must map strings to strings`);
      return { labels: {} };
    }
    return { labels: raw as Record<string, string> };
  },
};
const labelsStage: ObjectStage = {
  name: 'common-labels',
  config: labelsConfig,
  run: (objects, ctx) => {
    const { labels } = stageSettings(ctx.config, labelsConfig);
    return Promise.resolve(
      objects.map((o) => {
        const metadata = (o.object['metadata'] ?? {}) as Record<string, unknown>;
        const own = (metadata['labels'] ?? {}) as Record<string, string>;
        return {
          ...o,
          object: { ...o.object, metadata: { ...metadata, labels: { ...own, ...labels } } },
        };
      }),
    );
  },
};

describe('a stage owns its configuration', () => {
  const env: ArgoEnv = {
    appName: 'web',
    appNamespace: 'web',
    projectName: 'default',
    revision: '',
    revisionShort: '',
    sourceRepoUrl: '',
    sourcePath: '',
    targetRevision: '',
    kubeVersion: '',
    kubeApiVersions: [],
    userEnv: {},
    parameters: [],
  };
  const stages = [...objectStages, labelsStage];

  test('its key is allowed, validated with the rest of the file, and its settings reach its run', async () => {
    writeTree(app.dir, {
      'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      'eks-overlay.yaml': 'layers: [base]\ncommonLabels: {team: shop}\n',
    });
    const config = await loadOverlayConfig(app.dir, app.dir, stages);
    const out = await renderApp({
      appDir: app.dir,
      rootDir: app.dir,
      config,
      env,
      cluster: {},
      warn: () => undefined,
      debug: () => undefined,
      stages,
    });
    expect(out.yaml).toBe(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    team: shop\n  name: c\n',
    );
  });

  test('its problems are reported with the others; without it registered the key is unknown', async () => {
    writeTree(app.dir, {
      'eks-overlay.yaml': 'layers: base\ncommonLabels: [x]\nkro: {crdDirs: 1}\n',
    });
    const err = await loadOverlayConfig(app.dir, app.dir, stages).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([
      'eks-overlay.yaml:1: layers must be a non-empty list of directory paths',
      'eks-overlay.yaml:3: kro.crdDirs: must be a list of relative paths',
      'eks-overlay.yaml:2: commonLabels must map strings to strings',
    ]);
    expect(() =>
      parseOverlayConfig('layers: [base]\ncommonLabels: {}\n', 'eks-overlay.yaml'),
    ).toThrow(
      'eks-overlay.yaml:2: unknown key "commonLabels" (allowed: layers, allowEmpty, parameters, yaml, secrets, kro, instances, policies)',
    );
  });

  test('a key that another stage or the loader owns is a bug in the stage list, not a config error', () => {
    const clash: ObjectStage = { ...labelsStage, config: { ...labelsConfig, keys: ['kro'] } };
    expect(() =>
      parseOverlayConfig('layers: [base]\n', 'eks-overlay.yaml', [...objectStages, clash]),
    ).toThrow('stage common-labels claims the eks-overlay.yaml key "kro", which is taken');
  });
});
