import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Cluster } from '../../core/cluster';
import { sanitizeName } from '../../core/names';
import { matchesSelector } from '../../core/selector';
import type { LabelSelector, SelectorRequirement } from '../../core/selector';
import { flattenToStrings, setOwn } from './flatten';
import { RawJson, encodeGoJson, formatGoV, isPlainObject } from './go-values';
import { goHttpDo } from './http-client';
import type { HttpTransport } from './http-client';
import { appendTemplatedValues, emulatePluginGenerator } from './plugin-generator';
import type {
  ApplicationSetInfo,
  ConfigMapObject,
  Params,
  PluginGeneratorSpec,
  SecretObject,
} from './plugin-generator';
import { renderDeep, replaceTemplateString } from './render';
import { UnsupportedTemplateError } from './go-template';

/**
 * The ApplicationSet controller, reduced to what this project's ApplicationSets use, so tests can see the
 * exact Applications Argo CD would create from an ApplicationSet (e.g. those under manifests/examples):
 *
 *   const env = { ...pluginGeneratorEnv({ baseUrl: gen.url, token: gen.token }), secrets: [...] };
 *   const result = await renderApplicationSet(yaml.parse(text), env);
 *   if ('error' in result) ... else result.applications
 *
 * Generators: `plugin` (argocd-contract.md A1–A6, over HTTP), `clusters` (C2, over cluster Secrets given
 * as objects), `list`, `git` directories and files (over a local directory), `merge`, and `matrix` of two of
 * those. Each generator's `selector`, `values`, and per-generator `template` (merged over spec.template) apply. Then
 * every string (and map key) of the template is rendered with the params: Go text/template in goTemplate
 * mode (see go-template.ts for the supported subset), fasttemplate otherwise; then `templatePatch`.
 * Not emulated (throws UnsupportedGeneratorError naming the ApplicationSet and field): scmProvider, pullRequest,
 * clusterDecisionResource, a matrix or merge nested in a matrix, templatePatch directives.
 * Order: generators in spec order, params in generator order; the clusters generator puts the local cluster
 * first (as its loop does) and then cluster Secrets in Secret-name order (Argo CD's informer order is
 * unspecified; Applications form a set).
 */

export class UnsupportedGeneratorError extends Error {}

/**
 * An unsupported generator or template feature, rethrown with the ApplicationSet and the field it sits in, so a
 * preview names what it cannot reproduce instead of showing something Argo CD would not do.
 */
function named<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw locate(where, e);
  }
}

async function namedAsync<T>(where: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw locate(where, e);
  }
}

function locate(where: string, e: unknown): unknown {
  if (e instanceof UnsupportedTemplateError || e instanceof UnsupportedGeneratorError) {
    if (e.message.startsWith('ApplicationSet "')) return e;
    return new UnsupportedGeneratorError(`${where}: ${e.message}`);
  }
  return e;
}

export interface ArgoCdEnv {
  /** The ApplicationSet controller's namespace (ConfigMaps and Secrets are read there). Default `argocd`. */
  readonly controllerNamespace?: string;
  readonly configMaps?: readonly ConfigMapObject[];
  /** Token Secrets and cluster Secrets (label `argocd.argoproj.io/secret-type: cluster`). */
  readonly secrets?: readonly SecretObject[];
  /** Git generator: repoURL → a local directory holding that repository's checkout. */
  readonly gitRepos?: Readonly<Record<string, string>>;
  /** How plugin requests are sent (default: Go-like node:http client). */
  readonly transport?: HttpTransport;
}

export interface Application {
  readonly apiVersion: 'argoproj.io/v1alpha1';
  readonly kind: 'Application';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly finalizers?: string[];
  };
  readonly spec: Record<string, unknown>;
}

export type RenderApplicationSetResult = { applications: Application[] } | { error: string };

export const SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type';
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** The ConfigMap and token Secret a plugin generator needs, as an Argo CD install would hold them. */
export function pluginGeneratorEnv(opts: {
  baseUrl: string;
  token: string;
  configMapName?: string;
  controllerNamespace?: string;
  requestTimeout?: string;
}): { controllerNamespace: string; configMaps: ConfigMapObject[]; secrets: SecretObject[] } {
  const namespace = opts.controllerNamespace ?? 'argocd';
  // Names as in manifests/base/plugin-generator (ConfigMap eks-cluster-generator, Secret ...-token).
  const data: Record<string, string> = {
    baseUrl: opts.baseUrl,
    token: '$eks-cluster-generator-token:token',
  };
  if (opts.requestTimeout !== undefined) data['requestTimeout'] = opts.requestTimeout;
  return {
    controllerNamespace: namespace,
    configMaps: [{ name: opts.configMapName ?? 'eks-cluster-generator', namespace, data }],
    secrets: [
      {
        name: 'eks-cluster-generator-token',
        namespace,
        labels: { 'app.kubernetes.io/part-of': 'argocd' },
        data: { token: opts.token },
      },
    ],
  };
}

/**
 * The Argo CD cluster Secret (argocd-contract.md C1) for a cluster of our model: data name/server/config
 * (awsAuthConfig with the EKS cluster name, tlsClientConfig.caData as DescribeCluster returns it),
 * `project` when set; labels = the cluster's labels + the secret-type label; annotations = its annotations.
 * `data` values are given decoded, like every Secret of this emulation.
 */
export function clusterSecretFor(
  cluster: Cluster,
  opts: { namespace?: string; roleARN?: string } = {},
): SecretObject {
  const awsAuthConfig: Record<string, string> = { clusterName: cluster.aws.clusterName };
  if (opts.roleARN !== undefined) awsAuthConfig['roleARN'] = opts.roleARN;
  const config = { awsAuthConfig, tlsClientConfig: { insecure: false, caData: cluster.caData } };
  const data: Record<string, string> = {
    name: cluster.name,
    server: cluster.server,
    config: JSON.stringify(config),
  };
  if (cluster.project !== '') data['project'] = cluster.project;
  return {
    name: `cluster-${cluster.nameNormalized}`,
    namespace: opts.namespace ?? 'argocd',
    labels: { ...cluster.labels, [SECRET_TYPE_LABEL]: 'cluster' },
    annotations: { ...cluster.annotations },
    data,
  };
}

// ---------------------------------------------------------------- generators

type GenResult = { params: Params[] } | { error: string };

/** What a generator runs with: the ApplicationSet's name and template mode, and the cluster around it. */
export interface GeneratorContext {
  readonly appSet: ApplicationSetInfo;
  readonly env: ArgoCdEnv;
}

interface Ctx extends GeneratorContext {
  readonly ns: string;
}

const GENERATOR_KINDS = ['list', 'clusters', 'git', 'plugin', 'matrix', 'merge'] as const;
const UNSUPPORTED_KINDS = ['scmProvider', 'pullRequest', 'clusterDecisionResource'];

function kindOf(gen: Record<string, unknown>): (typeof GENERATOR_KINDS)[number] {
  for (const k of UNSUPPORTED_KINDS) {
    if (gen[k] !== undefined)
      throw new UnsupportedGeneratorError(`generator "${k}" is not emulated`);
  }
  const present = GENERATOR_KINDS.filter((k) => gen[k] !== undefined);
  if (present.length !== 1 || present[0] === undefined) {
    throw new UnsupportedGeneratorError(
      `a generator entry must hold exactly one of ${GENERATOR_KINDS.join(', ')}; got ${present.join(', ') || 'none'}`,
    );
  }
  return present[0];
}

/**
 * One generator's params after `Transform`: generation (with the sibling's params interpolated into its spec
 * inside a matrix), then the generator-level `selector` over a flattened string view of each param set.
 */
export async function generateParams(
  generator: Record<string, unknown>,
  context: GeneratorContext,
  siblingParams?: Params,
): Promise<GenResult> {
  const ctx: Ctx = { ...context, ns: context.env.controllerNamespace ?? 'argocd' };
  let gen = generator;
  if (siblingParams !== undefined && Object.keys(siblingParams).length > 0) {
    const { selector: _sel, ...rest } = generator;
    const r = renderDeep(
      rest,
      siblingParams,
      ctx.appSet.goTemplate,
      ctx.appSet.goTemplateOptions ?? [],
    );
    if ('error' in r) {
      return {
        error: `error interpolating generator with other generator's parameter: failed to replace parameters in generator: ${r.error}`,
      };
    }
    gen = { ...(r.value as Record<string, unknown>), selector: generator['selector'] };
    gen = reencodePluginParameters(gen);
  }
  const kind = kindOf(gen);
  let result: GenResult;
  switch (kind) {
    case 'plugin':
      result = await emulatePluginGenerator(
        {
          applicationSet: ctx.appSet,
          controllerNamespace: ctx.ns,
          configMap: ctx.env.configMaps ?? [],
          secret: ctx.env.secrets ?? [],
          generator: gen['plugin'] as PluginGeneratorSpec,
        },
        ctx.env.transport ?? goHttpDo,
      );
      break;
    case 'clusters':
      result = clustersGenerator(gen['clusters'] as ClustersSpec, ctx);
      break;
    case 'list':
      result = listGenerator(gen['list'] as { elements?: unknown[] }, ctx);
      break;
    case 'git':
      result = gitGenerator(gen['git'] as GitSpec, ctx);
      break;
    case 'merge':
      if (siblingParams !== undefined) {
        throw new UnsupportedGeneratorError('a merge nested in a matrix is not emulated');
      }
      result = await mergeGenerator(
        gen['merge'] as { generators?: unknown[]; mergeKeys?: unknown },
        ctx,
      );
      break;
    case 'matrix':
      if (siblingParams !== undefined) {
        throw new UnsupportedGeneratorError('a matrix nested in a matrix is not emulated');
      }
      result = await matrixGenerator(gen['matrix'] as { generators?: unknown[] }, ctx);
      break;
  }
  if ('error' in result) return result;
  const selector = gen['selector'];
  if (selector === undefined || selector === null) return result;
  const parsed = argoSelector(selector);
  return {
    params: result.params.filter((p) => matchesSelector(parsed, flattenToStrings(p))),
  };
}

/**
 * After interpolation Argo CD re-marshals each `apiextensionsv1.JSON` with json.Marshal (HTML escaping on),
 * so those are the raw bytes the plugin then receives.
 */
function reencodePluginParameters(gen: Record<string, unknown>): Record<string, unknown> {
  const plugin = gen['plugin'] as { input?: { parameters?: Record<string, unknown> } } | undefined;
  const parameters = plugin?.input?.parameters;
  if (plugin === undefined || parameters === undefined || parameters === null) return gen;
  const raw: Record<string, RawJson> = {};
  for (const [k, v] of Object.entries(parameters)) {
    setOwn(raw, k, new RawJson(encodeGoJson(v, { escapeHTML: true })));
  }
  return { ...gen, plugin: { ...plugin, input: { ...plugin.input, parameters: raw } } };
}

/**
 * Argo CD's own `LabelSelectorAsSelector` for generator selectors: Kubernetes semantics, but label VALUES
 * are not validated (so a selector can match on a server URL).
 */
function argoSelector(input: unknown): LabelSelector {
  const requirements: SelectorRequirement[] = [];
  const s = (input ?? {}) as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  for (const [key, value] of Object.entries(s.matchLabels ?? {})) {
    requirements.push({ key, operator: 'In', values: [value] });
  }
  for (const e of s.matchExpressions ?? []) {
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) {
      throw new UnsupportedGeneratorError(`selector operator "${e.operator}"`);
    }
    requirements.push({
      key: e.key,
      operator: e.operator as SelectorRequirement['operator'],
      values: e.values ?? [],
    });
  }
  return { requirements };
}

interface ClustersSpec {
  readonly selector?: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  readonly values?: Record<string, string>;
  readonly flatList?: boolean;
}

/** The native Cluster generator (argocd-contract.md C2) over the env's cluster Secrets. */
function clustersGenerator(spec: ClustersSpec, ctx: Ctx): GenResult {
  const userSelector = argoSelector(spec.selector ?? {});
  const secrets = (ctx.env.secrets ?? [])
    .filter((s) => s.namespace === ctx.ns && s.labels?.[SECRET_TYPE_LABEL] === 'cluster')
    .filter((s) => matchesSelector(userSelector, s.labels ?? {}))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hasSelector =
    Object.keys(spec.selector?.matchLabels ?? {}).length > 0 ||
    (spec.selector?.matchExpressions ?? []).length > 0;
  const allClusterSecrets = (ctx.env.secrets ?? []).filter(
    (s) => s.namespace === ctx.ns && s.labels?.[SECRET_TYPE_LABEL] === 'cluster',
  );
  const params: Params[] = [];
  for (const secret of secrets) {
    const data = secret.data ?? {};
    const name = data['name'] ?? '';
    const p: Params = {
      name,
      nameNormalized: sanitizeName(name),
      server: data['server'] ?? '',
      project: data['project'] ?? '',
    };
    const labels = secret.labels ?? {};
    const annotations = secret.annotations ?? {};
    if (ctx.appSet.goTemplate) {
      const metadata: Record<string, unknown> = {};
      if (Object.keys(annotations).length > 0) metadata['annotations'] = { ...annotations };
      if (Object.keys(labels).length > 0) metadata['labels'] = { ...labels };
      p['metadata'] = metadata;
    } else {
      for (const [k, v] of Object.entries(annotations)) setOwn(p, `metadata.annotations.${k}`, v);
      for (const [k, v] of Object.entries(labels)) setOwn(p, `metadata.labels.${k}`, v);
    }
    const err = appendTemplatedValues(spec.values, p, ctx.appSet);
    if (err !== undefined) return { error: err };
    params.push(p);
  }
  const localHasSecret = allClusterSecrets.some((s) => s.data?.['server'] === IN_CLUSTER_SERVER);
  if (!hasSelector && !localHasSecret) {
    const p: Params = {
      name: 'in-cluster',
      nameNormalized: 'in-cluster',
      server: IN_CLUSTER_SERVER,
      project: '',
    };
    const err = appendTemplatedValues(spec.values, p, ctx.appSet);
    if (err !== undefined) return { error: err };
    params.unshift(p);
  }
  return { params: spec.flatList ? [{ clusters: params }] : params };
}

/** The List generator: goTemplate elements as they are; flat mode needs string values (and `values`). */
function listGenerator(spec: { elements?: unknown[]; elementsYaml?: string }, ctx: Ctx): GenResult {
  if (spec.elementsYaml !== undefined) throw new UnsupportedGeneratorError('list elementsYaml');
  const params: Params[] = [];
  for (const element of spec.elements ?? []) {
    if (!isPlainObject(element)) return { error: 'error unmarshling element: not an object' };
    if (ctx.appSet.goTemplate) {
      params.push({ ...element });
      continue;
    }
    const p: Params = {};
    for (const [k, v] of Object.entries(element)) {
      if (k === 'values') {
        if (!isPlainObject(v)) return { error: 'error parsing values map' };
        for (const [vk, vv] of Object.entries(v)) {
          if (typeof vv !== 'string') return { error: 'error parsing value as string: %!w(<nil>)' };
          setOwn(p, `values.${vk}`, vv);
        }
      } else if (typeof v !== 'string') {
        return { error: 'error parsing value as string: %!w(<nil>)' };
      } else {
        setOwn(p, k, v);
      }
    }
    params.push(p);
  }
  return { params };
}

interface GitSpec {
  readonly repoURL: string;
  readonly revision?: string;
  readonly directories?: readonly { path: string; exclude?: boolean }[];
  readonly files?: readonly { path: string; exclude?: boolean }[];
  readonly values?: Record<string, string>;
  readonly pathParamPrefix?: string;
}

/** Git directories over a local checkout (env.gitRepos[repoURL]), with Go's path.Match globs. */
function gitGenerator(spec: GitSpec, ctx: Ctx): GenResult {
  const root = ctx.env.gitRepos?.[spec.repoURL];
  if (root === undefined) {
    throw new UnsupportedGeneratorError(`no local checkout for ${spec.repoURL} in env.gitRepos`);
  }
  if (spec.files !== undefined) return gitFilesGenerator(spec, root, ctx);
  const all = listGitDirectories(root);
  const dirs = spec.directories ?? [];
  const apps = all.filter((p) => {
    let include = false;
    let exclude = false;
    for (const d of dirs) {
      if (goPathMatch(d.path, p)) {
        if (d.exclude) exclude = true;
        else include = true;
      }
    }
    return include && !exclude;
  });
  const prefix = spec.pathParamPrefix ?? '';
  const params: Params[] = [];
  for (const app of apps) {
    const base = path.posix.basename(app);
    const p: Params = {};
    if (ctx.appSet.goTemplate) {
      const pathParam = {
        path: app,
        basename: base,
        basenameNormalized: sanitizeName(base),
        segments: app.split('/'),
      };
      if (prefix !== '') p[prefix] = { path: pathParam };
      else p['path'] = pathParam;
    } else {
      const key = prefix !== '' ? `${prefix}.path` : 'path';
      p[key] = app;
      p[`${key}.basename`] = base;
      p[`${key}.basenameNormalized`] = sanitizeName(base);
      app.split('/').forEach((seg, i) => {
        if (seg !== '') p[`${key}[${i}]`] = seg;
      });
    }
    const err = appendTemplatedValues(spec.values, p, ctx.appSet);
    if (err !== undefined) return { error: err };
    params.push(p);
  }
  return { params };
}

/**
 * Git files: each file matching a `files` pattern (and no `exclude` one), in path order, parsed as YAML or JSON;
 * a top-level list gives one param set per element. Its content (flattened and `%v`-formatted in flat mode, as is
 * with goTemplate) plus the `path` params of the file: its directory, basename, filename, their normalized forms
 * and the directory's segments. Patterns are matched over repository-relative paths with path.matchesGlob (`*`
 * within a segment, `**` across them): Argo CD's new globbing; the legacy `git ls-files` globbing, where `*` also
 * crosses `/`, is not reproduced.
 */
function gitFilesGenerator(spec: GitSpec, root: string, ctx: Ctx): GenResult {
  const includes = (spec.files ?? []).filter((f) => f.exclude !== true).map((f) => f.path);
  const excludes = (spec.files ?? []).filter((f) => f.exclude === true).map((f) => f.path);
  const files = listGitFiles(root).filter(
    (f) =>
      includes.some((g) => path.posix.matchesGlob(f, g)) &&
      !excludes.some((g) => path.posix.matchesGlob(f, g)),
  );
  const prefix = spec.pathParamPrefix ?? '';
  const params: Params[] = [];
  for (const file of files) {
    let content: unknown;
    try {
      content = YAML.parse(fs.readFileSync(path.join(root, file), 'utf8'));
    } catch (e) {
      return { error: `unable to parse file: ${(e as Error).message}` };
    }
    const objects = Array.isArray(content) ? content : [content];
    for (const object of objects) {
      const found = isPlainObject(object) ? object : {};
      const dir = path.posix.dirname(file);
      const base = path.posix.basename(dir);
      const filename = path.posix.basename(file);
      let p: Params;
      if (ctx.appSet.goTemplate) {
        p = { ...found };
        const pathParam = {
          path: dir,
          basename: base,
          filename,
          basenameNormalized: sanitizeName(base),
          filenameNormalized: sanitizeName(filename),
          segments: dir.split('/'),
        };
        if (prefix !== '') p[prefix] = { path: pathParam };
        else p['path'] = pathParam;
      } else {
        p = { ...flattenToStrings(found) };
        const key = prefix !== '' ? `${prefix}.path` : 'path';
        p[key] = dir;
        p[`${key}.basename`] = base;
        p[`${key}.filename`] = filename;
        p[`${key}.basenameNormalized`] = sanitizeName(base);
        p[`${key}.filenameNormalized`] = sanitizeName(filename);
        dir.split('/').forEach((seg, i) => {
          if (seg !== '') p[`${key}[${i}]`] = seg;
        });
      }
      const err = appendTemplatedValues(spec.values, p, ctx.appSet);
      if (err !== undefined) return { error: err };
      params.push(p);
    }
  }
  return { params };
}

/** Every file of the checkout (relative, `/`-separated, sorted), `.git` skipped. */
export function listGitFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== '.git') walk(child);
      } else if (e.isFile()) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** Every directory of the checkout (relative, `/`-separated, lexical walk order), hidden ones skipped. */
export function listGitDirectories(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const entries = fs
      .readdirSync(path.join(root, rel), { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
    for (const name of entries) {
      const child = rel === '' ? name : `${rel}/${name}`;
      out.push(child);
      walk(child);
    }
  };
  walk('');
  return out;
}

/** Go's path.Match: `*` and `?` never cross `/`; `[...]` classes; `\` escapes. */
export function goPathMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') re += `\\${pattern[++i] ?? ''}`;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false; // ErrBadPattern: Argo CD logs it and skips the pattern
      re += `[${pattern.slice(i + 1, end)}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\]]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(name);
}

/** Matrix of exactly two children: the second is evaluated once per param set of the first. */
async function matrixGenerator(spec: { generators?: unknown[] }, ctx: Ctx): Promise<GenResult> {
  const children = (spec.generators ?? []) as Record<string, unknown>[];
  if (children.length < 2)
    return { error: 'found less than two generators, Matrix support only two' };
  if (children.length > 2)
    return { error: 'found more than two generators, Matrix support only two' };
  const [first, second] = children as [Record<string, unknown>, Record<string, unknown>];
  const child = async (
    g: Record<string, unknown>,
    sibling: Params | undefined,
  ): Promise<GenResult> => {
    const r = await generateParams(g, ctx, sibling ?? {});
    if ('error' in r) {
      return { error: `child generator returned an error on parameter generation: ${r.error}` };
    }
    return r;
  };
  const a = await child(first, undefined);
  if ('error' in a) {
    return {
      error: `error failed to get params for first generator in matrix generator: ${a.error}`,
    };
  }
  const out: Params[] = [];
  for (const pa of a.params) {
    const b = await child(second, pa);
    if ('error' in b) {
      return {
        error: `failed to get params for second generator in the matrix generator: ${b.error}`,
      };
    }
    for (const pb of b.params) {
      if (ctx.appSet.goTemplate) {
        out.push(deepMerge(deepMerge({}, pb), pa));
      } else {
        const combined = combineStringMaps(pa, pb);
        if ('error' in combined) {
          return {
            error: `failed to combine string maps with merging params for the matrix generator: ${combined.error}`,
          };
        }
        out.push(combined.params);
      }
    }
  }
  return { params: out };
}

/**
 * Merge: every child generates on its own; the first child's param sets are the base, keyed by the JSON of their
 * `mergeKeys` values (top-level keys); each later child's set with the same key overrides the base set's values
 * (goTemplate: deep merge; flat: string maps, later wins). Sets of later children without a base are dropped.
 */
async function mergeGenerator(
  spec: { generators?: unknown[]; mergeKeys?: unknown },
  ctx: Ctx,
): Promise<GenResult> {
  const children = (spec.generators ?? []) as Record<string, unknown>[];
  if (children.length < 2)
    return { error: 'found less than two generators, Merge requires two or more' };
  const mergeKeys = [...new Set(Array.isArray(spec.mergeKeys) ? (spec.mergeKeys as string[]) : [])];
  if (mergeKeys.length === 0) return { error: 'no merge keys were specified' };
  const sets: Params[][] = [];
  for (const child of children) {
    const r = await generateParams(child, ctx);
    if ('error' in r) {
      return { error: `child generator returned an error on parameter generation: ${r.error}` };
    }
    sets.push(r.params);
  }
  const byKey = (list: Params[]): Map<string, Params> | { error: string } => {
    const out = new Map<string, Params>();
    for (const p of list) {
      const key: Record<string, unknown> = {};
      for (const k of [...mergeKeys].sort()) setOwn(key, k, p[k] ?? null);
      const json = encodeGoJson(key, { escapeHTML: true });
      if (out.has(json)) {
        return {
          error: `the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was ${json}`,
        };
      }
      out.set(json, p);
    }
    return out;
  };
  const base = byKey(sets[0] ?? []);
  if ('error' in base) return base;
  for (const list of sets.slice(1)) {
    const overrides = byKey(list);
    if ('error' in overrides) return overrides;
    for (const [key, baseSet] of base) {
      const override = overrides.get(key);
      if (override === undefined) continue;
      if (ctx.appSet.goTemplate) base.set(key, deepMerge({ ...baseSet }, override));
      else {
        const combined: Params = {};
        for (const [k, v] of Object.entries(baseSet)) setOwn(combined, k, formatGoV(v));
        for (const [k, v] of Object.entries(override)) setOwn(combined, k, formatGoV(v));
        base.set(key, combined);
      }
    }
  }
  return { params: [...base.values()] };
}

/**
 * mergo.Merge(dst, src, WithOverride) on map[string]any: src wins, nested maps merge, but an EMPTY src slice
 * does not replace a non-empty dst slice (mergo only overrides slices with non-empty ones).
 */
function deepMerge(dst: Params, src: Params): Params {
  for (const [k, v] of Object.entries(src)) {
    const cur = dst[k];
    if (isPlainObject(cur) && isPlainObject(v)) setOwn(dst, k, deepMerge({ ...cur }, v));
    else if (Array.isArray(v) && v.length === 0 && Array.isArray(cur) && cur.length > 0) continue;
    else setOwn(dst, k, v);
  }
  return dst;
}

/** utils.CombineStringMaps: both sides through %v; a key present in both with different values fails. */
function combineStringMaps(a: Params, b: Params): { params: Params } | { error: string } {
  const res: Params = {};
  for (const [k, v] of Object.entries(a)) setOwn(res, k, formatGoV(v));
  for (const [k, v] of Object.entries(b)) {
    const s = formatGoV(v);
    if (Object.prototype.hasOwnProperty.call(res, k) && res[k] !== s) {
      return {
        error: `found duplicate key ${k} with different value, a: ${String(res[k])} ,b: ${s}`,
      };
    }
    setOwn(res, k, s);
  }
  return { params: res };
}

// ---------------------------------------------------------------- applications

/** The template fields a generator-level `template` may override (mergo.Merge of non-empty fields). */
function mergeTemplate(base: unknown, override: unknown): Record<string, unknown> {
  const b = isPlainObject(base) ? base : {};
  if (!isPlainObject(override)) return { ...b };
  const merge = (x: unknown, y: unknown): unknown => {
    if (isPlainObject(x) && isPlainObject(y)) {
      const out: Record<string, unknown> = { ...x };
      for (const [k, v] of Object.entries(y)) {
        if (v === undefined || v === null || v === '') continue;
        setOwn(out, k, merge(x[k], v));
      }
      return out;
    }
    return y === undefined || y === null || y === '' ? x : y;
  };
  return merge(b, override) as Record<string, unknown>;
}

/**
 * Renders an ApplicationSet object (as parsed from YAML) into the Applications the controller would
 * create, or the error it would put in the ApplicationSet's ErrorOccurred condition (then it creates,
 * updates and deletes nothing).
 */
export async function renderApplicationSet(
  appSetObject: unknown,
  env: ArgoCdEnv = {},
): Promise<RenderApplicationSetResult> {
  if (!isPlainObject(appSetObject) || appSetObject['kind'] !== 'ApplicationSet') {
    throw new TypeError('renderApplicationSet: expected an ApplicationSet object');
  }
  const metadata = (appSetObject['metadata'] ?? {}) as { name?: string; namespace?: string };
  const spec = (appSetObject['spec'] ?? {}) as Record<string, unknown>;
  const templatePatch = spec['templatePatch'];
  if (templatePatch !== undefined && typeof templatePatch !== 'string') {
    throw new UnsupportedGeneratorError(
      `ApplicationSet "${metadata.name ?? ''}": spec.templatePatch must be a string`,
    );
  }
  const appSet: ApplicationSetInfo = {
    name: metadata.name ?? '',
    goTemplate: spec['goTemplate'] === true,
    goTemplateOptions: (spec['goTemplateOptions'] as string[] | undefined) ?? [],
  };
  const ctx: Ctx = { appSet, env, ns: env.controllerNamespace ?? 'argocd' };
  const syncPolicy = spec['syncPolicy'] as { preserveResourcesOnDeletion?: boolean } | undefined;
  const applications: Application[] = [];
  let firstError: string | undefined;
  const generators = (spec['generators'] ?? []) as Record<string, unknown>[];
  for (const [index, generator] of generators.entries()) {
    const where = `ApplicationSet "${appSet.name}": spec.generators[${index}]`;
    const kind = named(where, () => kindOf(generator));
    const generated = await namedAsync(where, () => generateParams(generator, ctx));
    if ('error' in generated) {
      firstError ??= generated.error;
      continue;
    }
    const genSpec = generator[kind] as Record<string, unknown>;
    const template = mergeTemplate(spec['template'], genSpec['template']);
    for (const params of generated.params) {
      if (Object.keys(params).length === 0) {
        // RenderTemplateParams returns the template untouched for empty params (no finalizer either).
        applications.push(toApplication(template, metadata.namespace ?? ctx.ns, syncPolicy, false));
        continue;
      }
      const rendered = named(`ApplicationSet "${appSet.name}": spec.template`, () =>
        renderDeep(template, params, appSet.goTemplate, appSet.goTemplateOptions ?? []),
      );
      if ('error' in rendered) {
        firstError ??= `error generating application from params: ${rendered.error}`;
        continue;
      }
      const app = toApplication(rendered.value, metadata.namespace ?? ctx.ns, syncPolicy);
      if (templatePatch === undefined) {
        applications.push(app);
        continue;
      }
      const patched = named(`ApplicationSet "${appSet.name}": spec.templatePatch`, () =>
        applyTemplatePatch(app, templatePatch, params, appSet),
      );
      if ('error' in patched) {
        firstError ??= `error generating application from params: ${patched.error}`;
        continue;
      }
      applications.push(patched.app);
    }
  }
  return firstError === undefined ? { applications } : { error: firstError };
}

/**
 * `templatePatch`: rendered with the params like the template, read as YAML, then applied to the Application as
 * Argo CD's strategic merge patch does on the Application type, which declares no merge keys: maps merge, lists
 * and scalars replace, `null` deletes. `$patch`/`$retainKeys` directives are not emulated (they throw).
 */
function applyTemplatePatch(
  app: Application,
  templatePatch: string,
  params: Params,
  appSet: ApplicationSetInfo,
): { app: Application } | { error: string } {
  const r = replaceTemplateString(
    templatePatch,
    params,
    appSet.goTemplate,
    appSet.goTemplateOptions ?? [],
  );
  if ('error' in r) return { error: `error replacing values in templatePatch: ${r.error}` };
  let patch: unknown;
  try {
    patch = YAML.parse(r.text);
  } catch (e) {
    return { error: `error converting templatePatch to JSON: ${(e as Error).message}` };
  }
  if (!isPlainObject(patch)) return { error: 'error applying templatePatch: not an object' };
  const merge = (target: unknown, p: unknown): unknown => {
    if (!isPlainObject(p)) return p;
    const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(p)) {
      if (k.startsWith('$')) throw new UnsupportedGeneratorError(`templatePatch directive "${k}"`);
      if (v === null) delete out[k];
      else setOwn(out, k, merge(out[k], v));
    }
    return out;
  };
  return { app: merge(app, patch) as Application };
}

function toApplication(
  rendered: unknown,
  namespace: string,
  syncPolicy: { preserveResourcesOnDeletion?: boolean } | undefined,
  addFinalizer = true,
): Application {
  const t = rendered as {
    metadata?: Record<string, unknown>;
    spec?: Record<string, unknown>;
  };
  const m = t.metadata ?? {};
  const meta: Record<string, unknown> = { name: m['name'] ?? '', namespace };
  if (isPlainObject(m['labels'])) meta['labels'] = m['labels'];
  if (isPlainObject(m['annotations'])) meta['annotations'] = m['annotations'];
  const finalizers = Array.isArray(m['finalizers']) ? [...(m['finalizers'] as string[])] : [];
  // RenderTemplateParams adds the resources finalizer unless the template sets finalizers or the
  // ApplicationSet preserves resources on deletion.
  if (addFinalizer && finalizers.length === 0 && !syncPolicy?.preserveResourcesOnDeletion) {
    finalizers.push(RESOURCES_FINALIZER);
  }
  if (finalizers.length > 0 || Array.isArray(m['finalizers'])) meta['finalizers'] = finalizers;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: meta as Application['metadata'],
    spec: t.spec ?? {},
  };
}
