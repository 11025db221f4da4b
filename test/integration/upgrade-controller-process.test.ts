/**
 * The `upgrade-controller` subcommand of the bundled generator entry, as the component's Deployment runs it: bad
 * settings stop it with exit 78 and every problem named; good ones start it against the fake Kubernetes API, where it
 * takes its Lease and serves /healthz, /metrics and its authenticated status.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleSources, type SourceBundles } from '../helpers/bundle';
import { runNode, type RunningChild } from '../hostile/helpers/child';
import { writeKubeconfig } from '../fakes/kube-api/kubeconfig';
import type { FakeKubeApi } from '../fakes/kube-api/server';
import { startFakeKubeApi } from '../fakes/kube-api/server';

const TOKEN = 'upgrade-process-token';
let bundles: SourceBundles;
let dir: string;

beforeAll(async () => {
  bundles = await bundleSources(['generator-service'], 'upgrade-bundle-');
  dir = bundles.dir;
  writeFileSync(path.join(dir, 'token'), `${TOKEN}\n`);
});
afterAll(() => bundles.remove());

function run(env: Record<string, string>): RunningChild {
  return runNode(bundles.file('generator-service'), ['upgrade-controller'], env);
}

/** Polls a condition the process reaches on its own; no timing is asserted. */
async function eventually<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 1500; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`never happened: ${what}`);
}

test('refuses to start without its settings: exit 78, every problem named, nothing on stdout', async () => {
  const r = run({ HOME: dir, UPGRADE_RESYNC_SECONDS: 'often', UPGRADE_ROLE_ARN: 'nope' });
  expect(await r.exit).toBe(78);
  for (const key of [
    'UPGRADE_GENERATOR_URL',
    'UPGRADE_GENERATOR_TOKEN_FILE',
    'UPGRADE_RESYNC_SECONDS',
    'UPGRADE_ROLE_ARN',
    'Kubernetes client configuration',
  ]) {
    expect(r.stderr()).toContain(key);
  }
  expect(r.stdout()).toBe('');
});

describe('started with its settings', () => {
  let api: FakeKubeApi;
  let r: RunningChild;

  beforeAll(async () => {
    api = await startFakeKubeApi();
    r = run({
      HOME: dir,
      KUBECONFIG: writeKubeconfig(dir, api.url, 'token-x'),
      UPGRADE_GENERATOR_URL: 'http://127.0.0.1:9',
      UPGRADE_GENERATOR_TOKEN_FILE: path.join(dir, 'token'),
      UPGRADE_PORT: '0',
      UPGRADE_HOST: '127.0.0.1',
      POD_NAME: 'upgrade-controller-0',
    });
  });
  afterAll(async () => {
    r.child.kill('SIGTERM');
    await r.exit;
    await api.close();
  });

  it('takes its Lease and serves health, metrics and the status with the token only', async () => {
    const port = await eventually(() => {
      const line = r
        .stdout()
        .split('\n')
        .find((l) => l.includes('"msg":"upgrade controller status listening"'));
      return line === undefined ? undefined : (JSON.parse(line) as { port: number }).port;
    }, 'listening');
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('argocd_eks_upgrade_leader 1');
    expect((await fetch(`${base}/api/v1/status`)).status).toBe(401);
    const status = await fetch(`${base}/api/v1/status`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await status.json()).toEqual({ namespace: 'argocd', leader: true, upgrades: [] });
    const lease = api.get('leases', 'argocd', 'argocd-eks-plugins-upgrade-controller');
    expect((lease?.['spec'] as { holderIdentity: string }).holderIdentity).toMatch(
      /^upgrade-controller-0_/,
    );
    expect(r.stdout()).not.toContain(TOKEN);
  });
});
