import path from 'node:path';
import type { K8sObject } from './manifest-tree';
import {
  isK8sObject,
  kustomizationDirs,
  kustomizeBuild,
  readYamlDocuments,
  rel,
  standaloneObjectFiles,
  walkFiles,
} from './manifest-tree';
import { crdKinds, validateObject } from './schemas';

function describeObject(o: K8sObject): string {
  return `${o.apiVersion} ${o.kind} ${o.metadata?.name ?? '?'}`;
}

/** The directory of the eks-overlay app a file belongs to (an ancestor holding eks-overlay.yaml), if any. */
function overlayAppOf(file: string): string | undefined {
  let dir = path.dirname(file);
  while (dir.includes(`${path.sep}manifests${path.sep}`)) {
    if (
      walkFiles(dir, (f) => path.dirname(f) === dir && path.basename(f) === 'eks-overlay.yaml')
        .length
    )
      return dir;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** Kinds defined by the kro RGDs of an eks-overlay app: `kro.run/<version> <Kind>`. */
function rgdKinds(appDir: string): Set<string> {
  const kinds = new Set<string>();
  for (const file of walkFiles(appDir, (f) => /\.ya?ml$/.test(f))) {
    for (const doc of readYamlDocuments(file).filter(isK8sObject)) {
      if (doc.kind !== 'ResourceGraphDefinition') continue;
      const schema = (
        doc['spec'] as { schema?: { apiVersion?: string; kind?: string; group?: string } }
      ).schema;
      if (schema?.kind && schema.apiVersion)
        kinds.add(`${schema.group ?? 'kro.run'}/${schema.apiVersion} ${schema.kind}`);
    }
  }
  return kinds;
}

describe('schemas', () => {
  it('loads the Argo CD, ESO, kro and ACK CRDs from <repo>/../shared/crds', () => {
    expect(crdKinds()).toEqual(
      expect.arrayContaining([
        'argoproj.io/v1alpha1/ApplicationSet',
        'argoproj.io/v1alpha1/Application',
        'external-secrets.io/v1/ExternalSecret',
        'kro.run/v1alpha1/ResourceGraphDefinition',
        'eks.services.k8s.aws/v1alpha1/Cluster',
      ]),
    );
  });

  it('rejects an unknown field and a wrong type (the checks have teeth)', () => {
    const appSet = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'x' },
      spec: {
        generators: [{ plugin: { configMapRef: { name: 'x' }, requeueAfterSecond: 5 } }],
        template: {},
      },
    };
    expect(validateObject(appSet)).toMatchObject({ ok: false });
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: { replicas: '2', selector: {}, template: {} },
    };
    expect(validateObject(deployment)).toMatchObject({ ok: false });
  });
});

describe('every object built from a kustomization validates against its schema', () => {
  const cases = kustomizationDirs()
    .filter((k) => k.kind === 'Kustomization')
    .flatMap((k) =>
      kustomizeBuild(k.dir).map(
        (o) => [`${rel(k.dir) || 'manifests'}: ${describeObject(o)}`, o] as const,
      ),
    );

  it.each(cases)('%s', (_name, obj) => {
    expect(validateObject(obj)).toMatchObject({ ok: true });
  });
});

describe('every object in the example files validates against its schema', () => {
  const cases = standaloneObjectFiles().flatMap((file) =>
    readYamlDocuments(file)
      .filter(isK8sObject)
      .map((o) => [`${rel(file)}: ${describeObject(o)}`, file, o] as const),
  );

  it.each(cases)('%s', (_name, file, obj) => {
    const app = overlayAppOf(file);
    if (app && rgdKinds(app).has(`${obj.apiVersion} ${obj.kind}`)) {
      // A kro instance: its schema is the RGD's, checked by eks-overlay itself when it renders.
      return;
    }
    if (
      app &&
      !path.relative(app, file).startsWith(`base${path.sep}`) &&
      obj.kind !== 'ResourceGraphDefinition'
    ) {
      // Layers above base are patches (partial objects); what they produce is checked by rendering.
      return;
    }
    expect(validateObject(obj)).toMatchObject({ ok: true });
  });
});
