import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseYamlObjects } from '../../cmp-sidecar/kro/reference-files';
import { openParsedPolicyCache } from '../../cmp-sidecar/policy/parsed-cache';
import { readPolicyDocuments } from '../../cmp-sidecar/policy/read';
import { tempDir } from '../cmp/helpers';

/**
 * Parsed policy files are kept between processes in eks-overlay's private cache directory, so a CLI render does not
 * parse the same policy YAML every time; what a render reads from the cache is exactly what parsing gives.
 */
const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replicas}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: ['*'], operations: [CREATE], resources: [deployments]}]
  validations:
    - expression: object.spec.replicas <= 10
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: replicas}
spec: {policyName: replicas, validationActions: [Deny]}
`;

function countingParse(): { parse: typeof parseYamlObjects; calls: () => number } {
  let calls = 0;
  return {
    parse: (text, label) => {
      calls++;
      return parseYamlObjects(text, label);
    },
    calls: () => calls,
  };
}

describe('parsed policy cache', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('policy-parsed-cache-')));
  afterEach(() => tmp.cleanup());

  const cacheEnv = () => ({ EKS_OVERLAY_CACHE_DIR: path.join(tmp.dir, 'cache') });

  it('parses a file once; later reads give the same documents and lines from the cache', () => {
    const cache = openParsedPolicyCache(cacheEnv())!;
    const counter = countingParse();
    const first = cache.documents(POLICY, 'p.yaml', counter.parse);
    const second = openParsedPolicyCache(cacheEnv())!.documents(POLICY, 'q.yaml', counter.parse);
    expect(counter.calls()).toBe(1);
    expect(first).toEqual(parseYamlObjects(POLICY, 'p.yaml'));
    expect(second).toEqual(parseYamlObjects(POLICY, 'q.yaml'));
    expect(second.map((d) => d.source)).toEqual([
      { file: 'q.yaml', line: 1 },
      { file: 'q.yaml', line: 10 },
    ]);
  });

  it('a changed file is parsed again', () => {
    const counter = countingParse();
    openParsedPolicyCache(cacheEnv())!.documents(POLICY, 'p.yaml', counter.parse);
    const changed = POLICY.replace('<= 10', '<= 5');
    const docs = openParsedPolicyCache(cacheEnv())!.documents(changed, 'p.yaml', counter.parse);
    expect(counter.calls()).toBe(2);
    expect(JSON.stringify(docs)).toContain('<= 5');
  });

  it('a value JSON cannot hold exactly (.inf) is never stored: parsed every time, kept as is', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: limits}\ndata: {}\nlimit: .inf\n';
    const counter = countingParse();
    for (let i = 0; i < 2; i++) {
      const [doc] = openParsedPolicyCache(cacheEnv())!.documents(text, 'c.yaml', counter.parse);
      expect(doc!.object['limit']).toBe(Infinity);
    }
    expect(counter.calls()).toBe(2);
  });

  it('a malformed entry is a miss, not an error', () => {
    const counter = countingParse();
    openParsedPolicyCache(cacheEnv())!.documents(POLICY, 'p.yaml', counter.parse);
    const dir = path.join(tmp.dir, 'cache', 'policy-yaml-1');
    for (const f of readdirSync(dir)) writeFileSync(path.join(dir, f), '{"not": "entries"');
    const docs = openParsedPolicyCache(cacheEnv())!.documents(POLICY, 'p.yaml', counter.parse);
    expect(counter.calls()).toBe(2);
    expect(docs).toEqual(parseYamlObjects(POLICY, 'p.yaml'));
  });

  it('a YAML error is named as usual and nothing is stored', () => {
    const cache = openParsedPolicyCache(cacheEnv())!;
    expect(() => cache.documents('a: [b\n', 'bad.yaml', parseYamlObjects)).toThrow(/bad\.yaml:\d+/);
    expect(readdirSync(path.join(tmp.dir, 'cache', 'policy-yaml-1'))).toEqual([]);
  });

  it('is not used from a directory others can write to, nor with EKS_OVERLAY_CODE_CACHE=off', () => {
    const open = path.join(tmp.dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(openParsedPolicyCache({ EKS_OVERLAY_CACHE_DIR: open })).toBeUndefined();
    expect(openParsedPolicyCache({ ...cacheEnv(), EKS_OVERLAY_CODE_CACHE: 'off' })).toBeUndefined();
  });

  it('readPolicyDocuments gives the same documents with and without the cache', async () => {
    const dir = path.join(tmp.dir, 'policies');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'p.yaml'), POLICY);
    const strip = (docs: Awaited<ReturnType<typeof readPolicyDocuments>>) =>
      docs.map((d) => ({ object: d.object, source: d.source }));
    const plain = strip(await readPolicyDocuments([{ path: dir, label: 'policies' }]));
    const cache = openParsedPolicyCache(cacheEnv())!;
    for (let i = 0; i < 2; i++)
      expect(strip(await readPolicyDocuments([{ path: dir, label: 'policies' }], cache))).toEqual(
        plain,
      );
  });
});
