import * as path from 'node:path';
import { tempDir, runInProcess, writeTree } from '../cmp/helpers';

/**
 * `eks-overlay paths` lists the policy directories an app reads outside its own directory, so Argo CD re-renders the
 * Application when a policy changes (manifest-generate-paths).
 */
describe('paths with policies.paths', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('policy-paths-');
    writeTree(tmp.dir, {
      'apps/web/eks-overlay.yaml':
        'layers: [base]\npolicies:\n  paths:\n    - ../../platform/policies/common\n    - "../../platform/policies/env/{{cluster.metadata.labels.env}}"\n    - "local/{{cluster.name}}"\n',
      'apps/web/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
      'platform/policies/common/p.yaml': '',
      'platform/policies/env/prod/p.yaml': '',
    });
  });
  afterAll(() => tmp.cleanup());

  it('names a static policy path and the fixed part of a templated one', async () => {
    const r = await runInProcess(['paths', path.join(tmp.dir, 'apps', 'web'), '--root', tmp.dir], {
      cwd: tmp.dir,
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toBe('.;/platform/policies/common;/platform/policies/env\n');
  });
});
