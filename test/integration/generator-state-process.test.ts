/**
 * The bundled service with GENERATOR_STATE_CONFIGMAP set, as a process against the Kubernetes API fake: the store is
 * loaded on demand inside the bundle, the state is read before the service becomes ready, and what it served is
 * written to the ConfigMap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { bundleSources, type SourceBundles } from '../helpers/bundle';
import { STATE_DATA_KEY } from '../../generator-service/snapshot/state/configmap-store';
import { exampleFleetPath } from '../../plugins/cluster-sources/examples';
import { writeKubeconfig } from '../fakes/kube-api/kubeconfig';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api/server';

const NAME = 'eks-cluster-generator-state';
let bundles: SourceBundles;
let dir: string;
let bundle: string;
let api: FakeKubeApi;
let child: ChildProcess | undefined;

beforeAll(async () => {
  bundles = await bundleSources(['generator-service'], 'generator-state-');
  dir = bundles.dir;
  bundle = bundles.file('generator-service');
});
afterAll(() => bundles.remove());
beforeEach(async () => {
  api = await startFakeKubeApi();
});
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await api.close();
});

function start(): { stdout: () => string } {
  let out = '';
  child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      GENERATOR_TOKEN: 'state-process-token',
      CLUSTERS_FILE: exampleFleetPath(),
      KUBECONFIG: writeKubeconfig(dir, api.url, 'pod-token'),
      GENERATOR_STATE_CONFIGMAP: NAME,
      POD_NAMESPACE: 'argocd',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { stdout: () => out };
}

/** What Argo CD would get (getparams with the token): /readyz may hide its reasons from callers without it. */
async function getParams(stdout: () => string): Promise<{ status: number; body: string }> {
  for (;;) {
    const line = stdout()
      .split('\n')
      .find((l) => l.includes('"msg":"listening"'));
    if (line) {
      const { port } = JSON.parse(line) as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/getparams.execute`, {
        method: 'POST',
        headers: { authorization: 'Bearer state-process-token' },
        body: '{"input":{"parameters":{}}}',
      });
      return { status: res.status, body: await res.text() };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('reads the state before becoming ready, then writes what it served to the ConfigMap', async () => {
  api.seed('configmaps', { metadata: { name: NAME, namespace: 'argocd' }, data: {} });
  const p = start();
  await until(
    () => getParams(p.stdout),
    (r) => r.status === 200,
  );
  const doc = await until(
    () =>
      Promise.resolve(api.get('configmaps', 'argocd', NAME)?.['data'] as Record<string, string>),
    (d) => d[STATE_DATA_KEY] !== undefined,
  );
  const state = JSON.parse(doc[STATE_DATA_KEY] ?? '') as { served: Record<string, string> };
  expect(state.served['210987654321/eu-west-1/dev-euw1']).toBe('dev-euw1');
  expect(new Set(api.requests.map((r) => `${r.verb} ${r.resource}/${r.name ?? ''}`))).toEqual(
    new Set([`get configmaps/${NAME}`, `update configmaps/${NAME}`]),
  );
});

test('a state ConfigMap that does not exist keeps the service unready, naming it', async () => {
  const p = start();
  const r = await until(
    () => getParams(p.stdout),
    (x) => x.body.includes('fleet state'),
  );
  expect(r.status).toBe(503);
  expect(r.body).toContain(`ConfigMap argocd/${NAME}: get: HTTP 404`);
});
