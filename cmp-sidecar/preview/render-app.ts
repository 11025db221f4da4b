import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { readArgoEnv } from '../argocd-env';
import { buildClusterView } from '../cluster-context';
import { argocdEnvsubst } from '../argocd/plugin-env';
import { encodeGoJson } from '../argocd/go-values';
import type { ExitCode } from '../exit';
import type { Io } from '../io';
import type { PolicyReport } from '../policy/types';
import type { ClusterInfo } from './fleet';
import type { Revision } from './checkout';

/** `run(argv, io)` of cli.ts, handed to the preview so the render is exactly `eks-overlay generate`. */
export type RunCli = (argv: readonly string[], io: Io) => Promise<ExitCode>;

/** One source of an Application, and how the preview treats it. */
export type SourcePlan =
  | {
      readonly kind: 'plugin' | 'kustomize' | 'directory';
      readonly source: AppSource;
      /** The source's directory in the checkout, checked to be inside it. */
      readonly dir: string;
    }
  | { readonly kind: 'notPreviewed'; readonly reason: string }
  | { readonly kind: 'error'; readonly error: string };

export interface AppSource {
  readonly repoURL?: string;
  readonly path?: string;
  readonly targetRevision?: string;
  readonly chart?: string;
  readonly ref?: string;
  readonly helm?: unknown;
  readonly kustomize?: unknown;
  readonly directory?: {
    readonly recurse?: boolean;
    readonly include?: string;
    readonly exclude?: string;
    readonly jsonnet?: unknown;
  };
  readonly plugin?: {
    readonly name?: string;
    readonly env?: readonly { name: string; value: string }[];
    readonly parameters?: unknown;
  };
}

/** Repository URLs compared the way people write them: no `.git`, no trailing `/`, case-insensitive. */
export function sameRepository(a: string, b: string): boolean {
  const norm = (u: string) =>
    u
      .trim()
      .replace(/\/+$/, '')
      .replace(/\.git$/, '')
      .replace(/^git@([^:]+):/, 'https://$1/')
      .replace(/^ssh:\/\/git@/, 'https://')
      .toLowerCase();
  return norm(a) === norm(b);
}

const EKS_OVERLAY_PLUGIN = /^eks-overlay(-v\d+)?$/;

/**
 * How Argo CD would render this source, decided as its repo server does: an explicit plugin (ours, by name), a
 * Helm chart or Chart.yaml (not previewed), kustomize (the `kustomize` block or a kustomization file), else a plain
 * directory. Sources outside the previewed repository are not previewed.
 */
export function planSource(source: AppSource, repoUrl: string, checkoutDir: string): SourcePlan {
  if (source.repoURL === undefined || !sameRepository(source.repoURL, repoUrl)) {
    return { kind: 'notPreviewed', reason: `other repository: ${source.repoURL ?? '(none)'}` };
  }
  if (source.chart !== undefined)
    return { kind: 'notPreviewed', reason: `Helm chart ${source.chart}` };
  const dir = path.join(checkoutDir, source.path ?? '.');
  // Argo CD refuses a source path (or a symlink on it) leading out of the repository: nothing outside is read.
  if (!insideCheckout(checkoutDir, dir)) {
    return { kind: 'error', error: `source path ${source.path ?? '.'} leaves the repository` };
  }
  if (source.plugin !== undefined) {
    const name = source.plugin.name;
    if (name === undefined || name === '') {
      return existsSync(path.join(dir, 'eks-overlay.yaml'))
        ? { kind: 'plugin', source, dir }
        : { kind: 'notPreviewed', reason: 'a plugin found by discovery that is not eks-overlay' };
    }
    return EKS_OVERLAY_PLUGIN.test(name)
      ? { kind: 'plugin', source, dir }
      : { kind: 'notPreviewed', reason: `plugin ${name} (only eks-overlay renders are previewed)` };
  }
  if (source.helm !== undefined || existsSync(path.join(dir, 'Chart.yaml'))) {
    return { kind: 'notPreviewed', reason: 'Helm source' };
  }
  if (source.directory?.jsonnet !== undefined) {
    return { kind: 'notPreviewed', reason: 'Jsonnet directory' };
  }
  const kustomization = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) =>
    existsSync(path.join(dir, f)),
  );
  if (source.kustomize !== undefined || kustomization) return { kind: 'kustomize', source, dir };
  return { kind: 'directory', source, dir };
}

/**
 * `target` (a path in the checkout) is the checkout or under it, symlinks resolved. A path that does not exist is
 * judged by its longest existing ancestor (resolved) and the names after it: its render then fails naming it.
 */
export function insideCheckout(checkoutDir: string, target: string): boolean {
  const root = realpathSync(checkoutDir);
  let existing = path.resolve(target);
  let rest = '';
  for (;;) {
    try {
      existing = realpathSync(existing);
      break;
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) break;
      rest = path.join(path.basename(existing), rest);
      existing = parent;
    }
  }
  const rel = path.relative(root, path.join(existing, rest));
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** What one render needs besides the source: the Application around it and its destination cluster. */
export interface RenderRequest {
  readonly appName: string;
  readonly project: string;
  readonly destinationNamespace: string;
  readonly cluster: ClusterInfo | undefined;
  readonly kubeApiVersions: string;
  readonly policyDirs: readonly string[];
}

/**
 * A render's result. `policy` is the admission policies' report (io.onPolicyReport), present when the render
 * evaluated policies (sidecar-wide or the app's own), also when a Deny failed it.
 */
export type RenderOutcome =
  | {
      readonly ok: true;
      readonly yaml: string;
      readonly stderr: string;
      readonly policy?: PolicyReport;
    }
  | { readonly ok: false; readonly error: string; readonly policy?: PolicyReport };

/** How the policy stage of one eks-overlay render reviews its objects (see `Io.oldObjects`). */
export type OldObjects = NonNullable<Io['oldObjects']>;

/** `1.30` / `v1.30.4-eks-abc` → `1.30.0` / `1.30.4` (Argo CD's ParseGeneric(...).String()). */
export function kubeVersionOf(version: string): string {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  return m ? `${m[1]}.${m[2]}.${m[3] ?? '0'}` : '';
}

/**
 * The environment the repo server gives the CMP for this Application (argocd-contract.md B5, B6): the build
 * variables, ARGOCD_ENV_* (each value os.Expand-ed against the build variables only), ARGOCD_APP_PARAMETERS.
 */
export function pluginEnv(
  source: AppSource,
  req: RenderRequest,
  revision: Revision,
): Record<string, string> {
  const sha = revision.sha ?? 'working-tree';
  const build: Record<string, string> = {
    ARGOCD_APP_NAME: req.appName,
    ARGOCD_APP_NAMESPACE: req.destinationNamespace,
    ARGOCD_APP_PROJECT_NAME: req.project,
    ARGOCD_APP_REVISION: sha,
    ARGOCD_APP_REVISION_SHORT: sha.slice(0, 7),
    ARGOCD_APP_REVISION_SHORT_8: sha.slice(0, 8),
    ARGOCD_APP_SOURCE_REPO_URL: source.repoURL ?? '',
    ARGOCD_APP_SOURCE_PATH: source.path ?? '',
    ARGOCD_APP_SOURCE_TARGET_REVISION: source.targetRevision ?? '',
    KUBE_VERSION: kubeVersionOf(req.cluster?.version ?? ''),
    KUBE_API_VERSIONS: req.kubeApiVersions,
  };
  const env: Record<string, string> = { ...build };
  for (const e of source.plugin?.env ?? []) {
    env[`ARGOCD_ENV_${e.name}`] = argocdEnvsubst(String(e.value ?? ''), build);
  }
  if (source.plugin !== undefined) {
    env['ARGOCD_APP_PARAMETERS'] =
      source.plugin.parameters === undefined || source.plugin.parameters === null
        ? 'null'
        : encodeGoJson(source.plugin.parameters, { escapeHTML: true });
  }
  if (req.policyDirs.length > 0) env['EKS_OVERLAY_POLICY_DIRS'] = req.policyDirs.join(':');
  // Inline secrets are previewed by reference: the secrets stage leaves every placeholder as written.
  env['EKS_OVERLAY_PREVIEW_SECRETS'] = 'reference';
  return env;
}

/**
 * `eks-overlay generate` in process, in the app directory of the checkout, with Argo CD's environment. The policy
 * stage hands its report over through `io.onPolicyReport` (structured, never read back from stderr) and reviews the
 * objects against `oldObjects` (CREATE when absent).
 */
export async function renderPlugin(
  run: RunCli,
  dir: string,
  env: Record<string, string>,
  oldObjects?: OldObjects,
): Promise<RenderOutcome> {
  let stdout = '';
  let stderr = '';
  let policy: PolicyReport | undefined;
  const io: Io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: dir,
    onPolicyReport: (report) => {
      policy = mergePolicyReports(policy, report);
    },
    ...(oldObjects === undefined ? {} : { oldObjects }),
  };
  const code = await run(['generate'], io);
  const reported = policy === undefined ? {} : { policy };
  if (code !== 0)
    return { ok: false, error: stderr.trim() || `eks-overlay exited ${code}`, ...reported };
  return { ok: true, yaml: stdout, stderr, ...reported };
}

/** The reports of several renders of one Application (its sources) as one; undefined when none evaluated. */
export function mergePolicyReports(
  a: PolicyReport | undefined,
  b: PolicyReport | undefined,
): PolicyReport | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return {
    violations: [...a.violations, ...b.violations],
    assumptions: [...new Set([...a.assumptions, ...b.assumptions])],
  };
}

/**
 * `kubectl kustomize <dir>`, the reference for kustomize sources. `dir` was checked to be inside the checkout
 * (planSource); no --load-restrictor flag, so kustomize keeps LoadRestrictionsRootOnly, its default, and refuses
 * a file (or a symlink's target) outside the kustomization's root.
 */
export function renderKustomize(dir: string): Promise<RenderOutcome> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['kustomize', dir],
      { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) resolve({ ok: false, error: stderr.trim() || error.message });
        else resolve({ ok: true, yaml: stdout, stderr: '' });
      },
    );
  });
}

/**
 * A plain directory: its YAML and JSON files (recursively with `recurse`), through include/exclude globs. A symlink
 * leading out of the checkout fails the render naming it, as Argo CD's out-of-bounds symlink check does: its target
 * is never read.
 */
export async function renderDirectory(
  dir: string,
  source: AppSource,
  checkoutDir: string,
): Promise<RenderOutcome> {
  const recurse = source.directory?.recurse === true;
  const include = source.directory?.include;
  const exclude = source.directory?.exclude;
  const files: string[] = [];
  const named = (file: string) => path.posix.join(source.path ?? '.', file);
  let outOfBounds: string | undefined;
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (outOfBounds !== undefined) return;
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isSymbolicLink() && !insideCheckout(checkoutDir, path.join(dir, child))) {
        outOfBounds = child;
        return;
      }
      if (e.isDirectory()) {
        if (recurse && !e.name.startsWith('.')) await walk(child);
      } else if (/\.(ya?ml|json)$/.test(e.name)) files.push(child);
    }
  };
  try {
    await walk('');
  } catch (e) {
    return { ok: false, error: `${source.path ?? '.'}: ${(e as Error).message}` };
  }
  if (outOfBounds !== undefined) {
    return { ok: false, error: `${named(outOfBounds)}: symlink leaves the repository` };
  }
  const matches = (glob: string | undefined, file: string) =>
    glob !== undefined &&
    glob !== '' &&
    (path.posix.matchesGlob(file, glob) || path.posix.matchesGlob(path.posix.basename(file), glob));
  const docs: string[] = [];
  for (const file of files) {
    if (include !== undefined && include !== '' && !matches(include, file)) continue;
    if (matches(exclude, file)) continue;
    const text = await readFile(path.join(dir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) {
        return {
          ok: false,
          error: `${named(file)}: ${doc.errors[0]?.message ?? 'invalid YAML'}`,
        };
      }
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      const items =
        typeof value === 'object' && (value as { kind?: unknown }).kind === 'List'
          ? ((value as { items?: unknown[] }).items ?? [])
          : [value];
      for (const item of items) docs.push(stringify(item));
    }
  }
  return { ok: true, yaml: docs.map((d) => `---\n${d}`).join(''), stderr: '' };
}

/** Content hashes of directories of one checkout, computed once each. */
export class TreeHasher {
  private readonly memo = new Map<string, Promise<{ hash: string; text: boolean }>>();
  private readonly files = new Map<string, Promise<unknown>>();

  /** A file or directory read of this checkout, done once (`read` runs on the first ask only). */
  once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let v = this.files.get(key) as Promise<T> | undefined;
    if (v === undefined) {
      v = read();
      this.files.set(key, v);
    }
    return v;
  }

  /**
   * sha256 over every file under `p` (relative names and bytes), or of the file itself, leaving out the subtrees
   * `excluded` names (relative to `p`); `text` = some file mentions the revision.
   */
  hash(p: string, excluded: readonly string[] = []): Promise<{ hash: string; text: boolean }> {
    const key = `${p}\0${excluded.join('\0')}`;
    let h = this.memo.get(key);
    if (h === undefined) {
      h = this.compute(p, new Set(excluded.map((e) => `/${e}`)));
      this.memo.set(key, h);
    }
    return h;
  }

  private async compute(
    p: string,
    excluded: ReadonlySet<string>,
  ): Promise<{ hash: string; text: boolean }> {
    const sha = createHash('sha256');
    let revision = false;
    const visit = async (abs: string, rel: string): Promise<void> => {
      let st;
      try {
        st = await stat(abs);
      } catch {
        sha.update(`missing ${rel}\n`);
        return;
      }
      if (excluded.has(rel)) return;
      if (st.isDirectory()) {
        const names = (await readdir(abs)).filter((n) => n !== '.git').sort();
        for (const n of names) await visit(path.join(abs, n), `${rel}/${n}`);
        return;
      }
      const bytes = await readFile(abs);
      // ARGOCD_APP_REVISION differs between any two commits: it counts as an input only where a template reads it.
      if (!revision && /app\.revision|ARGOCD_APP_REVISION/.test(bytes.toString('latin1')))
        revision = true;
      sha.update(`${rel}\0${bytes.length}\0`).update(bytes);
    };
    await visit(await realpath(p).catch(() => p), '');
    return { hash: sha.digest('hex'), text: revision };
  }
}

/**
 * The inputs of an eks-overlay render, as content: the files under every path `eks-overlay paths` names (the app
 * directory, shared layers it links to, kro's rgdPaths and crdDirs) and the environment it reads, without the
 * revision unless a file mentions it. Equal hashes at base and head mean an equal render, so it is skipped.
 */
export async function pluginInputsHash(
  run: RunCli,
  checkoutDir: string,
  dir: string,
  env: Record<string, string>,
  hasher: TreeHasher,
  pathsMemo: Map<string, Promise<string[] | undefined>>,
): Promise<string | undefined> {
  let paths = pathsMemo.get(dir);
  if (paths === undefined) {
    paths = readPaths(run, checkoutDir, dir);
    pathsMemo.set(dir, paths);
  }
  const list = await paths;
  if (list === undefined) return undefined;
  const app = await hasher.once(`realpath:${dir}`, () => realpath(dir));
  const unread = await unreadLayers(app, env, hasher);
  const sha = createHash('sha256').update('plugin\0');
  let readsRevision = false;
  for (const p of list) {
    const { hash, text } = await hasher.hash(p, p === app ? (unread ?? []) : []);
    readsRevision ||= text;
    sha.update(`${path.relative(checkoutDir, p)}\0${hash}\0`);
  }
  for (const [k, v] of Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!readsRevision && k.startsWith('ARGOCD_APP_REVISION')) continue;
    sha.update(`${k}=${v}\0`);
  }
  return sha.digest('hex');
}

/** The absolute paths `eks-overlay paths --root <checkout>` reports for an app directory; undefined on failure. */
async function readPaths(
  run: RunCli,
  checkoutDir: string,
  dir: string,
): Promise<string[] | undefined> {
  let out = '';
  const io: Io = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => undefined },
    env: {},
    cwd: dir,
  };
  if ((await run(['paths', '.', '--root', checkoutDir], io)) !== 0) return undefined;
  const root = await realpath(checkoutDir);
  const app = await realpath(dir);
  return out
    .trim()
    .split(';')
    .filter((p) => p !== '')
    .map((p) => (p.startsWith('/') ? path.join(root, p) : path.resolve(app, p)))
    .sort();
}

const SIMPLE_REF = /\{\{\s*cluster((?:\.[A-Za-z0-9_]+)+)\s*\}\}/g;

/**
 * The layer directories of the app that this cluster's render cannot read: for each templated layer such as
 * `envs/{{cluster.metadata.labels.env}}`, the other directories beside the one it resolves to (`envs/dev` for a
 * prod cluster), unless a static layer, another resolved layer or a kro path lies in them. Their changes cannot
 * change this render, so they stay out of its input hash. Undefined (hash everything) whenever the layers cannot be
 * resolved here exactly: a helper or a non-cluster variable in a layer path, a value the context lacks, a layer at
 * the top of the app, a kro path with a template, an invalid file.
 */
export async function unreadLayers(
  appDir: string,
  env: Record<string, string>,
  reads: Pick<TreeHasher, 'once'> = new TreeHasher(),
): Promise<string[] | undefined> {
  type Config = { layers?: unknown; kro?: { rgdPaths?: unknown; crdDirs?: unknown } };
  const config = await reads.once(`config:${appDir}`, async (): Promise<Config | undefined> => {
    try {
      return (parse(await readFile(path.join(appDir, 'eks-overlay.yaml'), 'utf8')) ?? {}) as Config;
    } catch {
      return undefined;
    }
  });
  if (config === undefined) return undefined;
  let view: Readonly<Record<string, unknown>>;
  try {
    view = buildClusterView(readArgoEnv(env));
  } catch {
    return undefined;
  }
  const layers = config.layers;
  if (!Array.isArray(layers) || !layers.every((l): l is string => typeof l === 'string')) {
    return undefined;
  }
  const kroPaths = [config.kro?.rgdPaths, config.kro?.crdDirs].flatMap((v): unknown[] =>
    Array.isArray(v) ? (v as unknown[]) : [],
  );
  if (!kroPaths.every((k): k is string => typeof k === 'string' && !k.includes('{{'))) {
    return undefined;
  }
  const clean = (p: string) => path.posix.normalize(p).replace(/^\.\/|\/+$/g, '');
  const kept: string[] = kroPaths.map(clean);
  const families = new Map<string, Set<string>>();
  for (const template of layers) {
    let failed = false;
    const resolved = template.replace(SIMPLE_REF, (_m, refPath: string) => {
      let v: unknown = view;
      for (const key of refPath.slice(1).split('.')) {
        v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      }
      if (typeof v !== 'string' || v === '' || v.includes('/') || v.startsWith('.')) failed = true;
      return typeof v === 'string' ? v : '';
    });
    if (failed || resolved.includes('{{') || resolved.includes('}}')) return undefined;
    const normalized = clean(resolved);
    if (normalized.startsWith('..') || path.posix.isAbsolute(normalized)) return undefined;
    kept.push(normalized);
    if (!template.includes('{{')) continue;
    const segments = clean(template).split('/');
    const k = segments.findIndex((seg) => seg.includes('{{'));
    if (k <= 0) return undefined;
    const family = segments.slice(0, k).join('/');
    const keep = normalized.split('/')[k];
    if (keep === undefined) return undefined;
    const set = families.get(family) ?? new Set<string>();
    set.add(keep);
    families.set(family, set);
  }
  // A layer at the top of the app reads all of it.
  if (kept.some((k) => k === '.' || k === '')) return undefined;
  const excluded: string[] = [];
  for (const [family, keep] of families) {
    const children = await reads.once(`readdir:${appDir}/${family}`, () =>
      readdir(path.join(appDir, family)).catch((): string[] => []),
    );
    for (const child of children) {
      const rel = `${family}/${child}`;
      const needed =
        keep.has(child) ||
        kept.some((k) => k === rel || k.startsWith(`${rel}/`) || rel.startsWith(`${k}/`));
      if (!needed) excluded.push(rel);
    }
  }
  return excluded.sort();
}
