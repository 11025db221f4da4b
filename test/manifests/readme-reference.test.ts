import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_ENV_VARS } from '../../generator-service/config';
import { MANIFESTS_DIR, REPO_ROOT, walkFiles } from './manifest-tree';

/*
 * manifests/README.md's configuration reference names every environment variable the code reads, so the reference
 * cannot silently fall behind. Variables set by Argo CD, Kubernetes or the AWS SDK conventions are documented as a
 * group and left out here.
 */

const README = readFileSync(path.join(MANIFESTS_DIR, 'README.md'), 'utf8');
const EXTERNAL = /^(ARGOCD_APP_|ARGOCD_ENV_$|KUBE_|KUBERNETES_|AWS_)|^(HOME|HOSTNAME|KUBECONFIG)$/;
const READS = [
  /env\[['"]([A-Z][A-Z0-9_]+)['"]\]/g,
  /\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]+)['"]/g,
  /\bint\(\s*['"]([A-Z][A-Z0-9_]+)['"]/g,
  /_ENV\s*=\s*['"]([A-Z][A-Z0-9_]+)['"]/g,
];

function variablesReadByCode(): string[] {
  const names = new Set<string>(SERVICE_ENV_VARS.map((v) => v.name));
  const files = ['generator-service', 'plugins', 'cmp-sidecar'].flatMap((d) =>
    walkFiles(path.join(REPO_ROOT, d), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts')),
  );
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const re of READS) for (const m of text.matchAll(re)) names.add(m[1]!);
  }
  return [...names].filter((n) => !EXTERNAL.test(n)).sort();
}

describe('manifests/README.md configuration reference', () => {
  const names = variablesReadByCode();

  it('finds the variables the services read', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'GENERATOR_TOKEN_FILE',
        'REGISTRAR_ENABLED',
        'EKS_REGIONS',
        'CLUSTER_CONTEXT',
      ]),
    );
  });

  it.each(names)('documents %s', (name) => {
    expect(README).toContain(`\`${name}\``);
  });
});
