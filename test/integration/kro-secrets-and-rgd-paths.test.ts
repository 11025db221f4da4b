/**
 * kro validation through the bundled CLI as Argo CD runs it:
 *  - inline secret values are written before the kro checks run, and kro's messages quote what they reject: a
 *    planted value that makes an RGD invalid fails the render (stdout empty) without the value, its base64 or its
 *    JSON-escaped form reaching stderr;
 *  - RGDs listed in kro.rgdPaths are checked with the same rules and the same message format, naming their file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SecretsManagerFake } from '../fakes/aws-secrets-manager/server';
import { bundleSources, type SourceBundles } from '../helpers/bundle';
import { generateAsArgoCd } from '../helpers/cmp-run';
import { base64Forms } from '../hostile/helpers/leak-scan';
import { SHARED_DIR } from './secrets-helpers';

const CONTEXT = { name: 'hub', metadata: { labels: {} }, aws: { region: 'eu-west-1' } };
const CRD_DIR = path.join(SHARED_DIR, 'crds');

let bundles: SourceBundles | undefined;
let repo: string;
beforeAll(async () => {
  bundles = await bundleSources(['eks-overlay', 'secret-provider-aws'], 'kro-secrets-bundle-');
}, 60000);
afterAll(() => bundles?.remove());
beforeEach(() => (repo = mkdtempSync(path.join(os.tmpdir(), 'kro-secrets-repo-'))));
afterEach(() => rmSync(repo, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    writeFileSync(path.join(repo, rel), text);
  }
}

const rgd = (name: string, data: string, extra = '') => `apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata:
  name: ${name}
spec:
  schema:
    apiVersion: v1alpha1
    kind: ${name.split('.')[0]!.replace(/^./, (c) => c.toUpperCase())}
    spec:
      name: string
  resources:
    - id: config
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: \${schema.spec.name}
        data:
${data}
${extra}`;

describe('inline secret values never reach a kro error', () => {
  let fake: SecretsManagerFake;
  beforeEach(async () => {
    fake = new SecretsManagerFake('111122223333', 'eu-west-1');
    await fake.start();
  });
  afterEach(() => fake.stop());

  // Each value makes the template invalid in a way kro's message would quote: an unknown identifier, a parse
  // error, a field the kind does not have.
  const PLANTED = {
    identifier: '${leakcanaryIdent7c1e.status}',
    parse: '${"LEAKCANARY-parse-52bd" +}',
    quoted: 'LEAKCANARY-"quoted"-0f3a ${schema.spec.nope}',
  };

  test('the render fails with the RGD, resource and path named, and no planted value on stderr', async () => {
    fake.addSecret('prod/kro', PLANTED);
    write({
      'app/eks-overlay.yaml': 'layers: [base]\nsecrets: {mode: inline}\n',
      'app/base/rgd.yaml': rgd(
        'leaky.kro.run',
        [
          '          identifier: <path:prod/kro#identifier>',
          '          parse: <path:prod/kro#parse>',
          '          quoted: "text <path:prod/kro#quoted>"',
          '          typo: ${schema.spec.nmae}',
        ].join('\n'),
      ),
    });
    const r = await generateAsArgoCd(
      bundles!.file('eks-overlay'),
      path.join(repo, 'app'),
      CONTEXT,
      {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key',
        EKS_OVERLAY_CRD_DIR: CRD_DIR,
      },
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    for (const field of ['identifier', 'parse', 'quoted'])
      expect(r.stderr).toMatch(
        new RegExp(
          `base/rgd\\.yaml:\\d+: leaky\\.kro\\.run, resource config, at spec\\.resources\\[0\\]\\.template\\.data\\.${field}: rejected \\(message withheld`,
        ),
      );
    // A problem in a field without a secret keeps its message.
    expect(r.stderr).toContain('schema.spec.nmae is not declared in spec.schema.spec');
    for (const value of Object.values(PLANTED)) {
      expect(r.stderr).not.toContain(value);
      expect(r.stderr).not.toContain(JSON.stringify(value).slice(1, -1));
      for (const form of base64Forms(value)) expect(r.stderr).not.toContain(form);
    }
    expect(r.stderr.toLowerCase()).not.toContain('leakcanary');
  });
});

describe('RGDs of kro.rgdPaths are validated like rendered ones', () => {
  const app = (rgdPaths: string) => `layers: [base]\nkro:\n  rgdPaths: [${rgdPaths}]\n`;

  test('a broken RGD in a listed directory fails the render naming its file, RGD, resource and path (each typo kro would reject at sync)', async () => {
    write({
      'app/eks-overlay.yaml': app('../platform/rgds'),
      'app/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
      'platform/rgds/good.yaml': rgd('good.kro.run', '          a: ${schema.spec.name}'),
      'platform/rgds/broken.yaml': rgd(
        'broken.kro.run',
        '          a: ${confg.data.a}\n          b: ${schema.spec.nmae}',
        [
          '    - id: ns',
          '      template: {apiVersion: v1, kind: Namespace, metadata: {name: x, namespace: y}}',
          '    - id: app',
          '      template: {apiVersion: apps/v1, kind: Deploymnet, metadata: {name: x}}',
          '    - id: svc',
          '      template: {apiVersion: v1, kind: Service, metadata: {name: x}, spec: {selectr: "${schema.spec.name}"}}',
          '',
        ].join('\n'),
      ),
    });
    const r = await generateAsArgoCd(
      bundles!.file('eks-overlay'),
      path.join(repo, 'app'),
      CONTEXT,
      { EKS_OVERLAY_CRD_DIR: CRD_DIR, ARGOCD_APP_SOURCE_PATH: 'app' },
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines).toEqual([
      '  - ../platform/rgds/broken.yaml:1: broken.kro.run, resource config, at spec.resources[0].template.data.a: references unknown identifiers: [confg] in ${confg.data.a}',
      '  - ../platform/rgds/broken.yaml:1: broken.kro.run, resource config, at spec.resources[0].template.data.b: schema.spec.nmae is not declared in spec.schema.spec (undefined field "nmae") in ${schema.spec.nmae}',
      '  - ../platform/rgds/broken.yaml:1: broken.kro.run, resource ns, at spec.resources[1].template.metadata.namespace: resource ns is cluster-scoped and must not set metadata.namespace',
      '  - ../platform/rgds/broken.yaml:1: broken.kro.run, resource app, at spec.resources[2].template.kind: kind Deploymnet of apps/v1 is not known: it is not a built-in kind of that group, and no ResourceGraphDefinition of the render defines it (kro fails to find its schema)',
      '  - ../platform/rgds/broken.yaml:1: broken.kro.run, resource svc, at spec.resources[3].template.spec.selectr: schema not found for field spec.resources[3].template.spec.selectr (unknown field holding an expression; schema: built-in v1 Service)',
    ]);
  });

  test('valid listed RGDs let the render through (and are not emitted)', async () => {
    write({
      'app/eks-overlay.yaml': app('../platform/rgds'),
      'app/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
      'platform/rgds/good.yaml': rgd('good.kro.run', '          a: ${schema.spec.name}'),
    });
    const r = await generateAsArgoCd(
      bundles!.file('eks-overlay'),
      path.join(repo, 'app'),
      CONTEXT,
      { EKS_OVERLAY_CRD_DIR: CRD_DIR, ARGOCD_APP_SOURCE_PATH: 'app' },
    );
    // Its warnings are those of a rendered RGD, naming its file.
    expect(r.stderr).toBe(
      'eks-overlay: warning: kro: ../platform/rgds/good.yaml:1: good.kro.run, at spec.resources: templates not schema-checked (no CRD schema available): v1 ConfigMap\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('ResourceGraphDefinition');
    expect(r.stdout).toContain('kind: ConfigMap');
  });
});
