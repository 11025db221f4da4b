import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  ARGOCD_STUB_DIR,
  kustomizationDirs,
  kustomizeBuild,
  MANIFESTS_DIR,
  needsNetwork,
  rel,
} from './manifest-tree';

const all = kustomizationDirs();
const buildable = all.filter((k) => k.kind === 'Kustomization');
const components = all.filter((k) => k.kind === 'Component');

describe('kubectl kustomize builds every kustomization under manifests/', () => {
  it.each(buildable.map((k) => [rel(k.dir) || 'manifests', k.dir]))('%s', (_name, dir) => {
    const objects = kustomizeBuild(dir);
    expect(objects.length).toBeGreaterThan(0);
    const ids = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(components.map((k) => [rel(k.dir), k.dir]))(
    'component %s is used by a kustomization that builds',
    (_name, dir) => {
      const users = buildable.filter((k) => {
        const doc = parse(readFileSync(path.join(k.dir, 'kustomization.yaml'), 'utf8')) as {
          components?: string[];
        };
        return (doc.components ?? []).some((c) => path.resolve(k.dir, c) === dir);
      });
      expect(users.map((u) => rel(u.dir) || 'manifests')).not.toEqual([]);
    },
  );
});

describe('manifests/argocd (the upstream Argo CD install)', () => {
  const dir = path.join(MANIFESTS_DIR, 'argocd');
  const doc = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as {
    resources: string[];
  };

  it('is the only kustomization that needs the network', () => {
    expect(buildable.filter((k) => needsNetwork(k.dir)).map((k) => rel(k.dir))).toEqual([
      'manifests/argocd',
    ]);
  });

  it('pins a released Argo CD version, not a moving branch', () => {
    expect(doc.resources).toHaveLength(1);
    expect(doc.resources[0]).toMatch(
      /^https:\/\/raw\.githubusercontent\.com\/argoproj\/argo-cd\/v3\.\d+\.\d+\/manifests\/install\.yaml$/,
    );
  });

  it('is stood in for, offline, by a stub holding the objects the install patches', () => {
    const stub = kustomizeBuild(dir).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(stub).toEqual(
      expect.arrayContaining(['ConfigMap/argocd-cm', 'Deployment/argocd-repo-server']),
    );
    expect(ARGOCD_STUB_DIR).toContain(path.join('test', 'manifests'));
  });
});
