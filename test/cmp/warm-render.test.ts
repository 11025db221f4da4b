/**
 * The warm renderer (cmp-sidecar/serve/, cmp-sidecar/eks-overlay-client): plugin.yaml's generate command asks
 * `eks-overlay serve` to render and must print exactly what `eks-overlay generate` prints, fall back to it on any
 * fault with nothing on stdout from the failed attempt, and the server must keep its bounds.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import type { ServerResponse } from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { clusterFromRecord, clusterToParams } from '../../core/cluster';
import type { ClusterParams } from '../../core/cluster';
import { loadExampleFleet } from '../helpers/generator';
import { buildCliBundle } from './bundle';
import { GOLDEN_CLUSTERS as CLUSTERS } from './golden-clusters';
import { REPO_ROOT, tempDir } from './helpers';
import {
  closedBy,
  createHarness,
  fakeServer,
  holdReader,
  renderBody,
  request,
  runCli,
  runClient,
  socketExists,
  startServer,
  type Harness,
  type Result,
  type Server,
} from './warm-harness';

jest.setTimeout(60_000);

const FIXTURE_REPO = path.join(__dirname, 'repo');
const GOLDEN = path.join(REPO_ROOT, 'test/golden/render');
const EXAMPLE_APP = 'manifests/examples/eks-overlay-app/app';

/** Argo CD's environment for one render, as test/cmp/cmp-server.test.ts sets it. */
function argoEnv(appPath: string, cluster: ClusterParams | undefined, socket: string) {
  const app = path.basename(appPath) || 'app';
  return {
    HOME: '/nonexistent',
    EKS_OVERLAY_SOCKET: socket,
    ARGOCD_APP_NAME: `${app}-${cluster?.nameNormalized ?? 'none'}`,
    ARGOCD_APP_NAMESPACE: app,
    ARGOCD_APP_PROJECT_NAME: 'default',
    ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
    ARGOCD_APP_REVISION_SHORT: '0123456',
    ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/platform/fleet.git',
    ARGOCD_APP_SOURCE_PATH: appPath,
    ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
    KUBE_VERSION: '1.31.2',
    KUBE_API_VERSIONS: 'apps/v1,apps/v1/Deployment,v1,v1/ConfigMap',
    ARGOCD_APP_PARAMETERS: 'null',
    ...(cluster ? { ARGOCD_ENV_CLUSTER_CONTEXT: cluster.clusterContext } : {}),
  };
}

let bundle: { file: string; cleanup: () => void };
let tmp: { dir: string; cleanup: () => void };
let h: Harness;
let repo: string;
let sockets = 0;
/** A fresh socket path in a private directory of its own. */
const newSocket = () => path.join(tmp.dir, `s${++sockets}`, 'render.sock');

beforeAll(async () => {
  bundle = await buildCliBundle();
  tmp = tempDir('warm-render-');
  h = createHarness(bundle.file, tmp.dir);
  // The fixture repository as argocd-cmp-server extracts it.
  repo = path.join(tmp.dir, 'repo');
  cpSync(FIXTURE_REPO, repo, { recursive: true, verbatimSymlinks: true });
});
afterAll(() => {
  bundle?.cleanup();
  tmp?.cleanup();
});

/** A render through the client, asserting whether it went through the server. */
async function viaClient(
  cwd: string,
  env: Record<string, string>,
  expectFallback: boolean,
): Promise<Result> {
  const before = h.fallbacks();
  const r = await runClient(h, cwd, env).done;
  expect(h.fallbacks() - before).toBe(expectFallback ? 1 : 0);
  return r;
}

function expectSameAsCli(ours: Result, cli: Result): void {
  expect({ code: ours.code, stdout: ours.stdout }).toEqual({ code: cli.code, stdout: cli.stdout });
  if (cli.code !== 0) expect(ours.stderr).toBe(cli.stderr);
}

describe('through the server, byte-identical to the CLI', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer(h, newSocket());
  });
  afterAll(() => server.stop());

  const cases = ['web', 'addons', 'empty', 'empty-ok'].flatMap((app) =>
    [...Object.keys(CLUSTERS), 'no context'].map((c) => [app, c] as const),
  );
  test.each(cases)('%s on %s', async (app, clusterName) => {
    const appPath = `apps/${app}`;
    const env = argoEnv(appPath, CLUSTERS[clusterName], server.socket);
    const cwd = path.join(repo, appPath);
    const ours = await viaClient(cwd, env, false);
    expectSameAsCli(ours, await runCli(h, cwd, env));
  });

  test.each([
    ['web', 'prod-use1'],
    ['web', 'dev-euw1'],
    ['web', 'Staging_02'],
    ['addons', 'prod-use1'],
    ['addons', 'dev-euw1'],
  ])('%s on %s prints the golden render', async (app, clusterName) => {
    const appPath = `apps/${app}`;
    const ours = await viaClient(
      path.join(repo, appPath),
      argoEnv(appPath, CLUSTERS[clusterName], server.socket),
      false,
    );
    expect(ours.code).toBe(0);
    expect(ours.stdout).toBe(readFileSync(path.join(GOLDEN, app, `${clusterName}.yaml`), 'utf8'));
  });

  const example = loadExampleFleet().flatMap((rec) => {
    const c = clusterFromRecord(rec).cluster;
    return c ? [[c.name, clusterToParams(c)] as const] : [];
  });
  test.each(example)('examples/eks-overlay-app on %s', async (_name, cluster) => {
    const env = argoEnv(EXAMPLE_APP, cluster, server.socket);
    const cwd = path.join(REPO_ROOT, EXAMPLE_APP);
    const ours = await viaClient(cwd, env, false);
    expectSameAsCli(ours, await runCli(h, cwd, env));
  });

  test('a sidecar setting in the environment (EKS_OVERLAY_CRD_DIR) reaches the render as it reaches the CLI', async () => {
    const crds = path.join(tmp.dir, 'crds');
    mkdirSync(crds, { recursive: true });
    const cluster = example[0]![1];
    const env = { ...argoEnv(EXAMPLE_APP, cluster, server.socket), EKS_OVERLAY_CRD_DIR: crds };
    const cwd = path.join(REPO_ROOT, EXAMPLE_APP);
    const ours = await viaClient(cwd, env, false);
    expectSameAsCli(ours, await runCli(h, cwd, env));
    // The CLI warns when the variable is unset; the server's log holds a successful render's warnings.
    expect(server.run.stderr()).not.toContain('EKS_OVERLAY_CRD_DIR is not set');
  });

  test('a directory whose name holds a space, &, %, + and non-ASCII reaches the server intact', async () => {
    const work = path.join(tmp.dir, 'a b&c%41+d é');
    cpSync(FIXTURE_REPO, work, { recursive: true, verbatimSymlinks: true });
    const cwd = path.join(work, 'apps', 'web');
    const env = argoEnv('apps/web', CLUSTERS['dev-euw1'], server.socket);
    const ours = await viaClient(cwd, env, false);
    expect(ours.code).toBe(0);
    expectSameAsCli(ours, await runCli(h, cwd, env));
  });

  test('the client needs only sh and curl: no env, cat, rm or mktemp on PATH', async () => {
    const onlyCurl = path.join(tmp.dir, 'only-curl');
    mkdirSync(onlyCurl, { recursive: true });
    const curl = spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(curl, path.join(onlyCurl, 'curl'));
    const cwd = path.join(repo, 'apps', 'addons');
    const env = argoEnv('apps/addons', CLUSTERS['prod-use1'], server.socket);
    const ours = await viaClient(cwd, { ...env, PATH: `${h.binDir}:${onlyCurl}` }, false);
    expect(ours.code).toBe(0);
    expectSameAsCli(ours, await runCli(h, cwd, env));
  });

  describe('confinement: the same path rules as the CLI', () => {
    const escapes: Record<string, (app: string) => void> = {
      'a layer with ..': (app) =>
        writeFileSync(path.join(app, 'eks-overlay.yaml'), 'layers: [base, ../outside]\n'),
      'an absolute layer': (app) =>
        writeFileSync(path.join(app, 'eks-overlay.yaml'), 'layers: [base, /etc]\n'),
      'a symlinked layer leading out of the repository': (app) => {
        symlinkSync(path.dirname(REPO_ROOT), path.join(app, 'escape'));
        writeFileSync(path.join(app, 'eks-overlay.yaml'), 'layers: [base, escape]\n');
      },
      'a symlinked file leading out of the repository': (app) =>
        symlinkSync('/etc/hostname', path.join(app, 'base', 'stolen.yaml')),
      'eks-overlay.yaml leading out of the repository': (app) => {
        rmSync(path.join(app, 'eks-overlay.yaml'));
        symlinkSync(
          path.join(REPO_ROOT, EXAMPLE_APP, 'eks-overlay.yaml'),
          path.join(app, 'eks-overlay.yaml'),
        );
      },
    };
    test.each(Object.keys(escapes))(
      '%s is refused with the CLI error, nothing on stdout',
      async (name) => {
        const work = path.join(tmp.dir, `escape-${Object.keys(escapes).indexOf(name)}`);
        cpSync(FIXTURE_REPO, work, { recursive: true, verbatimSymlinks: true });
        const app = path.join(work, 'apps', 'addons');
        escapes[name]!(app);
        const env = argoEnv('apps/addons', CLUSTERS['prod-use1'], server.socket);
        const ours = await viaClient(app, env, false);
        expect(ours.stdout).toBe('');
        expect(ours.code).not.toBe(0);
        expectSameAsCli(ours, await runCli(h, app, env));
      },
    );
  });

  test('an app with inline secrets is answered "render it yourself" and the client runs the CLI', async () => {
    const work = path.join(tmp.dir, 'inline');
    cpSync(path.join(FIXTURE_REPO, 'apps', 'addons'), work, { recursive: true });
    writeFileSync(
      path.join(work, 'eks-overlay.yaml'),
      'layers: [base]\nsecrets: {mode: inline, inline: {region: eu-west-1}}\n',
    );
    const env = argoEnv('', CLUSTERS['prod-use1'], server.socket);
    const direct = await request(server.socket, renderBody(work, env));
    expect(direct.status).toBe(503);
    expect(direct.headers['x-eks-overlay-answer']).toBe('render-yourself');
    expect(direct.body).toContain('inline');
    const ours = await viaClient(work, env, true);
    expectSameAsCli(ours, await runCli(h, work, env));
  });

  test('a request that is not one is refused (400, 413, 404) and the server goes on', async () => {
    expect((await request(server.socket, 'dir=relative%2Fdir&A=1\0')).status).toBe(400);
    expect((await request(server.socket, '/abs\0A=1\0')).status).toBe(400);
    expect((await request(server.socket, 'dir=%2Fabs&NO_EQUALS\0')).status).toBe(400);
    expect((await request(server.socket, 'dir=%2Fabs&A=1')).status).toBe(400);
    expect((await request(server.socket, 'dir=%2Fabs')).status).toBe(400);
    expect((await request(server.socket, 'dir=%2Fabs%zz&A=1\0')).status).toBe(400);
    const huge = `dir=%2Fabs&A=${'x'.repeat(2 * 1024 * 1024)}\0`;
    expect((await request(server.socket, huge)).status).toBe(413);
    const app = path.join(repo, 'apps', 'web');
    const env = argoEnv('apps/web', CLUSTERS['prod-use1'], server.socket);
    expect((await request(server.socket, renderBody(app, env))).status).toBe(200);
  });

  test('the socket is private: its directory 0700, the socket 0600', () => {
    expect(statSync(path.dirname(server.socket)).mode & 0o777).toBe(0o700);
    expect(lstatSync(server.socket).mode & 0o777).toBe(0o600);
  });
});

describe('the client falls back to the plain CLI, never printing a failed attempt', () => {
  const appPath = 'apps/web';
  const cwd = () => path.join(repo, appPath);
  const env = (socket: string) => argoEnv(appPath, CLUSTERS['prod-use1'], socket);

  test('no socket', async () => {
    const socket = newSocket();
    const ours = await viaClient(cwd(), env(socket), true);
    expect(ours.code).toBe(0);
    expectSameAsCli(ours, await runCli(h, cwd(), env(socket)));
  });

  test('no socket and a failing render: exit code and error of the CLI, stdout empty', async () => {
    const socket = newSocket();
    const app = path.join(repo, 'apps', 'empty');
    const e = argoEnv('apps/empty', CLUSTERS['prod-use1'], socket);
    const ours = await viaClient(app, e, true);
    expect(ours.stdout).toBe('');
    expect(ours.code).toBe(1);
    expectSameAsCli(ours, await runCli(h, app, e));
  });

  test('a socket left by a killed server (connection refused)', async () => {
    const server = await startServer(h, newSocket());
    server.run.child.kill('SIGKILL');
    await server.run.exit;
    expect(socketExists(server.socket)).toBe(true);
    const ours = await viaClient(cwd(), env(server.socket), true);
    expectSameAsCli(ours, await runCli(h, cwd(), env(server.socket)));
  });

  test('the server killed in the middle of a render', async () => {
    const server = await startServer(h, newSocket());
    // eks-overlay.yaml is a FIFO: the render waits on it until the test writes it.
    const work = path.join(tmp.dir, 'killed');
    cpSync(FIXTURE_REPO, work, { recursive: true });
    const app = path.join(work, appPath);
    const config = readFileSync(path.join(app, 'eks-overlay.yaml'), 'utf8');
    rmSync(path.join(app, 'eks-overlay.yaml'));
    spawnSync('mkfifo', [path.join(app, 'eks-overlay.yaml')]);
    const client = runClient(h, app, env(server.socket));
    const inServer = await holdReader(path.join(app, 'eks-overlay.yaml'));
    server.run.child.kill('SIGKILL');
    await server.run.exit;
    inServer.close();
    // The client falls back: the CLI reads the FIFO in its turn.
    const inCli = await holdReader(path.join(app, 'eks-overlay.yaml'));
    inCli.release(config);
    const ours = await client.done;
    expect(h.fallbacks()).toBeGreaterThan(0);
    expectSameAsCli(ours, await runCli(h, cwd(), env(server.socket)));
    expect(ours.code).toBe(0);
  });

  const faults: Record<string, (res: ServerResponse) => void> = {
    'an answer cut off in the middle of the render': (res) => {
      res.writeHead(200, { 'x-eks-overlay-exit': '0', 'content-length': '100000' });
      res.write('apiVersion: v1\nkind: ConfigMap\n');
      setTimeout(() => res.socket?.destroy(), 50);
    },
    'a 200 without an exit code': (res) => res.writeHead(200).end('apiVersion: v1\nkind: List\n'),
    'a 200 with an odd exit code': (res) =>
      res.writeHead(200, { 'x-eks-overlay-exit': 'zero' }).end('apiVersion: v1\n'),
    'an error with an exit code the CLI never uses': (res) =>
      res.writeHead(422, { 'x-eks-overlay-exit': '5' }).end('error\n'),
    'another status': (res) => res.writeHead(500).end('oops\n'),
    'a render over 16 MiB, which the shell is not made to hold': (res) => {
      const big = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {x: ${'y'.repeat(17 * 2 ** 20)}}\n`;
      res
        .writeHead(200, { 'x-eks-overlay-exit': '0', 'content-length': String(big.length) })
        .end(big);
    },
    '"busy": render it yourself': (res) =>
      res.writeHead(503, { 'x-eks-overlay-answer': 'render-yourself' }).end('busy\n'),
  };
  test.each(Object.keys(faults))('%s', async (name) => {
    const socket = newSocket();
    const fake = await fakeServer(socket, (_req, res) => faults[name]!(res));
    try {
      const ours = await viaClient(cwd(), env(socket), true);
      expect(ours.code).toBe(0);
      expectSameAsCli(ours, await runCli(h, cwd(), env(socket)));
    } finally {
      await fake.close();
    }
  });

  test('garbage that is not HTTP', async () => {
    const socket = newSocket();
    mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
    const garbage = net.createServer((s) => s.end('garbage\r\n\r\n', () => s.destroy()));
    await new Promise<void>((resolve) => garbage.listen(socket, resolve));
    try {
      const ours = await viaClient(cwd(), env(socket), true);
      expectSameAsCli(ours, await runCli(h, cwd(), env(socket)));
    } finally {
      await new Promise((resolve) => garbage.close(resolve));
    }
  });

  test('a server silent past EKS_OVERLAY_CLIENT_TIMEOUT_SECONDS', async () => {
    const socket = newSocket();
    const fake = await fakeServer(socket, () => undefined);
    try {
      const e = { ...env(socket), EKS_OVERLAY_CLIENT_TIMEOUT_SECONDS: '1' };
      const ours = await viaClient(cwd(), e, true);
      expectSameAsCli(ours, await runCli(h, cwd(), e));
    } finally {
      await fake.close();
    }
  });

  test('an error answer is the error: stderr, its exit code, stdout empty, no fallback', async () => {
    const socket = newSocket();
    const fake = await fakeServer(socket, (_req, res) =>
      res.writeHead(422, { 'x-eks-overlay-exit': '78' }).end('eks-overlay: error: bad config\n'),
    );
    try {
      const ours = await viaClient(cwd(), env(socket), false);
      expect(ours).toEqual({ code: 78, stdout: '', stderr: 'eks-overlay: error: bad config\n' });
    } finally {
      await fake.close();
    }
  });
});

describe('an internal error (exit 70) is never the answer: it may be the long-lived process', () => {
  const appPath = 'apps/web';
  const cwd = () => path.join(repo, appPath);
  const env = (socket: string) => argoEnv(appPath, CLUSTERS['prod-use1'], socket);

  test('the worker answers "render it yourself", logs the stack, and the client renders with the CLI', async () => {
    const server = await startServer(h, newSocket());
    try {
      // The hook fails the worker's render only; the CLI never reads it.
      const e = { ...env(server.socket), EKS_OVERLAY_SERVE_TEST_FAULT: 'internal' };
      const direct = await request(server.socket, renderBody(cwd(), e));
      expect(direct.status).toBe(503);
      expect(direct.headers['x-eks-overlay-answer']).toBe('render-yourself');
      expect(direct.body).toBe('internal error in the render worker\n');
      expect(server.run.stderr()).toContain(
        'eks-overlay: internal error: Error: internal error injected by EKS_OVERLAY_SERVE_TEST_FAULT',
      );
      const ours = await viaClient(cwd(), e, true);
      expect(ours.code).toBe(0);
      expectSameAsCli(ours, await runCli(h, cwd(), e));
      // The server renders on.
      expect((await viaClient(cwd(), env(server.socket), false)).code).toBe(0);
    } finally {
      await server.stop();
    }
  });

  test('a 422 with exit code 70 is not accepted: the client runs the CLI', async () => {
    const socket = newSocket();
    const fake = await fakeServer(socket, (_req, res) =>
      res.writeHead(422, { 'x-eks-overlay-exit': '70' }).end('eks-overlay: internal error: x\n'),
    );
    try {
      const ours = await viaClient(cwd(), env(socket), true);
      expect(ours.code).toBe(0);
      expectSameAsCli(ours, await runCli(h, cwd(), env(socket)));
    } finally {
      await fake.close();
    }
  });
});

describe('the server keeps its bounds', () => {
  const web = () => path.join(repo, 'apps', 'web');
  const env = (socket: string) => argoEnv('apps/web', CLUSTERS['prod-use1'], socket);

  /** A copy of the web app whose eks-overlay.yaml is a FIFO: its render waits until the test writes it. */
  function blockingApp(name: string): { app: string; fifo: string; config: string } {
    const work = path.join(tmp.dir, name);
    cpSync(FIXTURE_REPO, work, { recursive: true });
    const app = path.join(work, 'apps', 'web');
    const fifo = path.join(app, 'eks-overlay.yaml');
    const config = readFileSync(fifo, 'utf8');
    rmSync(fifo);
    spawnSync('mkfifo', [fifo]);
    return { app, fifo, config };
  }

  /**
   * Lets a server render of a blocking app finish: the server reads eks-overlay.yaml twice (once to see whether
   * the app uses inline secrets, once in the render itself).
   */
  async function feedServer(
    server: Server,
    held: { release: (text: string) => void },
    blocked: { fifo: string; config: string },
  ): Promise<void> {
    held.release(blocked.config);
    await closedBy(server.run.child.pid!, blocked.fifo);
    (await holdReader(blocked.fifo)).release(blocked.config);
  }

  test('concurrency: with every worker busy and the queue full, "render it yourself" at once', async () => {
    const server = await startServer(h, newSocket(), {
      EKS_OVERLAY_SERVE_CONCURRENCY: '1',
      EKS_OVERLAY_SERVE_QUEUE: '1',
      EKS_OVERLAY_SERVE_QUEUE_WAIT_MS: '60000',
    });
    try {
      const blocked = blockingApp('busy');
      const first = request(server.socket, renderBody(blocked.app, env(server.socket)));
      const held = await holdReader(blocked.fifo);
      // The worker is busy: of two more, one waits in the queue (of one) and one is refused.
      const others = [0, 1].map(() =>
        request(server.socket, renderBody(web(), env(server.socket))),
      );
      const refused = await Promise.race(others);
      expect(refused.status).toBe(503);
      expect(refused.headers['x-eks-overlay-answer']).toBe('render-yourself');
      expect(refused.body).toContain('busy');
      await feedServer(server, held, blocked);
      expect((await first).status).toBe(200);
      expect((await Promise.all(others)).map((a) => a.status).sort()).toEqual([200, 503]);
    } finally {
      await server.stop();
    }
  });

  test('a request waiting past EKS_OVERLAY_SERVE_QUEUE_WAIT_MS is told to render itself', async () => {
    const server = await startServer(h, newSocket(), {
      EKS_OVERLAY_SERVE_CONCURRENCY: '1',
      EKS_OVERLAY_SERVE_QUEUE_WAIT_MS: '200',
    });
    try {
      const blocked = blockingApp('wait');
      const first = request(server.socket, renderBody(blocked.app, env(server.socket)));
      const held = await holdReader(blocked.fifo);
      const waited = await request(server.socket, renderBody(web(), env(server.socket)));
      expect(waited.status).toBe(503);
      await feedServer(server, held, blocked);
      expect((await first).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  test('a client that goes away (Argo CD kills its process group) has its render stopped', async () => {
    // One worker, and a queue that would wait a minute: the next render gets through only if the first stopped.
    const server = await startServer(h, newSocket(), {
      EKS_OVERLAY_SERVE_CONCURRENCY: '1',
      EKS_OVERLAY_SERVE_QUEUE_WAIT_MS: '60000',
    });
    const blocked = blockingApp('cancel');
    const held = { current: undefined as undefined | { close: () => void } };
    try {
      const client = runClient(h, blocked.app, env(server.socket));
      held.current = await holdReader(blocked.fifo);
      process.kill(-client.pid, 'SIGTERM');
      const gone = await client.done;
      expect(gone.stdout).toBe('');
      expect(gone.code).not.toBe(0);
      const next = await viaClient(web(), env(server.socket), false);
      expect(next.code).toBe(0);
      expect(server.run.stderr()).toContain('cancelled');
    } finally {
      held.current?.close();
      await server.stop();
    }
  });

  test('it exits for its supervisor after EKS_OVERLAY_SERVE_MAX_RENDERS renders, removing its socket', async () => {
    const server = await startServer(h, newSocket(), { EKS_OVERLAY_SERVE_MAX_RENDERS: '2' });
    expect((await viaClient(web(), env(server.socket), false)).code).toBe(0);
    expect((await viaClient(web(), env(server.socket), false)).code).toBe(0);
    expect(await server.run.exit).toBe(0);
    expect(server.run.stderr()).toContain('2 renders done');
    expect(socketExists(server.socket)).toBe(false);
    const after = await viaClient(web(), env(server.socket), true);
    expectSameAsCli(after, await runCli(h, web(), env(server.socket)));
  });

  test('it exits for its supervisor when its resident memory reaches EKS_OVERLAY_SERVE_MAX_RSS_MB', async () => {
    const server = await startServer(h, newSocket(), { EKS_OVERLAY_SERVE_MAX_RSS_MB: '64' });
    expect((await viaClient(web(), env(server.socket), false)).code).toBe(0);
    expect(await server.run.exit).toBe(0);
    expect(server.run.stderr()).toContain('EKS_OVERLAY_SERVE_MAX_RSS_MB');
  });

  test('a render needing more than EKS_OVERLAY_SERVE_RENDER_HEAP_MB is handed back to the client, and the server renders on', async () => {
    const server = await startServer(h, newSocket(), { EKS_OVERLAY_SERVE_RENDER_HEAP_MB: '32' });
    try {
      // 40 ConfigMaps sharing one 900 KB string through an alias: a 36 MB stream, within every render limit.
      const work = path.join(tmp.dir, 'heavy');
      mkdirSync(path.join(work, 'base'), { recursive: true });
      writeFileSync(path.join(work, 'eks-overlay.yaml'), 'layers: [base]\n');
      const big = 'x'.repeat(900 * 1024);
      const items = Array.from(
        { length: 40 },
        (_, i) =>
          `- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm-${i}}, data: {v: ${i === 0 ? `&a "${big}"` : '*a'}}}\n`,
      );
      writeFileSync(
        path.join(work, 'base', 'a.yaml'),
        `apiVersion: v1\nkind: List\nitems:\n${items.join('')}`,
      );
      const e = argoEnv('', undefined, server.socket);
      const answer = await request(server.socket, renderBody(work, e));
      expect(answer.status).toBe(503);
      expect(answer.headers['x-eks-overlay-answer']).toBe('render-yourself');
      expect(answer.body).toContain('memory');
      const ours = await viaClient(work, e, true);
      expect(ours.code).toBe(0);
      expectSameAsCli(ours, await runCli(h, work, e));
      // The worker was replaced.
      expect((await viaClient(web(), env(server.socket), false)).code).toBe(0);
    } finally {
      await server.stop();
    }
  });

  test('start-up: a stale socket is replaced; a live server or a file that is not a socket is refused (78)', async () => {
    const first = await startServer(h, newSocket());
    try {
      const second = spawnSync(process.execPath, [h.bundle, 'serve', '--socket', first.socket], {
        encoding: 'utf8',
      });
      expect(second.status).toBe(78);
      expect(second.stderr).toContain('already listens');
    } finally {
      first.run.child.kill('SIGKILL');
      await first.run.exit;
    }
    const again = await startServer(h, first.socket);
    await again.stop();

    const notSocket = newSocket();
    mkdirSync(path.dirname(notSocket), { mode: 0o700 });
    writeFileSync(notSocket, 'precious');
    const refused = spawnSync(process.execPath, [h.bundle, 'serve', '--socket', notSocket], {
      encoding: 'utf8',
    });
    expect(refused.status).toBe(78);
    expect(readFileSync(notSocket, 'utf8')).toBe('precious');
  });
});
