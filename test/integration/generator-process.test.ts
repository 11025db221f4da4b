/**
 * The bundled service as a process: startup refusal, --demo, and graceful shutdown. The entry point is bundled
 * with esbuild into a temporary directory (as `npm run build` does) so the test does not depend on dist/.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { bundleSources, type SourceBundles } from '../helpers/bundle';
import { listeningPort, runNode, type RunningChild } from '../hostile/helpers/child';
import { exampleFleetPath } from '../../plugins/cluster-sources/examples';

let bundles: SourceBundles;
let dir: string;
let bundle: string;

beforeAll(async () => {
  bundles = await bundleSources(['generator-service'], 'generator-bundle-');
  dir = bundles.dir;
  bundle = bundles.file('generator-service');
  // Beside the bundle, as in the image (dist/examples/): what --demo serves without CLUSTERS_FILE.
  mkdirSync(path.join(dir, 'examples'));
  copyFileSync(exampleFleetPath(), path.join(dir, 'examples', 'fleet.yaml'));
});
afterAll(() => bundles.remove());

type Running = RunningChild;

/** Runs the bundle; `env` entries set to undefined are left out of the defaults below. */
function run(args: string[], env: Record<string, string | undefined>): Running {
  const merged: Record<string, string | undefined> = {
    HOST: '127.0.0.1',
    PORT: '0',
    CLUSTERS_FILE: exampleFleetPath(),
    ...env,
  };
  const defined = Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined);
  return runNode(bundle, args, Object.fromEntries(defined));
}

async function untilReady(port: number): Promise<void> {
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('without a token (and without --demo) it refuses to start: exit 78, a clear message, nothing on stdout', async () => {
  const r = run([], {});
  expect(await r.exit).toBe(78);
  expect(r.stderr()).toContain(
    'no bearer token configured: set GENERATOR_TOKEN or GENERATOR_TOKEN_FILE',
  );
  expect(r.stdout()).toBe('');
});

test('without a fleet file or EKS discovery (and without --demo) it refuses to start, naming what to set', async () => {
  const r = run([], { GENERATOR_TOKEN: 't', CLUSTERS_FILE: undefined });
  expect(await r.exit).toBe(78);
  expect(r.stderr()).toContain(
    'no fleet configured: set CLUSTERS_FILE to a fleet file, or CLUSTER_SOURCE=eks (with EKS_REGIONS) for EKS discovery',
  );
  expect(r.stdout()).toBe('');
});

test('--help and --version answer on stdout and exit 0 without starting', async () => {
  const help = run(['--help'], {});
  expect(await help.exit).toBe(0);
  expect(help.stdout()).toMatch(/^eks-cluster-generator \d+\.\d+\.\d+: /);
  for (const name of ['CLUSTERS_FILE', 'CLUSTER_SOURCE', 'GENERATOR_TOKEN_FILE', 'EKS_REGIONS'])
    expect(help.stdout()).toContain(name);
  for (const subcommand of ['registrar', 'upgrade-controller'])
    expect(help.stdout()).toMatch(new RegExp(`^  ${subcommand} `, 'm'));
  expect(help.stdout()).not.toContain('shared/');
  const version = run(['--version'], {});
  expect(await version.exit).toBe(0);
  expect(version.stdout().trim()).toMatch(/^\d+\.\d+\.\d+$/);
  const typo = run(['--dmeo'], {});
  expect(await typo.exit).toBe(64);
  expect(typo.stderr()).toContain('unknown argument "--dmeo"');
});

test('--demo without a fleet file says it serves the example fleet, on 127.0.0.1 unless HOST is set', async () => {
  const r = run(['--demo'], { CLUSTERS_FILE: undefined, HOST: undefined });
  try {
    const port = await listeningPort(r);
    expect(r.stderr()).toContain(`serving the bundled EXAMPLE fleet`);
    expect(r.stderr()).toContain(`on 127.0.0.1:${port}`);
    expect(r.stdout()).toContain('"host":"127.0.0.1"');
    await untilReady(port);
  } finally {
    r.child.kill('SIGTERM');
  }
  expect(await r.exit).toBe(0);
});

test('invalid configuration lists every problem and exits 78', async () => {
  const r = run([], { GENERATOR_TOKEN: 't', PORT: 'http', LOG_LEVEL: 'loud' });
  expect(await r.exit).toBe(78);
  expect(r.stderr()).toContain('PORT: "http" must be an integer');
  expect(r.stderr()).toContain('LOG_LEVEL: "loud"');
});

test('--demo generates a token, prints it with a curl line, serves the example fleet, and exits 0 on SIGTERM', async () => {
  const r = run(['--demo'], {});
  try {
    const port = await listeningPort(r);
    const token = /Generated bearer token for this run: (\S+)/.exec(r.stderr())?.[1] ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(r.stderr()).toContain(`curl -sS -H 'Authorization: Bearer ${token}'`);
    expect(r.stderr()).toContain(`http://127.0.0.1:${port}/api/v1/getparams.execute`);
    await untilReady(port);
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/getparams.execute`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: '{"applicationSetName":"demo","input":{"parameters":{"selector":{"matchLabels":{"env":"prod"}}}}}\n',
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { output: { parameters: unknown[] } }).output.parameters,
    ).toHaveLength(6);
    expect(r.stdout()).not.toContain(token);
  } finally {
    r.child.kill('SIGTERM');
  }
  expect(await r.exit).toBe(0);
  expect(r.stdout()).toContain('"msg":"stopped"');
});

test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
  const token = 'process-test-token';
  const r = run([], { GENERATOR_TOKEN: token });
  const port = await listeningPort(r);
  await untilReady(port);
  const body = '{"applicationSetName":"slow","input":{}}\n';
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let reply = '';
  socket.on('data', (d: Buffer) => (reply += d.toString()));
  const ended = new Promise((resolve) => socket.once('close', resolve));
  // Headers and half the body, then SIGTERM, then the rest: the request is in flight during shutdown.
  socket.write(
    `POST /api/v1/getparams.execute HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  r.child.kill('SIGTERM');
  for (;;) {
    if (r.stdout().includes('"msg":"shutting down"')) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  socket.end(body.slice(10));
  await ended;
  expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
  expect(reply).toContain('"output":{"parameters":[');
  expect(await r.exit).toBe(0);
  expect(r.stdout()).not.toContain(token);
});
