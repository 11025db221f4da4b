import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { clusterFromRecord, clusterToParams } from '../../core/cluster';
import { run } from '../../cmp-sidecar/cli';
import { loadExampleFleet } from '../helpers/generator';
import type { K8sObject } from './manifest-tree';
import {
  isK8sObject,
  MANIFESTS_DIR,
  readYamlDocuments,
  REPO_ROOT,
  yamlFilesUnder,
} from './manifest-tree';

/*
 * Monorepo fleets (issue #17): `argocd.argoproj.io/manifest-generate-paths` must list every path a render reads, or
 * a commit there never re-renders the Application. `eks-overlay paths` prints the value; the proof that it is
 * complete is to render the app from a checkout holding ONLY those paths, resolved as Argo CD resolves them, and get
 * the same output as from the whole repository.
 */

const ANNOTATION = 'argocd.argoproj.io/manifest-generate-paths';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], cwd = REPO_ROOT): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd,
  });
  return { code, stdout, stderr };
}

/** Argo CD's reading of the annotation (util/app/path GetSourceRefreshPaths): repository-relative paths. */
function refreshPaths(annotation: string, sourcePath: string): string[] {
  return annotation
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) =>
      p.startsWith('/') ? p.slice(1) : path.posix.normalize(path.posix.join(sourcePath, p)),
    );
}

/** A checkout holding only `keep` (repository-relative paths) of `repo`, symlinks copied as links. */
function partialCheckout(repo: string, keep: string[], into: string): void {
  mkdirSync(path.join(into, '.git'), { recursive: true });
  for (const p of keep) {
    mkdirSync(path.dirname(path.join(into, p)), { recursive: true });
    cpSync(path.join(repo, p), path.join(into, p), { recursive: true, verbatimSymlinks: true });
  }
}

async function render(repo: string, sourcePath: string, contextFile: string): Promise<Result> {
  return cli(['render', path.join(repo, sourcePath), '--context', contextFile, '--root', repo]);
}

const cluster = loadExampleFleet()
  .flatMap((r) => {
    const m = clusterFromRecord(r);
    return m.cluster ? [clusterToParams(m.cluster)] : [];
  })
  .find((c) => c.metadata.labels?.['env'] === 'prod' && c.aws.region === 'us-east-1')!;

let tmp: string;
let contextFile: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'generate-paths-'));
  contextFile = path.join(tmp, 'context.json');
  writeFileSync(contextFile, cluster.clusterContext);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * A monorepo: apps/orders reads a shared layer through a symlink (apps/orders/common → shared/common) and checks
 * its kro instance against an RGD kept in platform/rgds.
 */
function monorepo(): string {
  const repo = mkdtempSync(path.join(tmp, 'repo-'));
  const app = path.join(repo, 'apps', 'orders');
  mkdirSync(path.join(repo, '.git'));
  mkdirSync(path.join(app, 'base'), { recursive: true });
  mkdirSync(path.join(repo, 'shared', 'common'), { recursive: true });
  mkdirSync(path.join(repo, 'platform', 'rgds'), { recursive: true });
  mkdirSync(path.join(repo, 'other'), { recursive: true });
  const example = path.join(MANIFESTS_DIR, 'examples', 'eks-overlay-app', 'app');
  cpSync(path.join(example, 'base', 'namespace.yaml'), path.join(app, 'base', 'namespace.yaml'));
  cpSync(
    path.join(example, 'base', 'rgd.yaml'),
    path.join(repo, 'platform', 'rgds', 'webapp.yaml'),
  );
  writeFileSync(
    path.join(repo, 'shared', 'common', 'limits.yaml'),
    'apiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults, namespace: orders}\nspec:\n  limits: [{type: Container, default: {cpu: 500m}}]\n',
  );
  writeFileSync(path.join(repo, 'other', 'unrelated.yaml'), 'kind: Nothing\n');
  symlinkSync(path.join('..', '..', 'shared', 'common'), path.join(app, 'common'));
  writeFileSync(
    path.join(app, 'eks-overlay.yaml'),
    [
      'layers: [base, common]',
      'kro:',
      '  rgdPaths: [../../platform/rgds]',
      'instances:',
      '  - kind: WebApp',
      '    name: orders',
      '    namespace: orders',
      '    spec: {name: orders, image: example.invalid/orders:1, region: "{{cluster.aws.region}}"}',
      '',
    ].join('\n'),
  );
  return repo;
}

describe('eks-overlay paths', () => {
  it('lists the app, a shared layer reached by a symlink, and kro.rgdPaths outside the app, from the root', async () => {
    const repo = monorepo();
    const r = await cli(['paths', path.join(repo, 'apps', 'orders')]);
    expect(r).toEqual({ code: 0, stdout: '.;/platform/rgds;/shared/common\n', stderr: '' });
  });

  it('is complete: a checkout of only those paths renders exactly what the whole repository renders', async () => {
    const repo = monorepo();
    const full = await render(repo, 'apps/orders', contextFile);
    expect(full.code).toBe(0);
    expect(full.stdout).toContain('kind: LimitRange');
    const annotation = (await cli(['paths', path.join(repo, 'apps', 'orders')])).stdout.trim();
    const only = mkdtempSync(path.join(tmp, 'only-'));
    partialCheckout(repo, refreshPaths(annotation, 'apps/orders'), only);
    expect(await render(only, 'apps/orders', contextFile)).toEqual(full);
  });

  it('leaving any listed path out changes or breaks the render (each entry is needed)', async () => {
    const repo = monorepo();
    const full = await render(repo, 'apps/orders', contextFile);
    const entries = refreshPaths(
      (await cli(['paths', path.join(repo, 'apps', 'orders')])).stdout.trim(),
      'apps/orders',
    );
    for (const dropped of entries.filter((e) => e !== 'apps/orders')) {
      const only = mkdtempSync(path.join(tmp, 'without-'));
      partialCheckout(
        repo,
        [...entries.filter((e) => e !== dropped), 'apps/orders'].filter(
          (e, i, a) => a.indexOf(e) === i,
        ),
        only,
      );
      const partial = await render(only, 'apps/orders', contextFile);
      expect([dropped, partial.stdout === full.stdout && partial.code === 0]).toEqual([
        dropped,
        false,
      ]);
    }
  });

  it('keeps paths inside the app as ".", lists kro.crdDirs outside it, and drops paths nested in another', async () => {
    const repo = monorepo();
    const app = path.join(repo, 'apps', 'orders');
    rmSync(path.join(app, 'common'));
    mkdirSync(path.join(app, 'crds'));
    mkdirSync(path.join(repo, 'platform', 'crds'));
    writeFileSync(
      path.join(app, 'eks-overlay.yaml'),
      'layers: [base]\nkro:\n  rgdPaths: [../../platform]\n  crdDirs: [crds, ../../platform/crds]\n',
    );
    expect((await cli(['paths', app])).stdout).toBe('.;/platform\n');
  });

  it('names the key of a kro path that does not exist, and prints nothing', async () => {
    const repo = monorepo();
    const app = path.join(repo, 'apps', 'orders');
    writeFileSync(
      path.join(app, 'eks-overlay.yaml'),
      'layers: [base]\nkro:\n  crdDirs: [../../nope]\n',
    );
    const r = await cli(['paths', app]);
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('kro.crdDirs: "../../nope" does not exist');
  });

  it('follows an eks-overlay.yaml that is a symlink to a shared file in the repository, as the render does', async () => {
    const repo = monorepo();
    const app = path.join(repo, 'apps', 'orders');
    cpSync(path.join(app, 'eks-overlay.yaml'), path.join(repo, 'shared', 'orders-overlay.yaml'));
    rmSync(path.join(app, 'eks-overlay.yaml'));
    symlinkSync(
      path.join('..', '..', 'shared', 'orders-overlay.yaml'),
      path.join(app, 'eks-overlay.yaml'),
    );
    const full = await render(repo, 'apps/orders', contextFile);
    expect(full.code).toBe(0);
    const r = await cli(['paths', app]);
    expect(r).toEqual({
      code: 0,
      stdout: '.;/platform/rgds;/shared/common;/shared/orders-overlay.yaml\n',
      stderr: '',
    });
    const only = mkdtempSync(path.join(tmp, 'only-'));
    partialCheckout(repo, refreshPaths(r.stdout.trim(), 'apps/orders'), only);
    expect(await render(only, 'apps/orders', contextFile)).toEqual(full);
  });

  it('takes the repository root from --root when there is no .git above the app', async () => {
    const repo = monorepo();
    rmSync(path.join(repo, '.git'), { recursive: true });
    const app = path.join(repo, 'apps', 'orders');
    const noRoot = await cli(['paths', app]);
    // tmp dirs live outside any repository on CI machines; where they do not, the test still checks --root.
    if (noRoot.code !== 0) expect(noRoot.stderr).toContain('--root');
    expect((await cli(['paths', app, '--root', repo])).stdout).toBe(
      '.;/platform/rgds;/shared/common\n',
    );
  });
});

/** Application / ApplicationSet templates under manifests/examples whose source renders with eks-overlay. */
function eksOverlayTemplates(): {
  file: string;
  annotations: Record<string, string>;
  sourcePath: string;
}[] {
  return yamlFilesUnder(path.join(MANIFESTS_DIR, 'examples'))
    .flatMap((file) =>
      readYamlDocuments(file)
        .filter(isK8sObject)
        .map((o) => ({ file, o })),
    )
    .flatMap(({ file, o }: { file: string; o: K8sObject }) => {
      const app =
        o.kind === 'ApplicationSet'
          ? (
              o['spec'] as {
                template: { metadata: { annotations?: Record<string, string> }; spec: unknown };
              }
            ).template
          : o.kind === 'Application'
            ? { metadata: o.metadata as { annotations?: Record<string, string> }, spec: o['spec'] }
            : undefined;
      const source = (
        app?.spec as { source?: { path?: string; plugin?: { name?: string } } } | undefined
      )?.source;
      // Named, or picked by discovery: a plugin block without a name over a directory holding eks-overlay.yaml.
      const discovered =
        source?.plugin !== undefined &&
        source.plugin.name === undefined &&
        existsSync(path.join(REPO_ROOT, source.path ?? '', 'eks-overlay.yaml'));
      if (!app || !(source?.plugin?.name?.startsWith('eks-overlay') || discovered)) return [];
      return [{ file, annotations: app.metadata.annotations ?? {}, sourcePath: source.path ?? '' }];
    });
}

describe('the example templates that render with eks-overlay', () => {
  const templates = eksOverlayTemplates();

  it('are found', () => {
    expect(templates.length).toBeGreaterThan(0);
  });

  it.each(templates.map((t) => [path.relative(REPO_ROOT, t.file), t] as const))(
    '%s sets manifest-generate-paths to what eks-overlay paths prints',
    async (_name, t) => {
      const printed = await cli(['paths', path.join(REPO_ROOT, t.sourcePath), '--root', REPO_ROOT]);
      expect(printed.code).toBe(0);
      expect(String(t.annotations[ANNOTATION])).toBe(printed.stdout.trim());
    },
  );
});

describe('the README', () => {
  it('documents the command in cmp-sidecar/README.md and manifests/README.md', () => {
    const lacking = ['cmp-sidecar/README.md', 'manifests/README.md'].filter(
      (file) => !readFileSync(path.join(REPO_ROOT, file), 'utf8').includes('eks-overlay paths'),
    );
    expect(lacking).toEqual([]);
  });
});

describe('the example ApplicationSet, parsed', () => {
  it('carries the annotation in its template (not on the ApplicationSet itself)', () => {
    const doc = parse(
      readFileSync(
        path.join(MANIFESTS_DIR, 'examples', 'eks-overlay-app', 'applicationset.yaml'),
        'utf8',
      ),
    ) as { metadata: { annotations?: Record<string, string> } };
    expect(doc.metadata.annotations?.[ANNOTATION]).toBeUndefined();
  });
});
