/**
 * manifests/examples/terraform-import: a dev cluster's Terraform state (the one the import tests build) imported in
 * the three phases. The committed outputs are exactly what `eks-overlay import terraform` writes for that state
 * (UPDATE_GOLDEN=1 rewrites them), and the Application syncs them with ServerSideApply=true.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { expectMatchesGolden } from '../cmp/golden';
import { REPO_ROOT, runInProcess, tempDir } from '../cmp/helpers';
import { devClusterState, SECRETS } from './dev-cluster';
import { rawState } from './states';

const EXAMPLE = path.join(REPO_ROOT, 'manifests/examples/terraform-import');
const STATE = 'terraform.tfstate';

test('the example state is the dev cluster state of the tests', () => {
  expectMatchesGolden(`${rawState(devClusterState())}\n`, path.join(EXAMPLE, STATE));
});

test.each(['observe', 'adopt', 'own'])(
  'the %s directory is what the import writes',
  async (phase) => {
    const { dir, cleanup } = tempDir('tf-import-example-');
    try {
      writeFileSync(path.join(dir, STATE), readFileSync(path.join(EXAMPLE, STATE)));
      const r = await runInProcess(
        [
          'import',
          'terraform',
          STATE,
          '--phase',
          phase,
          '--namespace',
          'dev-infra',
          '--out',
          phase,
        ],
        { cwd: dir },
      );
      expect(r.code).toBe(0);
      const written = readdirSync(path.join(dir, phase)).sort();
      for (const f of written) {
        const text = readFileSync(path.join(dir, phase, f), 'utf8');
        for (const s of SECRETS) expect(text).not.toContain(s);
        expectMatchesGolden(text, path.join(EXAMPLE, phase, f));
      }
      expect(readdirSync(path.join(EXAMPLE, phase)).sort()).toEqual(written);
    } finally {
      cleanup();
    }
  },
);

test('the Application syncs the observe phase with ServerSideApply=true', () => {
  const app = parse(readFileSync(path.join(EXAMPLE, 'application.yaml'), 'utf8')) as {
    kind: string;
    spec: {
      source: { path: string; directory?: { include?: string } };
      destination: { namespace: string };
      syncPolicy: { syncOptions: string[] };
    };
  };
  expect(app.kind).toBe('Application');
  expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
  expect(app.spec.source.path).toBe('manifests/examples/terraform-import/observe');
  expect(app.spec.source.directory?.include).toBe('*.yaml');
  expect(app.spec.destination.namespace).toBe('dev-infra');
});
