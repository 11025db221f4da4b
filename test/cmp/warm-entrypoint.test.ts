/**
 * The sidecar image's entrypoint (cmp-sidecar/sidecar-entrypoint.sh, run by tini): it keeps `eks-overlay serve`
 * running in a restart loop and becomes the command it is given (argocd-cmp-server in the image). Here the
 * command is `sleep`, the server exits after every render (EKS_OVERLAY_SERVE_MAX_RENDERS=1), and the loop must
 * bring it back each time so that the client renders through it again.
 */
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import * as path from 'node:path';
import { until } from '../hostile/helpers/child';
import { buildCliBundle } from './bundle';
import { REPO_ROOT, tempDir } from './helpers';
import { createHarness, runClient } from './warm-harness';

jest.setTimeout(60_000);

const ENTRYPOINT = path.join(REPO_ROOT, 'cmp-sidecar', 'sidecar-entrypoint.sh');

test('the entrypoint restarts eks-overlay serve each time it exits, and runs the given command', async () => {
  const bundle = await buildCliBundle();
  const tmp = tempDir('warm-entrypoint-');
  try {
    const h = createHarness(bundle.file, tmp.dir);
    const repo = path.join(tmp.dir, 'repo');
    cpSync(path.join(__dirname, 'repo'), repo, { recursive: true });
    const socket = path.join(tmp.dir, 'sock', 'render.sock');
    const env = {
      PATH: `${h.binDir}:/usr/bin:/bin`,
      EKS_OVERLAY_SOCKET: socket,
      EKS_OVERLAY_SERVE_MAX_RENDERS: '1',
    };
    const sidecar = spawn('/bin/sh', [ENTRYPOINT, 'sleep', '300'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let log = '';
    sidecar.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const starts = () => log.split('listening on').length - 1;
    try {
      for (let round = 1; round <= 2; round++) {
        await until(() => (starts() >= round ? true : undefined));
        const app = path.join(repo, 'apps', 'empty-ok');
        const r = await runClient(h, app, {
          ...env,
          ARGOCD_APP_NAME: 'addons',
          ARGOCD_APP_NAMESPACE: 'addons',
          ARGOCD_APP_PARAMETERS: 'null',
          ARGOCD_ENV_CLUSTER_CONTEXT: JSON.stringify({
            name: 'c',
            metadata: { labels: { env: 'dev' } },
          }),
        }).done;
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('kind: ');
        await until(() =>
          log.includes(`stopped (1 renders done`) && log.split('stopped (').length > round
            ? true
            : undefined,
        );
      }
      expect(h.fallbacks()).toBe(0);
      await until(() => (starts() >= 3 ? true : undefined));
    } finally {
      process.kill(-sidecar.pid!, 'SIGKILL');
    }
  } finally {
    bundle.cleanup();
    tmp.cleanup();
  }
});
