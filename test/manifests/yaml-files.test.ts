import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  isK8sObject,
  MANIFESTS_DIR,
  readYamlDocuments,
  rel,
  standaloneObjectFiles,
  walkFiles,
  yamlFilesUnder,
} from './manifest-tree';

/** YAML under manifests/ that is configuration read by a tool, not objects applied to a cluster. */
const CONFIG_FILES = new Set([
  'kustomization.yaml',
  'plugin.yaml',
  'eks-overlay.yaml',
  // Helm values and a `kubectl patch --type merge` patch (test/manifests/argocd-integration.test.ts).
  'argo-cd-values.yaml',
  'argocd-cm-health.yaml',
  // A GitHub Actions workflow (manifests/examples/ci/).
  'eks-overlay-preview.yaml',
]);

describe('every YAML file under manifests/', () => {
  const files = yamlFilesUnder(MANIFESTS_DIR);

  it('finds the install and the examples', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => [rel(f), f]))('%s parses', (_name, file) => {
    expect(() => readYamlDocuments(file)).not.toThrow();
    expect(readYamlDocuments(file).length).toBeGreaterThan(0);
  });

  it.each(standaloneObjectFiles().map((f) => [rel(f), f]))(
    '%s holds only Kubernetes objects with a name',
    (_name, file) => {
      if (CONFIG_FILES.has(path.basename(file))) return;
      for (const doc of readYamlDocuments(file)) {
        expect(isK8sObject(doc)).toBe(true);
        if (isK8sObject(doc)) expect(doc.metadata?.name).toEqual(expect.any(String));
      }
    },
  );
});

describe('manifests/ stands alone', () => {
  // Users get the repository, not the reference material next to it.
  it.each(
    walkFiles(MANIFESTS_DIR, (f) => /\.(ya?ml|md|json|lua)$/.test(f)).map((f) => [rel(f), f]),
  )('%s does not refer to ../shared or its documents', (_name, file) => {
    expect(readFileSync(file, 'utf8')).not.toMatch(
      /\.\.\/shared|argocd-contract\.md|aws-api\.md|kro-eso-ack\.md/,
    );
  });
});
