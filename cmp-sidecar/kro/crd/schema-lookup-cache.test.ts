/**
 * The CRD directory index outlives a render in the warm render server (cmp-sidecar/serve/), so it must never
 * change a result: a directory whose files changed is read again, and a problem found while one render parsed a
 * lazy file is that render's alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCrdDirectory } from './schema-lookup';

const crd = (kind: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${kind.toLowerCase()}s.example.io
spec:
  group: example.io
  names:
    kind: ${kind}
    plural: ${kind.toLowerCase()}s
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'crd-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a directory whose files changed is indexed again', () => {
  writeFileSync(path.join(dir, 'a.yaml'), crd('Widget'));
  expect(loadCrdDirectory(dir).lazy.map((l) => l.kind)).toEqual(['Widget']);
  writeFileSync(path.join(dir, 'a.yaml'), crd('Gadget'));
  expect(loadCrdDirectory(dir).lazy.map((l) => l.kind)).toEqual(['Gadget']);
  writeFileSync(path.join(dir, 'b.yaml'), crd('Widget'));
  expect(loadCrdDirectory(dir).lazy.map((l) => l.kind)).toEqual(['Gadget', 'Widget']);
});

test("a lazy file's problem belongs to the load that parsed it", () => {
  writeFileSync(path.join(dir, 'broken.yaml'), `${crd('Widget')}  oops: [\n`);
  const first = loadCrdDirectory(dir);
  expect(first.lazy.map((l) => l.load())).toEqual([[]]);
  expect(first.problems).toEqual([`${path.join(dir, 'broken.yaml')}: not valid YAML`]);
  expect(loadCrdDirectory(dir).problems).toEqual([]);
});
