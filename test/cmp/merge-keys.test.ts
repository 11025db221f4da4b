/**
 * The checked-in merge table (cmp-sidecar/render/merge-keys.generated.ts) is exactly what the script makes of the
 * merge-key extract of kustomize's OpenAPI in ../shared/data: nobody edited it by hand, and regenerating it changes
 * nothing. The render never reads ../shared; only this check does.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers';

const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');
const OPENAPI = path.join(SHARED_DIR, 'data', 'k8s-openapi-1.21.2-merge.json');
const TABLE = path.join(REPO_ROOT, 'cmp-sidecar', 'render', 'merge-keys.generated.ts');

test('tools/generate-merge-keys.mjs reproduces the checked-in table', () => {
  const generated = execFileSync(
    process.execPath,
    [path.join(REPO_ROOT, 'tools', 'generate-merge-keys.mjs'), OPENAPI, '--stdout'],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  expect(generated).toBe(readFileSync(TABLE, 'utf8'));
});
