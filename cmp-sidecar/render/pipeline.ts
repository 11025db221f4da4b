import { EmptyRenderError, RenderError } from '../../core/errors';
import { applyLayers } from './overlay';
import { at, parseManifestFile } from './parse-documents';
import { readLayerFiles, resolveLayer } from './load-layers';
import type { LayerRoots, ResolvedLayer } from './load-layers';
import { sortObjects } from './order';
import { serializeObjects } from './serialize';
import { RENDER_BOUND_CHARS } from './limits';
import type { ObjectStage, StageContext } from './stages';
import type { ArgoEnv, ClusterView, OverlayConfig, RenderedObject, SourceRef } from './types';
import { isTemplate, renderTemplate } from './template';
import { CONFIG_FILE } from './config-file';
import { ConfigError, isAppError } from '../../core/errors';
import { templateScope } from './template-scope';

export interface RenderRequest {
  readonly appDir: string;
  readonly rootDir: string;
  readonly config: OverlayConfig;
  readonly env: ArgoEnv;
  /** The command's whole environment (Io.env), handed to the stages (StageContext.processEnv); default empty. */
  readonly processEnv?: Readonly<Record<string, string | undefined>>;
  readonly cluster: ClusterView;
  /**
   * Set when no cluster context was given (cluster-context.ts missingContextMessage): templates then have no
   * `cluster`, and one that uses it fails with this explanation.
   */
  readonly clusterMissing?: string;
  /** The render-wide bound in characters on the values parsed and on the YAML printed (tests lower it). */
  readonly renderBound?: number;
  readonly warn: (msg: string) => void;
  readonly debug: (msg: string) => void;
  /** The object stages, in order (eks-overlay's are registered in ../stages.ts; tests pass their own). */
  readonly stages: readonly ObjectStage[];
}

export interface RenderResult {
  readonly objects: readonly RenderedObject[];
  readonly yaml: string;
  /** Each layer of eks-overlay.yaml as this render resolved it (validate reports the optional ones). */
  readonly layers: readonly LayerUse[];
}

/** One entry of `layers:` in one render. */
export interface LayerUse {
  /** As written in eks-overlay.yaml. */
  readonly template: string;
  readonly where: SourceRef;
  /** The path it resolved to for this cluster. */
  readonly dir: string;
  /** Templated layers are optional: false when the directory does not exist (the layer was skipped). */
  readonly found: boolean;
}

/**
 * Renders an app directory into one manifest stream:
 *  1/ scope: `cluster`, `app`, `kubeVersion`, `kubeMinor`, `env`, `params` for templates
 *  2/ layers: template each layer path from eks-overlay.yaml, refuse escapes; a missing static layer is an error,
 *     a missing templated one is skipped
 *  3/ parse: every *.yaml / *.yml / *.json of a layer (sorted), multi-document, strings templated after parsing
 *  4/ overlay: later layers patch earlier ones (strategic merge, kustomize syntax)
 *  5/ object stages: those the request hands over, in order (eks-overlay's: secrets, kro; ../stages.ts)
 *  6/ empty check: zero objects is an EmptyRenderError unless `allowEmpty: true` (then an empty List is printed)
 *  7/ order and serialize: kustomize's legacy kind order, sorted keys, YAML 1.1/1.2-safe scalars
 */
export async function renderApp(req: RenderRequest): Promise<RenderResult> {
  const scope = templateScope(req);
  const templateString = (text: string, where: SourceRef): string =>
    String(renderTemplate(text, scope, where));

  const roots = { appDir: req.appDir, rootDir: req.rootDir };
  const uses = await resolveLayers(req, roots, templateString);
  const layers: RenderedObject[][] = [];
  const readBudget = { bytes: 0 };
  const parseBudget = { objects: 0 };
  const bound = req.renderBound ?? RENDER_BOUND_CHARS;
  const parseOptions = {
    duplicateKeys: req.config.yaml?.duplicateKeys ?? 'warn',
    warn: req.warn,
    maxChars: bound,
  };
  for (const { use, resolved } of uses) {
    if (resolved === undefined) {
      req.debug(`layer ${JSON.stringify(use.dir)} (${at(use.where)}) does not exist; skipped`);
      continue;
    }
    const files = await readLayerFiles(resolved, use.where, roots, readBudget);
    req.debug(`layer ${JSON.stringify(use.dir)}: ${files.length} file(s)`);
    layers.push(
      files.flatMap((f) => parseManifestFile(f.text, f.file, scope, parseBudget, parseOptions)),
    );
  }
  let objects = applyLayers(layers);
  const layerUses = uses.map((u) => u.use);

  const ctx: StageContext = {
    cluster: req.cluster,
    appDir: req.appDir,
    rootDir: req.rootDir,
    config: req.config,
    env: req.env,
    processEnv: req.processEnv ?? {},
    warn: req.warn,
    debug: req.debug,
    templateString,
  };
  for (const stage of req.stages) {
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
    return { objects: [], yaml: 'apiVersion: v1\nkind: List\nitems: []\n', layers: layerUses };
  }
  const sorted = sortObjects(objects);
  return {
    objects: sorted,
    yaml: serializeObjects(
      sorted.map((o) => o.object),
      bound,
    ),
    layers: layerUses,
  };
}

/**
 * Templates and checks every layer path before any file is read. A layer written without a template must exist
 * (a missing one is a typo: every such layer is reported at once, naming its line in eks-overlay.yaml); a templated
 * layer is optional, as a cluster may have no overlay of its own.
 */
async function resolveLayers(
  req: RenderRequest,
  roots: LayerRoots,
  templateString: (text: string, where: SourceRef) => string,
): Promise<{ use: LayerUse; resolved: ResolvedLayer | undefined }[]> {
  const out: { use: LayerUse; resolved: ResolvedLayer | undefined }[] = [];
  const missing: string[] = [];
  for (const [i, template] of req.config.layers.entries()) {
    const where = req.config.layerRefs[i] ?? { file: CONFIG_FILE };
    const dir = templateString(template, where);
    const resolved = await resolveLayer(dir, where, roots);
    if (resolved === undefined && !isTemplate(template)) {
      missing.push(
        `${at(where)}: layer ${JSON.stringify(template)} does not exist (a layer written without a template must ` +
          'exist; only templated layers such as "envs/{{cluster.metadata.labels.env}}" are optional)',
      );
    }
    out.push({ use: { template, where, dir, found: resolved !== undefined }, resolved });
  }
  if (missing.length > 0) throw new ConfigError(missing);
  return out;
}
