/**
 * The split as it runs in a cluster: the bundled entry started twice, as the generator (file source, the example
 * fleet) and as `registrar`, two processes talking HTTP, the registrar writing to the fake Kubernetes API. Between
 * them sits a pass-through that can answer for the generator, to play its faults; the generator can also die.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { bundleSources, type SourceBundles } from '../helpers/bundle';
import { runNode, type RunningChild } from '../hostile/helpers/child';
import { parseFleetYaml } from '../../plugins/cluster-sources/fleet-yaml';
import { exampleFleetPath } from '../../plugins/cluster-sources/examples';
import type { Harness } from '../fakes/kube-api/harness';
import { NAMESPACE, startHarness } from '../fakes/kube-api/harness';

const TOKEN = 'two-process-generator-token';
let bundles: SourceBundles;
let dir: string;
let bundle: string;

beforeAll(async () => {
  bundles = await bundleSources(['generator-service'], 'registrar-bundle-');
  dir = bundles.dir;
  bundle = bundles.file('generator-service');
  writeFileSync(path.join(dir, 'token'), `${TOKEN}\n`);
});
afterAll(() => bundles.remove());

type Running = RunningChild;

function run(args: string[], env: NodeJS.ProcessEnv): Running {
  const defined = Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined);
  return runNode(bundle, args, Object.fromEntries(defined));
}

/** Polls a condition the processes reach on their own; no timing is asserted. */
async function eventually<T>(probe: () => T | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 1500; i++) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`never happened: ${what}`);
}

function portFromLog(r: Running, msg: string): Promise<number> {
  return eventually(() => {
    const line = r
      .stdout()
      .split('\n')
      .find((l) => l.includes(`"msg":"${msg}"`));
    return line === undefined ? undefined : (JSON.parse(line) as { port: number }).port;
  }, msg);
}

test('the registrar subcommand refuses to start without its settings: exit 78, every problem named', async () => {
  const r = run(['registrar'], { HOME: dir, REGISTRAR_POLL_SECONDS: 'often' });
  expect(await r.exit).toBe(78);
  for (const key of [
    'REGISTRAR_GENERATOR_URL',
    'REGISTRAR_GENERATOR_TOKEN_FILE',
    'REGISTRAR_POLL_SECONDS',
    'Kubernetes client configuration',
  ]) {
    expect(r.stderr()).toContain(key);
  }
  expect(r.stdout()).toBe('');
});

describe('generator and registrar as two processes', () => {
  let h: Harness;
  let generator: Running;
  let registrar: Running;
  let proxy: http.Server;
  let fault: { status: number; body: string } | undefined;
  let proxied = 0;

  const exampleClusters = parseFleetYaml(
    readFileSync(exampleFleetPath(), 'utf8'),
    exampleFleetPath(),
  );
  const registrable =
    'fleet' in exampleClusters
      ? exampleClusters.fleet.records.filter((r) => r.caData !== '' && r.endpoint !== '').length
      : NaN;
  const secrets = () => h.api.list('secrets', NAMESPACE);
  const deletes = () => h.api.writes('secrets').filter((w) => w.verb === 'delete');

  beforeAll(async () => {
    h = await startHarness();
    generator = run([], {
      HOST: '127.0.0.1',
      PORT: '0',
      CLUSTERS_FILE: exampleFleetPath(),
      GENERATOR_TOKEN_FILE: path.join(dir, 'token'),
    });
    const generatorPort = await portFromLog(generator, 'listening');
    proxy = http.createServer((req, res) => {
      proxied += 1;
      if (fault !== undefined) {
        res.writeHead(fault.status, { 'Content-Type': 'application/json' });
        res.end(fault.body);
        return;
      }
      const upstream = http.request(
        { host: '127.0.0.1', port: generatorPort, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502, { 'Content-Type': 'application/json' });
        res.end('{"message":"generator unreachable"}');
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    registrar = run(
      ['registrar'],
      h.env('replica-a', {
        REGISTRAR_GENERATOR_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        REGISTRAR_GENERATOR_TOKEN_FILE: path.join(dir, 'token'),
        REGISTRAR_POLL_SECONDS: '1',
        REGISTRAR_PRUNE: 'true',
        REGISTRAR_PORT: '0',
        REGISTRAR_HOST: '127.0.0.1',
        HOME: dir,
      }),
    );
  });
  afterAll(async () => {
    generator.child.kill('SIGTERM');
    registrar.child.kill('SIGTERM');
    await Promise.all([generator.exit, registrar.exit]);
    await new Promise((resolve) => proxy.close(resolve));
    await h.close();
  });

  /** Waits for two more reads by the registrar: the first one's reply has then been handled. */
  async function twoMoreReads(): Promise<void> {
    const target = proxied + 2;
    await eventually(() => proxied >= target, 'two more fleet reads');
  }

  it('registers every registrable cluster of the generator’s fleet', async () => {
    expect(registrable).toBeGreaterThan(0);
    await eventually(() => secrets().length === registrable, `${registrable} Secrets`);
    const port = await portFromLog(registrar, 'registrar status listening');
    const status = (await (
      await fetch(`http://127.0.0.1:${port}/api/v1/status`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      })
    ).json()) as { leader: boolean; registered: unknown[] };
    expect(status.leader).toBe(true);
    expect(status.registered).toHaveLength(registrable);
  });

  it.each<[string, { status: number; body: string }]>([
    ['503', { status: 503, body: '{"message":"cluster registry has not loaded yet"}' }],
    ['a degenerate 200 {}', { status: 200, body: '{}' }],
    ['a degenerate 200 {"output":{}}', { status: 200, body: '{"output":{}}' }],
    ['an empty 200', { status: 200, body: '' }],
  ])('the generator answering %s deletes no Secret', async (_what, reply) => {
    fault = reply;
    await twoMoreReads();
    fault = undefined;
    expect(deletes()).toEqual([]);
    expect(secrets()).toHaveLength(registrable);
  });

  it('the generator process gone deletes no Secret, and the registrar stops cleanly', async () => {
    generator.child.kill('SIGTERM');
    expect(await generator.exit).toBe(0);
    await twoMoreReads();
    expect(deletes()).toEqual([]);
    expect(secrets()).toHaveLength(registrable);
    expect(registrar.stdout()).toContain(
      '"msg":"fleet read refused; keeping the last accepted fleet, pruning nothing"',
    );

    registrar.child.kill('SIGTERM');
    expect(await registrar.exit).toBe(0);
    const lease = h.api.get('leases', NAMESPACE, 'argocd-eks-plugins-registrar')!;
    expect((lease['spec'] as { holderIdentity?: string }).holderIdentity ?? '').toBe('');
    expect(registrar.stdout() + registrar.stderr()).not.toContain(TOKEN);
  });
});
