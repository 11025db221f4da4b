import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  ARGOCD_STUB_DIR,
  kustomizationDirs,
  kustomizeBuild,
  MANIFESTS_DIR,
  needsNetwork,
  OFFLINE_ENV,
  rel,
  UPSTREAM_ARGOCD_DIR,
  WITH_ARGOCD_DIR,
} from './manifest-tree';

const all = kustomizationDirs();
const buildable = all.filter((k) => k.kind === 'Kustomization');
const components = all.filter((k) => k.kind === 'Component');

interface KustomizationFile {
  resources?: string[];
  components?: string[];
}

function readKustomization(dir: string): KustomizationFile {
  return parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as KustomizationFile;
}

/** Every directory or URL a kustomization builds from, followed through resources and components. */
function inputsOf(dir: string, seen = new Set<string>()): string[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const doc = readKustomization(dir);
  const out: string[] = [];
  for (const entry of [...(doc.resources ?? []), ...(doc.components ?? [])]) {
    if (/^[a-z]+:\/\//.test(entry) || entry.includes('github.com/')) {
      out.push(entry);
      continue;
    }
    const target = path.resolve(dir, entry);
    if (target.endsWith('.yaml') || target.endsWith('.yml')) continue;
    out.push(target, ...inputsOf(target, seen));
  }
  return out;
}

describe('kubectl kustomize builds every kustomization under manifests/, with no network', () => {
  it.each(buildable.map((k) => [rel(k.dir) || 'manifests', k.dir]))('%s', (_name, dir) => {
    const objects = kustomizeBuild(dir);
    expect(objects.length).toBeGreaterThan(0);
    const ids = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(components.map((k) => [rel(k.dir), k.dir]))(
    'component %s is used by a kustomization that builds',
    (_name, dir) => {
      const users = buildable.filter((k) =>
        (readKustomization(k.dir).components ?? []).some((c) => path.resolve(k.dir, c) === dir),
      );
      expect(users.map((u) => rel(u.dir) || 'manifests')).not.toEqual([]);
    },
  );
});

describe('the default install (kubectl apply -k manifests/)', () => {
  it('reads only local files: no URL, nothing of the with-argocd variant', () => {
    const inputs = inputsOf(MANIFESTS_DIR);
    expect(inputs.filter((i) => !path.isAbsolute(i))).toEqual([]);
    expect(inputs.filter((i) => i.startsWith(WITH_ARGOCD_DIR)).map(rel)).toEqual([]);
  });

  it('builds in place, as a user runs it, with every proxy pointing nowhere', () => {
    const out = execFileSync('kubectl', ['kustomize', MANIFESTS_DIR], {
      env: OFFLINE_ENV,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('name: eks-cluster-generator');
  });
});

describe('manifests/with-argocd/argocd (the upstream Argo CD install, opt-in)', () => {
  const doc = readKustomization(UPSTREAM_ARGOCD_DIR);

  it('is the only kustomization that needs the network', () => {
    expect(buildable.filter((k) => needsNetwork(k.dir)).map((k) => rel(k.dir))).toEqual([
      rel(UPSTREAM_ARGOCD_DIR),
    ]);
  });

  it('pins a released Argo CD version, not a moving branch', () => {
    expect(doc.resources).toHaveLength(1);
    expect(doc.resources![0]).toMatch(
      /^https:\/\/raw\.githubusercontent\.com\/argoproj\/argo-cd\/v3\.\d+\.\d+\/manifests\/install\.yaml$/,
    );
  });

  it('is stood in for, offline, by a stub holding the objects the variant patches', () => {
    const stub = kustomizeBuild(UPSTREAM_ARGOCD_DIR).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(stub).toEqual(
      expect.arrayContaining(['ConfigMap/argocd-cm', 'Deployment/argocd-repo-server']),
    );
    expect(ARGOCD_STUB_DIR).toContain(path.join('test', 'manifests'));
  });
});
