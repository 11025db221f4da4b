/** startRegistrarFromEnv refuses a bad configuration with every problem listed, before touching the API. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { ConfigError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import { startRegistrarFromEnv } from '../../generator-service/registrar/index';
import { ManualFeed } from '../fakes/kube-api/fleet-feed';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'registrar-home-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

async function startWith(env: NodeJS.ProcessEnv): Promise<unknown> {
  try {
    const r = await startRegistrarFromEnv(
      { HOME: home, ...env },
      { feed: new ManualFeed(), log: silentLogger, metrics: new Registry() },
    );
    await r.stop();
    return undefined;
  } catch (e) {
    return e;
  }
}

it('lists environment and Kubernetes client problems together', async () => {
  const error = await startWith({
    REGISTRAR_PRUNE: 'maybe',
    REGISTRAR_ROLE_ARN: 'not-an-arn',
    KUBECONFIG: path.join(home, 'missing-kubeconfig'),
  });
  expect(error).toBeInstanceOf(ConfigError);
  const issues = (error as ConfigError).issues;
  expect(issues).toHaveLength(3);
  expect(issues[0]).toMatch(/^REGISTRAR_ROLE_ARN:/);
  expect(issues[1]).toMatch(/^REGISTRAR_PRUNE:/);
  expect(issues[2]).toMatch(/^Kubernetes client configuration: .*missing-kubeconfig/);
});

it('refuses to fall back to http://localhost:8080 when no Kubernetes configuration exists', async () => {
  const error = await startWith({ KUBERNETES_SERVICE_HOST: '' });
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).issues).toEqual([
    expect.stringMatching(/not running in a cluster, and neither KUBECONFIG nor ~\/.kube\/config/),
  ]);
});
