/**
 * eks-overlay end to end with secrets: the real bundled CLI (built like build.mjs: the render bundle plus the
 * separate AWS provider bundle) runs as a subprocess with Argo CD's environment; in inline mode the real SDK
 * talks to the Secrets Manager fake through AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SecretsManagerFake } from '../fakes/aws-secrets-manager/server';
import { bundleSources, type SourceBundles } from '../helpers/bundle';
import { generateAsArgoCd, type CmpRun } from '../helpers/cmp-run';
import { esoSchemaErrors } from './secrets-helpers';

const CANARY = 'CANARY-e2e-51c0';
const CONTEXT = {
  name: 'prod-eu-1',
  metadata: { labels: { env: 'prod' } },
  aws: { region: 'eu-west-1' },
};

let bundles: SourceBundles | undefined;
let cli: string;
let eagerInputs: string[];
beforeAll(async () => {
  bundles = await bundleSources(['eks-overlay', 'secret-provider-aws'], 'secrets-cli-bundle-');
  cli = bundles.file('eks-overlay');
  const out = Object.entries(bundles.metafile.outputs).find(([f]) =>
    f.endsWith('eks-overlay.cjs'),
  )!;
  eagerInputs = Object.keys(out[1].inputs);
}, 60000);
afterAll(() => bundles?.remove());

let appDir: string;
beforeEach(() => {
  appDir = mkdtempSync(path.join(os.tmpdir(), 'secrets-cli-app-'));
});
afterEach(() => rmSync(appDir, { recursive: true, force: true }));

function writeApp(secretsYaml: string, manifests: string): void {
  writeFileSync(
    path.join(appDir, 'eks-overlay.yaml'),
    `layers:\n  - base\nsecrets:\n${secretsYaml}`,
  );
  mkdirSync(path.join(appDir, 'base'));
  writeFileSync(path.join(appDir, 'base', 'secrets.yaml'), manifests);
}

function generate(env: Record<string, string> = {}): Promise<CmpRun> {
  return generateAsArgoCd(cli, appDir, CONTEXT, env);
}

const objectsOf = (stdout: string) =>
  parseAllDocuments(stdout)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null);

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
stringData:
  password: <path:{{cluster.metadata.labels.env}}/shop/db#password>
  url: postgres://app:<path:prod/shop/db#password>@db:5432/shop
`;

test('the render bundle holds no AWS SDK; the provider is its own bundle', () => {
  expect(eagerInputs.filter((i) => /node_modules\/(@aws-sdk|@smithy)\//.test(i))).toEqual([]);
  expect(eagerInputs).toContain('cmp-sidecar/secrets/stage.ts');
});

test('externalSecret mode: ExternalSecret and ClusterSecretStore on stdout, without AWS and without the provider bundle', async () => {
  writeApp(
    '  store: {name: "aws-sm-{{cluster.aws.region}}"}\n  clusterSecretStore: true\n',
    SECRET,
  );
  // Prove the default render never loads the provider: hide it for this run.
  const provider = bundles!.file('secret-provider-aws');
  const hidden = `${provider}.bak`;
  renameSync(provider, hidden);
  let res: CmpRun;
  try {
    res = await generate({ AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9' });
  } finally {
    renameSync(hidden, provider);
  }
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  const objects = objectsOf(res.stdout);
  expect(objects.map((o) => o['kind']).sort()).toEqual(['ClusterSecretStore', 'ExternalSecret']);
  for (const o of objects) expect(esoSchemaErrors(o)).toEqual([]);
  const es = objects.find((o) => o['kind'] === 'ExternalSecret') as {
    spec: Record<string, unknown>;
  };
  expect(es.spec['secretStoreRef']).toEqual({
    kind: 'ClusterSecretStore',
    name: 'aws-sm-eu-west-1',
  });
});

describe('inline mode through the CLI', () => {
  let fake: SecretsManagerFake;
  beforeEach(async () => {
    fake = new SecretsManagerFake('111122223333', 'eu-west-1');
    await fake.start();
    fake.addSecret('prod/shop/db', { password: `pw-${CANARY}` });
  });
  afterEach(() => fake.stop());
  const awsEnv = () => ({
    AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key',
  });

  test('resolves values with one BatchGetSecretValue call and warns on stderr about the Argo CD cache', async () => {
    writeApp('  mode: inline\n', SECRET);
    const res = await generate(awsEnv());
    expect(res.code).toBe(0);
    const [secret] = objectsOf(res.stdout);
    expect(secret!['stringData']).toEqual({
      password: `pw-${CANARY}`,
      url: `postgres://app:pw-${CANARY}@db:5432/shop`,
    });
    expect(res.stderr).toMatch(/inline.*Redis/);
    expect(res.stderr).not.toContain(CANARY);
    expect(fake.count('BatchGetSecretValue')).toBe(1);
    expect(fake.calls[0]!.region).toBe('eu-west-1');
  });

  test.each([
    [
      'a missing secret',
      '<path:prod/shop/nope#password>',
      undefined,
      /secret "prod\/shop\/nope": ResourceNotFoundException/,
    ],
    [
      'a missing key',
      '<path:prod/shop/db#user>',
      undefined,
      /secret "prod\/shop\/db" key "user": no such key/,
    ],
    ['access denied', '<path:prod/shop/db#password>', 'deny', /AccessDeniedException/],
    [
      'throttling past retries',
      '<path:prod/shop/db#password>',
      'throttle',
      /ThrottlingException: Rate exceeded \(after 2 attempts\)/,
    ],
  ])(
    'fails closed on %s: non-zero exit, empty stdout, stderr names file:line and ids, never a value',
    async (_n, placeholder, fault, message) => {
      if (fault === 'deny')
        fake.inject({
          secretId: 'prod/shop/db',
          fault: { kind: 'item', code: 'AccessDeniedException' },
        });
      if (fault === 'throttle') fake.inject({ fault: { kind: 'throttle' } });
      writeApp(
        '  mode: inline\n  inline: {maxAttempts: 2}\n',
        `apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData:\n  ok: <path:prod/shop/db#password>\n  it: ${placeholder}\n`,
      );
      const res = await generate(awsEnv());
      expect(res.code).not.toBe(0);
      expect(res.stdout).toBe('');
      expect(res.stderr).toContain(
        'base/secrets.yaml:1: Secret/shop/db stringData.it: placeholder',
      );
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toContain(CANARY);
    },
  );
});
