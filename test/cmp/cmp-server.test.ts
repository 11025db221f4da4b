/**
 * An emulation of argocd-cmp-server (argocd-contract.md §B5–B8, B10): the repository is extracted into
 * <tmp>/_cmp_server/<uuid>/ with files 0644 and directories 0755, the real bundled CLI runs as a subprocess in
 * the app directory with Argo CD's environment, and stdout is parsed the way Argo CD parses it.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClusterParams } from '../../core/cluster';
import { buildCliBundle } from './bundle';
import { expectMatchesGolden } from './golden';
import { aCluster, GOLDEN_CLUSTERS as CLUSTERS } from './golden-clusters';
import { parseLikeArgoCd, REPO_ROOT } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed manifests are walked freely in assertions
type Any = any;

const FIXTURE_REPO = path.join(__dirname, 'repo');
const GOLDEN = path.join(REPO_ROOT, 'test/golden/render');

interface Request {
  readonly app: string;
  readonly cluster?: ClusterParams;
  /** ARGOCD_APP_PARAMETERS as Argo CD marshals it; the string `null` when the plugin block has none. */
  readonly parameters?: string;
  readonly env?: Record<string, string>;
  /** Changes to the extracted repository before the run (error cases). */
  readonly mutate?: (repoDir: string, appDir: string) => void;
  readonly command?: 'generate' | 'parameters';
}

interface Response {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let bundle: { file: string; cleanup: () => void };
beforeAll(async () => {
  bundle = await buildCliBundle();
});
afterAll(() => {
  bundle.cleanup();
  try {
    rmdirSync(path.join(os.tmpdir(), '_cmp_server')); // only when empty: another run may be using it
  } catch {
    // not empty or already gone
  }
});

function normalizeModes(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      chmodSync(full, 0o755);
      normalizeModes(full);
    } else chmodSync(full, 0o644);
  }
}

function cmpServer(req: Request): Response {
  const workRoot = path.join(os.tmpdir(), '_cmp_server');
  const work = path.join(workRoot, randomUUID());
  mkdirSync(work, { recursive: true });
  try {
    cpSync(FIXTURE_REPO, work, { recursive: true, verbatimSymlinks: true });
    const appPath = `apps/${req.app}`;
    const appDir = path.join(work, appPath);
    req.mutate?.(work, appDir);
    normalizeModes(work);
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: os.tmpdir(),
      ARGOCD_APP_NAME: `${req.app}-${req.cluster?.nameNormalized ?? 'none'}`,
      ARGOCD_APP_NAMESPACE: req.app,
      ARGOCD_APP_PROJECT_NAME: 'default',
      ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
      ARGOCD_APP_REVISION_SHORT: '0123456',
      ARGOCD_APP_REVISION_SHORT_8: '01234567',
      ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/platform/fleet.git',
      ARGOCD_APP_SOURCE_PATH: appPath,
      ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
      KUBE_VERSION: '1.31.2',
      KUBE_API_VERSIONS: 'apps/v1,apps/v1/Deployment,v1,v1/ConfigMap',
      ARGOCD_APP_PARAMETERS: req.parameters ?? 'null',
      ...(req.cluster ? { ARGOCD_ENV_CLUSTER_CONTEXT: req.cluster.clusterContext } : {}),
      ...req.env,
    };
    const result = spawnSync(process.execPath, [bundle.file, req.command ?? 'generate'], {
      cwd: appDir,
      env,
      encoding: 'utf8',
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Argo CD's view of a failed run: non-zero exit and, for eks-overlay, nothing on stdout ever. */
function expectFailure(res: Response, code: number, ...messages: (string | RegExp)[]): void {
  expect(res.stdout).toBe('');
  expect(res.status).toBe(code);
  for (const m of messages) expect(res.stderr).toMatch(m);
}

describe('argocd-cmp-server emulation: generate', () => {
  test.each([
    ['web', 'prod-use1'],
    ['web', 'dev-euw1'],
    ['web', 'Staging_02'],
    ['addons', 'prod-use1'],
    ['addons', 'dev-euw1'],
  ])('%s on %s renders what the golden file holds, and Argo CD parses it', (app, cluster) => {
    const res = cmpServer({ app, cluster: CLUSTERS[cluster]! });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const objects = parseLikeArgoCd(res.stdout);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects)
      expect(o).toEqual(
        expect.objectContaining({ apiVersion: expect.any(String), kind: expect.any(String) }),
      );
    expectMatchesGolden(res.stdout, path.join(GOLDEN, app, `${cluster}.yaml`));
  });

  test('the same request renders byte-identical output (deterministic)', () => {
    const a = cmpServer({ app: 'web', cluster: CLUSTERS['prod-use1']! });
    const b = cmpServer({ app: 'web', cluster: CLUSTERS['prod-use1']! });
    expect(a.stdout).toBe(b.stdout);
  });

  test('the cluster map parameter overrides the context; dotted keys are nested paths', () => {
    const res = cmpServer({
      app: 'web',
      cluster: CLUSTERS['dev-euw1']!,
      parameters: JSON.stringify([
        { map: { 'metadata.labels.env': 'prod', 'aws.region': 'us-east-1' }, name: 'cluster' },
      ]),
    });
    expect(res.status).toBe(0);
    const objects = parseLikeArgoCd(res.stdout);
    expect(objects.map((o) => o['kind'])).toContain('PodDisruptionBudget'); // envs/prod was selected
    const svc = objects.find((o) => o['kind'] === 'Service') as Any;
    expect(svc.spec.type).toBe('LoadBalancer'); // regions/us-east-1 was selected
  });

  test('a cluster filled by hand through the map parameter alone (native clusters: generator users)', () => {
    const res = cmpServer({
      app: 'web',
      parameters: JSON.stringify([
        {
          map: {
            name: 'hand-made',
            nameNormalized: 'hand-made',
            'metadata.labels.env': 'dev',
            'aws.region': 'eu-west-1',
            'aws.accountId': '111122223333',
            'aws.version': '1.30',
          },
          name: 'cluster',
        },
      ]),
    });
    expect(res.stderr).toBe('');
    const deploy = parseLikeArgoCd(res.stdout).find((o) => o['kind'] === 'Deployment') as Any;
    expect(deploy.spec.template.spec.containers[0].env).toContainEqual({
      name: 'ACCOUNT',
      value: '111122223333',
    });
  });

  test('declared parameters: Argo CD sends only what the user set; defaults apply to the rest; int/bool are typed', () => {
    const res = cmpServer({
      app: 'addons',
      cluster: CLUSTERS['prod-use1']!,
      parameters: JSON.stringify([
        { name: 'replicas', string: '5' },
        { map: { team: 'observability' }, name: 'extraLabels' },
      ]),
    });
    expect(res.status).toBe(0);
    const deploy = parseLikeArgoCd(res.stdout).find((o) => o['kind'] === 'Deployment') as Any;
    expect(deploy.spec.replicas).toBe(5);
    expect(deploy.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(deploy.metadata.labels.team).toBe('observability');
  });

  test('allowEmpty: true prints an explicit empty List (never an empty stdout) and warns', () => {
    const res = cmpServer({ app: 'empty-ok', cluster: CLUSTERS['prod-use1']! });
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).not.toBe('');
    expect(parseLikeArgoCd(res.stdout)).toEqual([]);
    expect(res.stderr).toMatch(/no objects/);
  });
});

describe('argocd-cmp-server emulation: failures exit non-zero with nothing on stdout', () => {
  const prod = CLUSTERS['prod-use1']!;
  test.each<[string, Request, number, (string | RegExp)[]]>([
    [
      'empty render',
      { app: 'empty', cluster: prod },
      1,
      [/produced no objects/, /allowEmpty: true/],
    ],
    [
      'bad YAML names its file and line',
      {
        app: 'web',
        cluster: prod,
        mutate: (_r, app) =>
          writeFileSync(
            path.join(app, 'base/broken.yaml'),
            'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n',
          ),
      },
      1,
      [/base\/broken\.yaml:5: invalid YAML/],
    ],
    [
      'unknown variable names file, line and path',
      {
        app: 'web',
        cluster: prod,
        mutate: (_r, app) =>
          writeFileSync(
            path.join(app, 'base/extra.yaml'),
            'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: "{{cluster.aws.nope}}"\n',
          ),
      },
      1,
      [/base\/extra\.yaml:6: unknown variable cluster\.aws\.nope/],
    ],
    [
      'a layer path using a key the context lacks names the key',
      { app: 'web', cluster: aCluster({ clusterName: 'untagged', region: 'us-east-1' }) },
      1,
      [/eks-overlay\.yaml:4: unknown variable cluster\.metadata\.labels\.env/],
    ],
    [
      'a layer with ".." is refused',
      {
        app: 'web',
        cluster: prod,
        mutate: (_r, app) =>
          writeFileSync(path.join(app, 'eks-overlay.yaml'), 'layers: [base, ../addons/base]\n'),
      },
      1,
      [/eks-overlay\.yaml:1: layer "..\/addons\/base" must not contain ".."/],
    ],
    [
      'an absolute layer is refused',
      {
        app: 'web',
        cluster: prod,
        mutate: (_r, app) =>
          writeFileSync(path.join(app, 'eks-overlay.yaml'), 'layers:\n  - base\n  - /etc\n'),
      },
      1,
      [/eks-overlay\.yaml:3: layer "\/etc" must be relative/],
    ],
    [
      'a context value that smuggles ".." into a layer path is refused',
      {
        app: 'web',
        cluster: aCluster({
          clusterName: 'x',
          region: 'us-east-1',
          tags: { env: 'prod', 'argocd-eks-plugins/name': '../../../etc' },
        }),
      },
      1,
      [/layer "clusters\/..\/..\/..\/etc" must not contain ".."/],
    ],
    [
      'a symlinked file escaping the repository is refused',
      {
        app: 'web',
        cluster: prod,
        mutate: (_r, app) => symlinkSync('/etc/hostname', path.join(app, 'base/leak.yaml')),
      },
      1,
      [/base\/leak\.yaml: resolves outside the repository/],
    ],
    [
      'a symlinked layer directory escaping the repository is refused',
      {
        app: 'web',
        cluster: prod,
        mutate: (_r, app) => {
          rmSync(path.join(app, 'clusters/prod-use1'), { recursive: true });
          symlinkSync(os.tmpdir(), path.join(app, 'clusters/prod-use1'));
        },
      },
      1,
      [/eks-overlay\.yaml:6: layer "clusters\/prod-use1" resolves outside the repository/],
    ],
    [
      'malformed ARGOCD_APP_PARAMETERS',
      { app: 'web', cluster: prod, parameters: '[{"name":"cluster","map":' },
      78,
      [/ARGOCD_APP_PARAMETERS is not valid JSON/],
    ],
    [
      'ARGOCD_APP_PARAMETERS of the wrong shape',
      { app: 'web', cluster: prod, parameters: '[{"name":"cluster","map":{"a":1}}]' },
      78,
      [/ARGOCD_APP_PARAMETERS\[0\] \(cluster\)\.map must map strings to strings/],
    ],
    [
      'malformed cluster context JSON',
      { app: 'web', env: { ARGOCD_ENV_CLUSTER_CONTEXT: '{"name":' } },
      78,
      [/ARGOCD_ENV_CLUSTER_CONTEXT is not valid JSON/],
    ],
    [
      'a cluster context that is not an object',
      { app: 'web', env: { ARGOCD_ENV_CLUSTER_CONTEXT: '["prod"]' } },
      78,
      [/must be a JSON object/],
    ],
    [
      'an unknown key in eks-overlay.yaml names file:line',
      {
        app: 'web',
        cluster: prod,
        mutate: (_r, app) =>
          writeFileSync(path.join(app, 'eks-overlay.yaml'), 'layers: [base]\nlayres: [x]\n'),
      },
      78,
      [/eks-overlay\.yaml:2: unknown key "layres"/],
    ],
    [
      'two documents for one object in one layer',
      {
        app: 'web',
        cluster: prod,
        mutate: (_r, app) =>
          writeFileSync(
            path.join(app, 'base/dup.yaml'),
            'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n',
          ),
      },
      1,
      [
        /base\/dup\.yaml:1: Service web is defined twice in one layer \(also at base\/deployment\.yaml:\d+\)/,
      ],
    ],
  ])('%s', (_name, req, code, messages) => {
    expectFailure(cmpServer(req), code, ...messages);
  });
});

test('a symlinked layer that stays inside the repository is followed', () => {
  const res = cmpServer({
    app: 'web',
    cluster: CLUSTERS['prod-use1']!,
    mutate: (repo, app) => {
      mkdirSync(path.join(repo, 'shared/extra'), { recursive: true });
      writeFileSync(
        path.join(repo, 'shared/extra/cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n',
      );
      rmSync(path.join(app, 'clusters/prod-use1'), { recursive: true });
      symlinkSync('../../../shared/extra', path.join(app, 'clusters/prod-use1'));
    },
  });
  expect(res.stderr).toBe('');
  const names = parseLikeArgoCd(res.stdout).map((o) => (o['metadata'] as { name: string }).name);
  expect(names).toContain('shared');
});

describe('argocd-cmp-server emulation: dynamic parameters', () => {
  test('announces the cluster map (current context as defaults) and the declared parameters, as strict JSON', () => {
    const res = cmpServer({
      app: 'addons',
      cluster: CLUSTERS['prod-use1']!,
      command: 'parameters',
    });
    expect(res.status).toBe(0);
    const announcements = JSON.parse(res.stdout);
    expect(announcements.map((a: Any) => a.name)).toEqual([
      'cluster',
      'replicas',
      'debug',
      'extraLabels',
    ]);
    expect(announcements[0]).toMatchObject({
      collectionType: 'map',
      map: { name: 'prod-use1', 'metadata.labels.env': 'prod', 'aws.region': 'us-east-1' },
    });
    expect(announcements[1]).toEqual({
      name: 'replicas',
      title: 'Replicas',
      itemType: 'string',
      collectionType: 'string',
      string: '2',
    });
    for (const a of announcements) {
      if (a.map) for (const v of Object.values(a.map)) expect(typeof v).toBe('string');
    }
  });

  test('prints [] for a directory without eks-overlay.yaml', () => {
    const res = cmpServer({
      app: 'web',
      command: 'parameters',
      mutate: (_r, app) => rmSync(path.join(app, 'eks-overlay.yaml')),
    });
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual([]);
  });
});

test('fixture sanity: the repository fixture has no symlinks of its own', () => {
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const full = path.join(d, e);
      expect(lstatSync(full).isSymbolicLink()).toBe(false);
      if (lstatSync(full).isDirectory()) walk(full);
    }
  };
  walk(FIXTURE_REPO);
});
