import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as YAML gives it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<
    string,
    unknown
  >;
  [key: string]: unknown;
}

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const MANIFESTS_DIR = path.join(REPO_ROOT, 'manifests');
/** Reference material lives next to the repository (in CI too), never at a fixed path. */
export const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');
/** The opt-in variant that installs upstream Argo CD as well (manifests/with-argocd). */
export const WITH_ARGOCD_DIR = path.join(MANIFESTS_DIR, 'with-argocd');
/** Its upstream Argo CD, pulled over the network when built; tests build with ARGOCD_STUB_DIR in its place. */
export const UPSTREAM_ARGOCD_DIR = path.join(WITH_ARGOCD_DIR, 'argocd');
export const ARGOCD_STUB_DIR = path.join(__dirname, 'fixtures', 'argocd-stub');

/** The eks-overlay plugin.yaml (owned by the CMP's author). */
export const PLUGIN_YAML = path.join(MANIFESTS_DIR, 'cmp-sidecar', 'plugin.yaml');

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function rel(file: string): string {
  return path.relative(REPO_ROOT, file);
}

export function walkFiles(dir: string, accept: (file: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walkFiles(full, accept));
    else if (entry.isFile() && accept(full)) out.push(full);
  }
  return out.sort();
}

export function yamlFilesUnder(dir: string): string[] {
  return walkFiles(dir, (f) => /\.ya?ml$/.test(f));
}

/** Parses every document of a YAML file; throws naming the file and line of the first error. */
export function readYamlDocuments(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) return [];
  const out: unknown[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new Error(`${rel(file)}: ${err.message}`);
    const js: unknown = doc.toJS();
    if (js !== null && js !== undefined) out.push(js);
  }
  return out;
}

export function isK8sObject(v: unknown): v is K8sObject {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o['apiVersion'] === 'string' && typeof o['kind'] === 'string';
}

export interface KustomizationDir {
  dir: string;
  kind: 'Kustomization' | 'Component';
}

export function kustomizationDirs(): KustomizationDir[] {
  const files = walkFiles(MANIFESTS_DIR, (f) => KUSTOMIZATION_FILES.includes(path.basename(f)));
  return files.map((f) => {
    const doc = readYamlDocuments(f)[0] as { kind?: string } | undefined;
    return {
      dir: path.dirname(f),
      kind: doc?.kind === 'Component' ? 'Component' : 'Kustomization',
    };
  });
}

/** Kustomizations whose build needs the network (a remote resource); built with ARGOCD_STUB_DIR instead. */
export function needsNetwork(dir: string): boolean {
  const text = readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8');
  return /^\s*-\s*https?:\/\//m.test(text);
}

/**
 * The environment builds run in: every proxy variable points at a closed local port, so a kustomization that reaches
 * for the network (a remote resource, a git ref) fails instead of quietly downloading.
 */
export const OFFLINE_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  ...Object.fromEntries(
    ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy'].map(
      (k) => [k, 'http://127.0.0.1:9'],
    ),
  ),
  NO_PROXY: '',
  no_proxy: '',
  GIT_TERMINAL_PROMPT: '0',
};

const buildCache = new Map<string, K8sObject[]>();

/**
 * `kubectl kustomize` of a directory under manifests/, offline: the tree is copied to a temp dir with
 * manifests/with-argocd/argocd replaced by the stub, so the variant that patches Argo CD's own objects builds too.
 */
export function kustomizeBuild(
  dir: string,
  edit?: { key: string; apply: (copyOfManifests: string) => void },
): K8sObject[] {
  const cacheKey = edit ? `${dir}#${edit.key}` : dir;
  const cached = buildCache.get(cacheKey);
  if (cached) return cached;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'manifests-build-'));
  try {
    const copy = path.join(tmp, 'manifests');
    cpSync(MANIFESTS_DIR, copy, { recursive: true });
    const upstream = path.join(copy, path.relative(MANIFESTS_DIR, UPSTREAM_ARGOCD_DIR));
    rmSync(upstream, { recursive: true, force: true });
    cpSync(ARGOCD_STUB_DIR, upstream, { recursive: true });
    edit?.apply(copy);
    const target = path.join(copy, path.relative(MANIFESTS_DIR, dir));
    let out: string;
    try {
      out = execFileSync('kubectl', ['kustomize', target], {
        env: OFFLINE_ENV,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (e) {
      const raw = (e as { stderr?: string | Buffer }).stderr ?? '';
      const stderr = (typeof raw === 'string' ? raw : raw.toString('utf8')).replaceAll(
        copy,
        'manifests',
      );
      throw new Error(`kubectl kustomize ${rel(dir)} failed: ${stderr.trim()}`, { cause: e });
    }
    const objects = parseAllDocuments(out)
      .map((d) => d.toJS() as unknown)
      .filter(isK8sObject);
    buildCache.set(cacheKey, objects);
    return objects;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The default install: the one `kubectl apply -k manifests/`. */
export function installObjects(): K8sObject[] {
  return kustomizeBuild(MANIFESTS_DIR);
}

/** manifests/with-argocd built offline (the stub in place of upstream Argo CD). */
export function withArgoCdObjects(): K8sObject[] {
  return kustomizeBuild(WITH_ARGOCD_DIR);
}

export function findObject(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find(
    (o) => o.kind === kind && (o.metadata.name === name || o.metadata.name.startsWith(`${name}-`)),
  );
  if (!found) throw new Error(`no ${kind} ${name} in the build`);
  return found;
}

/** Files of manifests/ that are objects to apply (not kustomization inputs that kustomize alone reads). */
export function standaloneObjectFiles(): string[] {
  const inKustomization = new Set(kustomizationDirs().map((k) => k.dir));
  return yamlFilesUnder(MANIFESTS_DIR).filter((f) => {
    if (KUSTOMIZATION_FILES.includes(path.basename(f))) return false;
    // Files of a kustomization directory are validated through its build.
    return !inKustomization.has(path.dirname(f));
  });
}

export function fileExists(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}
