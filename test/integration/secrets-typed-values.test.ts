/**
 * Inline mode keeps a secret value's type where the whole field is one placeholder (`replicas: <path:x#replicas>`
 * with `{"replicas": 3}` gives the number 3, as argocd-vault-plugin does, objects and lists included), except in
 * fields that must hold a string: ConfigMap data, Secret data/stringData, env values, labels, annotations, and
 * whatever the kind's schema (built-in kinds, CRDs the render is given) says is a string. Through the bundled CLI
 * as Argo CD runs it, with the real SDK against the Secrets Manager fake.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Secret } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { SecretsManagerFake } from '../fakes/aws-secrets-manager/server';
import { bundleSources, type SourceBundles } from '../helpers/bundle';
import { generateAsArgoCd } from '../helpers/cmp-run';
import { SHARED_DIR, crdValidator } from './secrets-helpers';

// Objects read back from stdout are checked field by field; a precise type would only get in the way.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

const CONTEXT = { name: 'prod-eu-1', metadata: { labels: {} }, aws: { region: 'eu-west-1' } };
const VALUES = {
  replicas: 3,
  paused: false,
  port: 8080,
  none: null,
  ratio: 0.5,
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'shop', effect: 'NoSchedule' }],
  selector: { pool: 'shop' },
  version: 1.33,
};

let bundles: SourceBundles | undefined;
let fake: SecretsManagerFake;
let appDir: string;
beforeAll(async () => {
  bundles = await bundleSources(['eks-overlay', 'secret-provider-aws'], 'secrets-typed-bundle-');
}, 60000);
afterAll(() => bundles?.remove());
beforeEach(async () => {
  appDir = mkdtempSync(path.join(os.tmpdir(), 'secrets-typed-app-'));
  fake = new SecretsManagerFake('111122223333', 'eu-west-1');
  await fake.start();
  fake.addSecret('prod/shop/app', VALUES);
});
afterEach(async () => {
  await fake.stop();
  rmSync(appDir, { recursive: true, force: true });
});

async function render(manifests: string, env: Record<string, string> = {}) {
  writeFileSync(path.join(appDir, 'eks-overlay.yaml'), 'layers: [base]\nsecrets: {mode: inline}\n');
  mkdirSync(path.join(appDir, 'base'));
  writeFileSync(path.join(appDir, 'base', 'objects.yaml'), manifests);
  const r = await generateAsArgoCd(bundles!.file('eks-overlay'), appDir, CONTEXT, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key',
    ...env,
  });
  const objects = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
  return { ...r, objects, byKind: (kind: string) => objects.find((o) => o['kind'] === kind)! };
}

const P = (key: string) => `<path:prod/shop/app#${key}>`;

test('built-in kinds: typed where the schema is not a string, text where it is', async () => {
  const r = await render(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels: {replicas: "${P('replicas')}"}
  annotations: {paused: "${P('paused')}"}
spec:
  replicas: ${P('replicas')}
  paused: ${P('paused')}
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop, port: "${P('port')}"}}
    spec:
      serviceAccountName: ${P('replicas')}
      nodeSelector: ${P('selector')}
      tolerations: ${P('tolerations')}
      containers:
        - name: app
          image: shop:${P('version')}
          args: [${P('port')}]
          ports: [{containerPort: ${P('port')}}]
          env: [{name: PORT, value: ${P('port')}}]
`);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  const d = r.byKind('Deployment');
  expect(d['metadata']).toEqual({
    name: 'shop',
    labels: { replicas: '3' },
    annotations: { paused: 'false' },
  });
  expect(d['spec']).toMatchObject({ replicas: 3, paused: false });
  const pod = d['spec'].template;
  expect(pod.metadata.labels).toEqual({ app: 'shop', port: '8080' });
  expect(pod.spec).toMatchObject({
    serviceAccountName: '3',
    nodeSelector: { pool: 'shop' },
    tolerations: VALUES.tolerations,
  });
  expect(pod.spec.containers[0]).toEqual({
    name: 'app',
    image: 'shop:1.33', // inside a larger string: interpolation
    args: ['8080'],
    ports: [{ containerPort: 8080 }],
    env: [{ name: 'PORT', value: '8080' }],
  });
  expect(() => new Deployment(d as never).validate()).not.toThrow();
});

test('ConfigMap data and Secret data/stringData always hold text', async () => {
  const r = await render(`apiVersion: v1
kind: ConfigMap
metadata: {name: shop}
data: {replicas: "${P('replicas')}", paused: "${P('paused')}", selector: "${P('selector')}"}
---
apiVersion: v1
kind: Secret
metadata: {name: shop}
stringData: {port: "${P('port')}"}
data: {ratio: "${b64(P('ratio'))}"}
`);
  expect(r.code).toBe(0);
  const cm = r.byKind('ConfigMap');
  expect(cm['data']).toEqual({ replicas: '3', paused: 'false', selector: '{"pool":"shop"}' });
  const secret = r.byKind('Secret');
  expect(secret['stringData']).toEqual({ port: '8080' });
  expect(Buffer.from(secret['data'].ratio as string, 'base64').toString()).toBe('0.5');
  expect(() => new ConfigMap(cm as never).validate()).not.toThrow();
  expect(() => new Secret(secret as never).validate()).not.toThrow();
});

test('a null key where the field needs text fails closed: nothing on stdout', async () => {
  const r = await render(`apiVersion: v1
kind: ConfigMap
metadata: {name: shop}
data: {none: "${P('none')}"}
`);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(
    /base\/objects\.yaml.*ConfigMap\/shop data\.none.*the key is null in the secret/,
  );
});

test('a null key fails closed in a typed field too: applied, a null would delete the field', async () => {
  const r = await render(`apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  replicas: ${P('none')}
`);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/Deployment\/shop spec\.replicas.*the key is null in the secret/);
});

test('CRD kinds follow the CRDs the render is given; kinds without a schema keep the type', async () => {
  const manifests = `apiVersion: eks.services.k8s.aws/v1alpha1
kind: Nodegroup
metadata: {name: shop}
spec:
  name: shop
  clusterName: ${P('replicas')}
  version: ${P('version')}
  scalingConfig: {desiredSize: ${P('replicas')}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: shop}
spec: {size: ${P('replicas')}, version: ${P('version')}}
`;
  const withCrds = await render(manifests, {
    EKS_OVERLAY_CRD_DIR: path.join(SHARED_DIR, 'crds'),
  });
  expect(withCrds.code).toBe(0);
  const ng = withCrds.byKind('Nodegroup');
  expect(ng['spec']).toEqual({
    name: 'shop',
    clusterName: '3',
    version: '1.33',
    scalingConfig: { desiredSize: 3 },
  });
  const validate = crdValidator('eks.services.k8s.aws_nodegroups.yaml', 'v1alpha1');
  expect(validate(ng)).toBe(true);
  expect(withCrds.byKind('Widget')['spec']).toEqual({ size: 3, version: 1.33 });
});

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}
