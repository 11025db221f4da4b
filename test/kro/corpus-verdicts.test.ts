import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { formatFinding } from '../../cmp-sidecar/kro/types';
import { validateKroObjects } from '../../cmp-sidecar/kro/validate';
import { CORPUS_DIR, CRD_DIR, loadYamlObjects } from './load-yaml';

/**
 * The verdicts of shared/corpus/README.md for every file of kro-examples: valid RGDs except the three named there.
 * Templates of ACK, ESO, Argo CD and kro kinds are schema-checked against shared/crds.
 */
type Verdict =
  | { kind: 'valid' }
  | { kind: 'invalid'; message: RegExp; resourceIds: string[] }
  | { kind: 'translated' }
  | { kind: 'yaml-error'; line: number };

const EXCEPTIONS: Record<string, Verdict> = {
  'aws/ack-eks-cluster/eks-reused.yaml': {
    kind: 'invalid',
    // Its templates also use a kind ACK does not have (EKSCluster; ACK's is Cluster) of a group whose CRDs are
    // given: kro would not find a schema for it either.
    message:
      /references unknown identifiers: \[spc\]|kind EKSCluster of eks\.services\.k8s\.aws\/v1alpha1 is not known/,
    resourceIds: ['cluster1', 'cluster2'],
  },
  'aws/eks-cluster-mgmt/charts/kro/resource-groups/pod-identity/pod-identity.yaml': {
    kind: 'translated',
  },
  // README: "a mapping indented under `iamPolicy: {}` near line 26"; the first offending line is 30.
  'aws/ack-controller/all-controllers.yaml': { kind: 'yaml-error', line: 30 },
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) return yamlFiles(p);
      return /\.ya?ml$/.test(name) ? [p] : [];
    })
    .sort();
}

const files = yamlFiles(CORPUS_DIR).map((f) => path.relative(CORPUS_DIR, f));

test('the corpus is there and every exception names a file in it', () => {
  expect(files.length).toBeGreaterThanOrEqual(50);
  for (const f of Object.keys(EXCEPTIONS)) expect(files).toContain(f);
});

describe.each(files)('%s', (rel) => {
  const verdict: Verdict = EXCEPTIONS[rel] ?? { kind: 'valid' };
  const run = () =>
    validateKroObjects(loadYamlObjects(path.join(CORPUS_DIR, rel), rel), { crdDirs: [CRD_DIR] });

  test(`is ${verdict.kind}`, () => {
    if (verdict.kind === 'yaml-error') {
      expect(run).toThrow(
        new RegExp(`^${rel.replace(/[.]/g, '\\.')}:${verdict.line}: invalid YAML`),
      );
      return;
    }
    const result = run();
    const errors = result.findings.filter((f) => f.severity === 'error');
    switch (verdict.kind) {
      case 'valid':
        expect(errors.map(formatFinding)).toEqual([]);
        expect(result.rgds.length).toBeGreaterThan(0);
        break;
      case 'invalid':
        expect(errors.length).toBeGreaterThan(0);
        for (const e of errors) expect(e.message).toMatch(verdict.message);
        expect(errors.some((e) => e.message.includes('references unknown identifiers'))).toBe(true);
        expect([...new Set(errors.map((e) => e.resourceId))].sort()).toEqual(verdict.resourceIds);
        expect(errors.every((e) => e.rgd === 'ekscluster.kro.run' && e.source?.file === rel)).toBe(
          true,
        );
        break;
      case 'translated': {
        expect(errors.map(formatFinding)).toEqual([]);
        const warning = result.findings.find((f) =>
          /legacy ResourceGroup translated/.test(f.message),
        );
        expect(warning).toBeDefined();
        expect(result.objects[0]?.object).toMatchObject({
          apiVersion: 'kro.run/v1alpha1',
          kind: 'ResourceGraphDefinition',
        });
        break;
      }
    }
  });
});
