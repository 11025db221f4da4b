import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, runInProcess, tempDir } from '../cmp/helpers';

/**
 * `eks-overlay validate <dir>` over every file of shared/corpus/kro-examples, each as the only manifest of an app:
 * the verdicts of the corpus README (valid except the three files it names).
 */
const SHARED = path.resolve(REPO_ROOT, '..', 'shared');
const CORPUS = path.join(SHARED, 'corpus', 'kro-examples');

type Expect = { ok: true; stderr?: RegExp } | { ok: false; output: RegExp };
const EXPECTED: Record<string, Expect> = {
  'aws/ack-eks-cluster/eks-reused.yaml': {
    ok: false,
    output:
      /base\/rgd\.yaml:26: ekscluster\.kro\.run, resource cluster1, at spec\.resources\[0\]\.template\.spec\.version: references unknown identifiers: \[spc\]/,
  },
  'aws/eks-cluster-mgmt/charts/kro/resource-groups/pod-identity/pod-identity.yaml': {
    ok: true,
    stderr:
      /podidentity\.kro\.run, at kind: legacy ResourceGroup translated to a ResourceGraphDefinition/,
  },
  // kro accepts this file: the API server's YAML decoding keeps the last of two `selector:` keys; so does
  // eks-overlay, with a warning (yaml.duplicateKeys in eks-overlay.yaml).
  'kubernetes/core-dns/core-dns.yaml': {
    ok: true,
    stderr:
      /warning: base\/rgd\.yaml:169: duplicate key "selector" in one mapping; the last value wins/,
  },
  'aws/ack-controller/all-controllers.yaml': {
    ok: false,
    output: /base\/rgd\.yaml:30: invalid YAML/,
  },
};
function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((n) => {
      const p = path.join(dir, n);
      return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
    })
    .sort();
}

let tmp: ReturnType<typeof tempDir>;
let contextFile: string;
let savedCrdDir: string | undefined;
beforeAll(() => {
  tmp = tempDir('kro-corpus-');
  contextFile = path.join(tmp.dir, 'context.json');
  writeFileSync(
    contextFile,
    JSON.stringify({
      name: 'hub',
      server: 'https://hub.example',
      metadata: { labels: { env: 'prod' }, annotations: {} },
      aws: { region: 'us-east-1' },
    }),
  );
  savedCrdDir = process.env['EKS_OVERLAY_CRD_DIR'];
  process.env['EKS_OVERLAY_CRD_DIR'] = path.join(SHARED, 'crds');
});
afterAll(() => {
  if (savedCrdDir === undefined) delete process.env['EKS_OVERLAY_CRD_DIR'];
  else process.env['EKS_OVERLAY_CRD_DIR'] = savedCrdDir;
  tmp.cleanup();
});

const files = yamlFiles(CORPUS).map((f) => path.relative(CORPUS, f));

async function validate(rel: string) {
  const appDir = path.join(tmp.dir, rel.replace(/[/.]/g, '_'));
  mkdirSync(path.join(appDir, 'base'), { recursive: true });
  writeFileSync(path.join(appDir, 'eks-overlay.yaml'), 'layers: [base]\n');
  copyFileSync(path.join(CORPUS, rel), path.join(appDir, 'base', 'rgd.yaml'));
  return runInProcess(['validate', appDir, '--context', contextFile], { cwd: tmp.dir });
}

describe.each(files)('%s', (rel) => {
  const expected: Expect = EXPECTED[rel] ?? { ok: true };
  const check = async () => {
    const r = await validate(rel);
    if (expected.ok) {
      expect({ code: r.code, out: r.stdout }).toEqual({
        code: 0,
        out: expect.stringMatching(/^ok /m),
      });
      if (expected.stderr) expect(r.stderr).toMatch(expected.stderr);
    } else {
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(expected.output);
    }
  };
  test(`is ${expected.ok ? 'valid' : 'invalid'}`, check);
});
