import { createHash } from 'node:crypto';
import { SourceUnavailableError } from '../../core/errors';
import { UnsupportedGeneratorError, renderApplicationSet } from '../argocd/applicationset';
import type { Application } from '../argocd/applicationset';
import { UnsupportedTemplateError } from '../argocd/go-template';
import { POLICY_DIRS_ENV } from '../policy/stage';
import type { Revision } from './checkout';
import { findApplicationSets } from './discover';
import type { ClusterInfo, FleetSource } from './fleet';
import type { AppEntry, AppStatus, DiffGroup, PolicyResult, PreviewReport } from './model';
import { diffHash, diffRenders, parseObjects } from './object-diff';
import {
  TreeHasher,
  mergePolicyReports,
  planSource,
  pluginEnv,
  pluginInputsHash,
  renderDirectory,
  renderKustomize,
  sameRepository,
} from './render-app';
import type { AppSource, OldObjects, RenderOutcome, RenderRequest, RunCli } from './render-app';
import type { RenderPool } from './render-pool';

export interface PreviewSettings {
  readonly base: Revision;
  readonly head: Revision;
  readonly repoUrl: string;
  readonly fleet: FleetSource;
  readonly appsetGlobs: readonly string[];
  readonly policyDirs: readonly string[];
  readonly kubeApiVersions: string;
  readonly jobs: number;
  readonly run: RunCli;
  /** Where eks-overlay renders run (worker threads or this thread). */
  readonly pool: RenderPool;
  /** Called after each Application is settled (for the progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One Application of one revision, as the ApplicationSet controller would create it. */
interface Generated {
  readonly app: Application;
  readonly applicationSet: string;
}

interface Expansion {
  readonly apps: Map<string, Generated>;
  /** ApplicationSet name → its error (Argo CD creates and deletes nothing for it). */
  readonly errors: Map<string, string>;
}

/** Every string value named `repoURL` in an object: the git generators' repositories. */
function repoUrlsIn(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => repoUrlsIn(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'repoURL' && typeof v === 'string') out.add(v);
      else repoUrlsIn(v, out);
    }
  }
  return out;
}

/** Expands every ApplicationSet of a revision into its Applications (or its error), as Argo CD would. */
async function expand(rev: Revision, settings: PreviewSettings): Promise<Expansion> {
  const { found, unreadable } = await findApplicationSets(rev.dir, settings.appsetGlobs);
  const apps = new Map<string, Generated>();
  const errors = new Map<string, string>();
  for (const u of unreadable) errors.set(u.file, `${u.file} (${rev.label}): ${u.problem}`);
  for (const set of found) {
    if (!settings.fleet.clusterSecrets && usesClustersGenerator(set.object)) {
      errors.set(
        set.name,
        `${set.file} (${rev.label}): not previewable with --generator-url: its clusters generator reads Argo CD's cluster Secrets; preview it with --fleet`,
      );
      continue;
    }
    const gitRepos: Record<string, string> = {};
    for (const url of repoUrlsIn(set.object['spec'], new Set())) {
      if (sameRepository(url, settings.repoUrl)) gitRepos[url] = rev.dir;
    }
    let result;
    try {
      result = await renderApplicationSet(set.object, { ...settings.fleet.env, gitRepos });
    } catch (e) {
      if (e instanceof UnsupportedGeneratorError || e instanceof UnsupportedTemplateError) {
        errors.set(set.name, `${set.file} (${rev.label}): not previewable: ${e.message}`);
        continue;
      }
      throw e;
    }
    if (settings.fleet.failures.length > 0) {
      // The generator did not answer usably: Argo CD would show an error and change nothing; the preview cannot
      // say which clusters exist, so it fails instead of previewing "no clusters".
      throw new SourceUnavailableError(
        `ApplicationSet ${set.name} (${set.file}, ${rev.label}): the fleet source failed: ${settings.fleet.failures[0] ?? ''}${'error' in result ? `; Argo CD would report: ${result.error}` : ''}`,
      );
    }
    if ('error' in result) {
      errors.set(set.name, `${set.file} (${rev.label}): ${result.error}`);
      continue;
    }
    for (const app of result.applications) {
      apps.set(`${app.metadata.namespace}/${app.metadata.name}`, { app, applicationSet: set.name });
    }
  }
  return { apps, errors };
}

/** Whether a generator of the ApplicationSet (nested in matrix or merge included) is the native clusters one. */
function usesClustersGenerator(appSet: Record<string, unknown>): boolean {
  const visit = (generators: unknown): boolean =>
    Array.isArray(generators) &&
    generators.some((g: unknown) => {
      if (g === null || typeof g !== 'object') return false;
      const o = g as Record<string, { generators?: unknown } | undefined>;
      return (
        o['clusters'] !== undefined ||
        visit(o['matrix']?.generators) ||
        visit(o['merge']?.generators)
      );
    });
  return visit((appSet['spec'] as { generators?: unknown } | undefined)?.generators);
}

function sourcesOf(app: Application): AppSource[] {
  const spec = app.spec as { source?: AppSource; sources?: AppSource[] };
  const list = spec.sources ?? (spec.source === undefined ? [] : [spec.source]);
  // A source holding only `ref` provides values files to others; it renders nothing itself.
  return list.filter(
    (s) => !(s.ref !== undefined && s.path === undefined && s.chart === undefined),
  );
}

function destinationOf(
  app: Application,
  clusters: Map<string, ClusterInfo>,
): { cluster: string; info: ClusterInfo | undefined } {
  const d = (app.spec['destination'] ?? {}) as { name?: string; server?: string };
  const byServer = d.server === undefined ? undefined : clusters.get(d.server);
  const byName =
    d.name === undefined ? undefined : [...clusters.values()].find((c) => c.name === d.name);
  const info = byServer ?? byName;
  return { cluster: d.name ?? info?.name ?? d.server ?? '(no destination)', info };
}

/**
 * How one revision of an Application is rendered. At base (`role: 'base'`) only its objects are wanted: the
 * sidecar-wide --policies are left out of the render (a violation the base already has must not cost the objects
 * the head is compared with); the app's own `policies.paths` are part of its render and stay. At head the policies
 * review each object against `oldObjects`.
 */
type RenderAs =
  { readonly role: 'base' } | { readonly role: 'head'; readonly oldObjects: OldObjects };

/** A rendered (or failed) Application at one revision, with the hash of its inputs when they could be hashed. */
interface Side {
  readonly notPreviewed?: string;
  readonly inputs: string | undefined;
  readonly render: (as: RenderAs) => Promise<RenderOutcome>;
}

function plan(
  gen: Generated,
  rev: Revision,
  settings: PreviewSettings,
  hashers: Map<Revision, TreeHasher>,
  pathsMemo: Map<Revision, Map<string, Promise<string[] | undefined>>>,
): Promise<Side> {
  return (async (): Promise<Side> => {
    const app = gen.app;
    const { info } = destinationOf(app, settings.fleet.clusters);
    const d = (app.spec['destination'] ?? {}) as { namespace?: string };
    const req: RenderRequest = {
      appName: app.metadata.name,
      project: typeof app.spec['project'] === 'string' ? app.spec['project'] : '',
      destinationNamespace: d.namespace ?? '',
      cluster: info,
      kubeApiVersions: settings.kubeApiVersions,
      policyDirs: settings.policyDirs,
    };
    const hasher = hashers.get(rev) ?? new TreeHasher();
    hashers.set(rev, hasher);
    const memo = pathsMemo.get(rev) ?? new Map<string, Promise<string[] | undefined>>();
    pathsMemo.set(rev, memo);
    const sha = createHash('sha256').update(JSON.stringify(app)).update('\0');
    let hashable = true;
    const renders: ((as: RenderAs) => Promise<RenderOutcome>)[] = [];
    for (const source of sourcesOf(app)) {
      const p = planSource(source, settings.repoUrl, rev.dir);
      if (p.kind === 'notPreviewed') return { notPreviewed: p.reason, inputs: undefined, render };
      if (p.kind === 'error') {
        const failed: RenderOutcome = { ok: false, error: p.error };
        return { inputs: undefined, render: () => Promise.resolve(failed) };
      }
      const dir = p.dir;
      if (p.kind === 'plugin') {
        const env = pluginEnv(source, req, rev);
        const h = await pluginInputsHash(settings.run, rev.dir, dir, env, hasher, memo);
        if (h === undefined) hashable = false;
        else sha.update(h);
        // The input hash keeps EKS_OVERLAY_POLICY_DIRS (base and head equal), only the base render leaves it out.
        renders.push((as) =>
          as.role === 'head'
            ? settings.pool.render(dir, env, as.oldObjects)
            : settings.pool.render(dir, withoutSidecarPolicies(env)),
        );
      } else if (p.kind === 'kustomize') {
        // kustomize may read anywhere in the repository (`../base`): the whole checkout is its input.
        sha.update((await hasher.hash(rev.dir)).hash);
        renders.push(() => renderKustomize(dir));
      } else {
        sha.update((await hasher.hash(dir)).hash);
        renders.push(() => renderDirectory(dir, source, rev.dir));
      }
    }
    async function render(as: RenderAs): Promise<RenderOutcome> {
      let yaml = '';
      let stderr = '';
      let policy;
      for (const r of renders) {
        const out = await r(as);
        policy = mergePolicyReports(policy, out.policy);
        if (!out.ok) return policy === undefined ? out : { ...out, policy };
        yaml += out.yaml.startsWith('---') ? out.yaml : `---\n${out.yaml}`;
        stderr += out.stderr;
      }
      return policy === undefined ? { ok: true, yaml, stderr } : { ok: true, yaml, stderr, policy };
    }
    return { inputs: hashable ? sha.digest('hex') : undefined, render };
  })();
}

function withoutSidecarPolicies(env: Record<string, string>): Record<string, string> {
  if (env[POLICY_DIRS_ENV] === undefined) return env;
  const rest = { ...env };
  delete rest[POLICY_DIRS_ENV];
  return rest;
}

/** The policy slot: the structured report the head render's policy stage handed over (io.onPolicyReport). */
function policyOf(outcome: RenderOutcome): PolicyResult {
  return outcome.policy === undefined ? null : outcome.policy.violations;
}

/** The base render's objects, as the head's policies see them as oldObject (the listing entry left out). */
function objectsOf(objects: Map<string, unknown>): Record<string, unknown>[] {
  return [...objects.entries()]
    .filter(([key, o]) => key !== APPLICATION_KEY && o !== null && typeof o === 'object')
    .map(([, o]) => o as Record<string, unknown>);
}

const APPLICATION_KEY = 'argoproj.io/Application';

/** Violations by action over every Application; null when no render evaluated a policy. */
function policySummary(entries: readonly AppEntry[]): PreviewReport['summary']['policy'] {
  const evaluated = entries.filter((e) => e.policy !== null);
  if (evaluated.length === 0) return null;
  const count = (action: string) =>
    evaluated.reduce((n, e) => n + (e.policy ?? []).filter((v) => v.action === action).length, 0);
  return { deny: count('Deny'), warn: count('Warn'), audit: count('Audit') };
}

/** Runs `tasks` with at most `limit` at once. */
async function pool(limit: number, count: number, task: (i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
}

/** Base against head: every Application's status, the diffs grouped by identical content, and the summary. */
export async function runPreview(settings: PreviewSettings): Promise<PreviewReport> {
  const base = await expand(settings.base, settings);
  const head = await expand(settings.head, settings);
  const hashers = new Map<Revision, TreeHasher>();
  const pathsMemo = new Map<Revision, Map<string, Promise<string[] | undefined>>>();
  const entries: AppEntry[] = [];
  const groups = new Map<
    string,
    { diff: string; count: number; clusters: Set<string>; applications: string[] }
  >();
  const clusters = new Set<string>();
  let performed = 0;
  let skipped = 0;

  for (const [name, message] of head.errors) {
    entries.push({
      name: '(ApplicationSet)',
      applicationSet: name,
      cluster: '',
      status: 'error',
      error: message,
      policy: null,
    });
  }
  const keys = [...new Set([...base.apps.keys(), ...head.apps.keys()])].sort();
  const slots: (AppEntry | undefined)[] = new Array<AppEntry | undefined>(keys.length);

  const addToGroup = (diff: string, cluster: string, app: string): string => {
    const id = diffHash(diff);
    const g = groups.get(id) ?? { diff, count: 0, clusters: new Set<string>(), applications: [] };
    g.count++;
    g.clusters.add(cluster);
    g.applications.push(app);
    groups.set(id, g);
    return id;
  };

  const settle = async (index: number): Promise<void> => {
    const key = keys[index] ?? '';
    const b = base.apps.get(key);
    const h = head.apps.get(key);
    const gen = (h ?? b) as Generated;
    const { cluster } = destinationOf(gen.app, settings.fleet.clusters);
    clusters.add(cluster);
    const entry = (status: AppStatus, more: Partial<AppEntry> = {}): AppEntry => ({
      name: gen.app.metadata.name,
      applicationSet: gen.applicationSet,
      cluster,
      status,
      policy: null,
      ...more,
    });
    if (h === undefined) {
      // The head's ApplicationSet failed: Argo CD deletes nothing then.
      if (head.errors.has(gen.applicationSet)) return;
      slots[index] = entry('removed');
      return;
    }
    const headSide = await plan(h, settings.head, settings, hashers, pathsMemo);
    if (headSide.notPreviewed !== undefined) {
      slots[index] = entry('notPreviewed', { reason: headSide.notPreviewed });
      return;
    }
    let baseObjects = new Map<string, unknown>();
    if (b !== undefined) {
      const baseSide = await plan(b, settings.base, settings, hashers, pathsMemo);
      if (
        baseSide.notPreviewed === undefined &&
        baseSide.inputs !== undefined &&
        baseSide.inputs === headSide.inputs
      ) {
        skipped++;
        if (settings.policyDirs.length === 0) {
          slots[index] = entry('unchanged', { skipped: true, policy: null });
          return;
        }
        // Equal inputs render equally, but the head must still pass the policies: it is rendered (once) for them.
        // Its base objects are its own objects (equal inputs), so each is reviewed as an UPDATE against itself,
        // as it would be for a changed Application whose object did not change; no base render is spent on it.
        performed++;
        const out = await headSide.render({ role: 'head', oldObjects: 'unchanged' });
        const policy = policyOf(out);
        slots[index] = out.ok
          ? entry('unchanged', { skipped: true, policy })
          : entry('error', { error: out.error, policy });
        return;
      }
      if (baseSide.notPreviewed === undefined) {
        performed++;
        const out = await baseSide.render({ role: 'base' });
        // A base that did not render is compared as empty: the head's objects all show as added (and, for the
        // policies, are reviewed as CREATE).
        if (out.ok) baseObjects = parseObjects(out.yaml);
        baseObjects.set(APPLICATION_KEY, b.app);
      }
    }
    performed++;
    // An object the base rendered is reviewed as an UPDATE with its base state as oldObject; a new one as a CREATE.
    const out = await headSide.render({ role: 'head', oldObjects: objectsOf(baseObjects) });
    const policy = policyOf(out);
    // A Deny fails the head render, as it will fail Argo CD's: the Application is an error with the denial.
    if (!out.ok) {
      slots[index] = entry('error', { error: out.error, policy });
      return;
    }
    const headObjects = parseObjects(out.yaml);
    // An added Application is listed by name; its spec (the cluster context in it) would keep the same change on
    // many clusters from grouping.
    if (b !== undefined) headObjects.set(APPLICATION_KEY, h.app);
    const diff = diffRenders(baseObjects, headObjects);
    const status: AppStatus = b === undefined ? 'added' : diff === '' ? 'unchanged' : 'changed';
    slots[index] =
      diff === ''
        ? entry(status, { policy })
        : entry(status, { diffGroup: addToGroup(diff, cluster, gen.app.metadata.name), policy });
  };

  let done = 0;
  // Twice the workers in flight: while one job waits for its render, the next is hashed here.
  await pool(settings.jobs * 2, keys.length, async (i) => {
    await settle(i);
    settings.onProgress?.(++done, keys.length);
  });
  for (const s of slots) if (s !== undefined) entries.push(s);

  const counts: Record<AppStatus, number> = {
    added: 0,
    removed: 0,
    changed: 0,
    unchanged: 0,
    error: 0,
    notPreviewed: 0,
  };
  for (const e of entries) counts[e.status]++;
  const diffGroups: DiffGroup[] = [...groups.entries()]
    .map(([id, g]) => ({
      id,
      count: g.count,
      clusters: [...g.clusters].sort(),
      applications: g.applications.sort(),
      diff: g.diff,
    }))
    .sort((x, y) => y.count - x.count || (x.id < y.id ? -1 : 1));
  const appSets = new Set(
    [...base.apps.values(), ...head.apps.values()].map((g) => g.applicationSet),
  );
  for (const n of head.errors.keys()) appSets.add(n);
  return {
    summary: {
      base: settings.base.label,
      head: settings.head.label,
      applications: counts,
      applicationSets: appSets.size,
      clusters: clusters.size,
      renders: { performed, skipped },
      policy: policySummary(entries),
    },
    applications: entries,
    diffGroups,
  };
}
