/**
 * A render reads its environment from `Io.env` only, never `process.env`: the warm render server
 * (cmp-sidecar/serve/) runs `run(['generate'], io)` in one long-lived process with each client's environment.
 * The sidecar setting EKS_OVERLAY_CRD_DIR (read by the kro stage) shows which one a render used: with no CRD
 * directory at all, the kro stage says (at debug level) that RGD templates are not schema-checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clusterFromRecord, clusterToParams } from '../core/cluster';
import { loadExampleFleet } from '../test/helpers/generator';
import { run } from './cli';

const APP_DIR = path.join(__dirname, '..', 'manifests', 'examples', 'eks-overlay-app', 'app');
const NOT_CHECKED = 'EKS_OVERLAY_CRD_DIR is not set';

const cluster = loadExampleFleet()
  .flatMap((rec) => {
    const c = clusterFromRecord(rec).cluster;
    return c === undefined ? [] : [clusterToParams(c)];
  })
  .find((c) => c.metadata.labels?.['env'] === 'prod');

async function generate(extraEnv: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await run(['generate'], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd: APP_DIR,
    env: {
      ARGOCD_APP_NAME: 'orders',
      ARGOCD_APP_NAMESPACE: 'orders',
      ARGOCD_APP_PARAMETERS: 'null',
      EKS_OVERLAY_LOG_LEVEL: 'debug',
      ARGOCD_ENV_CLUSTER_CONTEXT: cluster!.clusterContext,
      ...extraEnv,
    },
  });
  return { code, stdout, stderr };
}

let crdDir: string;
const saved = process.env['EKS_OVERLAY_CRD_DIR'];
beforeAll(() => {
  crdDir = mkdtempSync(path.join(os.tmpdir(), 'render-env-crds-'));
});
afterAll(() => {
  rmSync(crdDir, { recursive: true, force: true });
  if (saved === undefined) delete process.env['EKS_OVERLAY_CRD_DIR'];
  else process.env['EKS_OVERLAY_CRD_DIR'] = saved;
});

test('a sidecar setting given in Io.env reaches the stages, with process.env lacking it', async () => {
  delete process.env['EKS_OVERLAY_CRD_DIR'];
  const r = await generate({ EKS_OVERLAY_CRD_DIR: crdDir });
  expect(r.code).toBe(0);
  expect(r.stderr).not.toContain(NOT_CHECKED);
});

test('a setting only in process.env does not reach a render given another environment', async () => {
  process.env['EKS_OVERLAY_CRD_DIR'] = crdDir;
  const r = await generate({});
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(NOT_CHECKED);
});

test('the working directory comes from Io.cwd', async () => {
  expect(process.cwd()).not.toBe(APP_DIR);
  const r = await generate({});
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('kind: ');
});
