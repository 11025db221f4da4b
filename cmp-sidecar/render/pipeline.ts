import { EmptyRenderError, RenderError } from '../../core/errors';
import { objectStages } from './object-stages';
import { applyLayers } from './overlay';
import { at, parseManifestFile } from './parse-documents';
import { readLayer } from './load-layers';
import { sortObjects } from './order';
import { serializeObjects } from './serialize';
import type {
  ArgoEnv,
  ClusterView,
  ObjectStage,
  OverlayConfig,
  RenderedObject,
  SourceRef,
  StageContext,
} from './stages';
import { renderTemplate } from './template';
import type { TemplateScope } from './template';
import { CONFIG_FILE } from '../config';
import { ConfigError, isAppError } from '../../core/errors';
import { kubeMinorOf, setOwn } from '../argocd-env';

export interface RenderRequest {
  readonly appDir: string;
  readonly rootDir: string;
  readonly config: OverlayConfig;
  readonly env: ArgoEnv;
  readonly cluster: ClusterView;
  readonly warn: (msg: string) => void;
  readonly debug: (msg: string) => void;
  /** Defaults to the registered object stages (object-stages.ts); tests pass their own. */
  readonly stages?: readonly ObjectStage[];
}

export interface RenderResult {
  readonly objects: readonly RenderedObject[];
  readonly yaml: string;
}

/**
 * Renders an app directory into one manifest stream:
 *  1/ scope: `cluster`, `app`, `kubeVersion`, `kubeMinor`, `env`, `params` for templates
 *  2/ layers: template each layer path from eks-overlay.yaml, refuse escapes, skip missing directories
 *  3/ parse: every *.yaml / *.yml of a layer (sorted), multi-document, strings templated after parsing
 *  4/ overlay: later layers patch earlier ones (strategic merge, kustomize syntax)
 *  5/ object stages: secrets, kro (object-stages.ts)
 *  6/ empty check: zero objects is an EmptyRenderError unless `allowEmpty: true` (then an empty List is printed)
 *  7/ order and serialize: kustomize's legacy kind order, sorted keys, YAML 1.1/1.2-safe scalars
 */
export async function renderApp(req: RenderRequest): Promise<RenderResult> {
  const scope = templateScope(req);
  const templateString = (text: string, where: SourceRef): string =>
    String(renderTemplate(text, scope, where));

  const layers: RenderedObject[][] = [];
  const readBudget = { bytes: 0 };
  const parseBudget = { objects: 0 };
  for (const [i, layer] of req.config.layers.entries()) {
    const where = req.config.layerRefs[i] ?? { file: CONFIG_FILE };
    const dir = templateString(layer, where);
    const files = await readLayer(
      dir,
      where,
      { appDir: req.appDir, rootDir: req.rootDir },
      readBudget,
    );
    if (files === undefined) {
      req.debug(`layer ${JSON.stringify(dir)} (${at(where)}) does not exist; skipped`);
      continue;
    }
    req.debug(`layer ${JSON.stringify(dir)}: ${files.length} file(s)`);
    const parseOptions = { duplicateKeys: req.config.yaml?.duplicateKeys, warn: req.warn };
    layers.push(
      files.flatMap((f) => parseManifestFile(f.text, f.file, scope, parseBudget, parseOptions)),
    );
  }
  let objects = applyLayers(layers);

  const ctx: StageContext = {
    cluster: req.cluster,
    appDir: req.appDir,
    rootDir: req.rootDir,
    config: req.config,
    env: req.env,
    warn: req.warn,
    debug: req.debug,
    templateString,
  };
  for (const stage of req.stages ?? objectStages) {
    try {
      objects = await stage.run(objects, ctx);
    } catch (e) {
      if (isAppError(e)) throw e; // AppErrors already name what is at fault
      throw new RenderError(
        `stage ${stage.name} failed: ${e instanceof Error ? e.message : String(e)}`,
        {
          cause: e,
        },
      );
    }
  }

  if (objects.length === 0 && !req.config.allowEmpty) {
    throw new EmptyRenderError(
      `the render produced no objects (layers: ${req.config.layers.join(', ')}); Argo CD would prune everything. ` +
        `Set "allowEmpty: true" in ${CONFIG_FILE} if this is intended`,
      { file: CONFIG_FILE },
    );
  }
  if (objects.length === 0) {
    // Opted in: still never an empty stdout (that reads as "the plugin printed nothing"); an empty List says it.
    req.warn(
      `the render produced no objects (allowEmpty: true in ${CONFIG_FILE}); Argo CD will prune`,
    );
    return { objects: [], yaml: 'apiVersion: v1\nkind: List\nitems: []\n' };
  }
  const sorted = sortObjects(objects);
  return { objects: sorted, yaml: serializeObjects(sorted.map((o) => o.object)) };
}

/** What templates see. Declared parameter defaults apply first (Argo CD never sends announced defaults). */
export function templateScope(
  req: Pick<RenderRequest, 'config' | 'env' | 'cluster'>,
): TemplateScope {
  const params: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const p of req.config.parameters) {
    const v = p.string ?? p.array ?? p.map;
    if (v !== undefined) setOwn(params, p.name, v);
  }
  for (const p of req.env.parameters) {
    if (p.name === 'cluster') continue;
    const decl = req.config.parameters.find((d) => d.name === p.name);
    const type = decl?.collectionType ?? (p.map ? 'map' : p.array ? 'array' : 'string');
    const v = type === 'map' ? p.map : type === 'array' ? p.array : p.string;
    if (v !== undefined) setOwn(params, p.name, v);
  }
  for (const p of req.config.parameters)
    if (p.required && !Object.hasOwn(params, p.name)) missing.push(p.name);
  if (missing.length > 0) {
    throw new ConfigError(
      missing.map((n) => `${CONFIG_FILE}: parameter "${n}" is required and was not given`),
    );
  }
  const e = req.env;
  return {
    cluster: req.cluster,
    app: {
      name: e.appName,
      namespace: e.appNamespace,
      project: e.projectName,
      revision: e.revision,
      revisionShort: e.revisionShort,
      repoURL: e.sourceRepoUrl,
      path: e.sourcePath,
      targetRevision: e.targetRevision,
    },
    kubeVersion: e.kubeVersion,
    kubeMinor: kubeMinorOf(e.kubeVersion),
    env: e.userEnv,
    params,
  };
}
