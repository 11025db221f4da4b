/**
 * The data a render works on and is given: objects with where they came from, the cluster view, Argo CD's
 * environment and eks-overlay.yaml as parsed. The pipeline's stages (stages.ts) and the layers above render/
 * (commands, config, argocd-env) share them; render/ defines them so that it imports nothing from above.
 */

/** A Kubernetes object as parsed from YAML: a JSON-compatible map with at least `apiVersion` and `kind`. */
export type ManifestObject = Record<string, unknown>;

/** Where an object (or a value in it) came from, relative to the app directory (`base/deploy.yaml`). */
export interface SourceRef {
  readonly file: string;
  readonly line?: number;
}

/** One object of the render with the file and line of the document that last defined or patched it. */
export interface RenderedObject {
  readonly object: ManifestObject;
  readonly source: SourceRef;
}

/**
 * What templates and stages see as `cluster`: the generator's parameter set without `clusterContext`
 * (core/cluster.ts ClusterContext), possibly partial or extended by the `cluster` map parameter.
 */
export type ClusterView = Readonly<Record<string, unknown>>;

/** One entry of ARGOCD_APP_PARAMETERS (argocd-contract.md §B6); only the keys Argo CD set are present. */
export interface AppParameter {
  readonly name: string;
  readonly string?: string;
  readonly array?: readonly string[];
  readonly map?: Readonly<Record<string, string>>;
}

/** The Argo CD build environment of one generate call (argocd-contract.md §B5, §B6), typed. */
export interface ArgoEnv {
  readonly appName: string;
  /** The *destination* namespace of the Application, not the Application's own namespace. */
  readonly appNamespace: string;
  readonly projectName: string;
  readonly revision: string;
  readonly revisionShort: string;
  readonly sourceRepoUrl: string;
  readonly sourcePath: string;
  readonly targetRevision: string;
  /** `major.minor.patch`, empty when Argo CD does not know it. */
  readonly kubeVersion: string;
  readonly kubeApiVersions: readonly string[];
  /** `spec.source.plugin.env` entries: ARGOCD_ENV_<name> without the prefix. */
  readonly userEnv: Readonly<Record<string, string>>;
  /** Parsed ARGOCD_APP_PARAMETERS; empty when unset or the string `null`. */
  readonly parameters: readonly AppParameter[];
  /**
   * `EKS_OVERLAY_PREVIEW_SECRETS=reference` (set by `eks-overlay preview`, never by Argo CD): inline-mode
   * placeholders stay as written (secret id and key) instead of being fetched.
   */
  readonly secretsByReference?: boolean;
}

/** eks-overlay.yaml, parsed. Sections owned by stages stay as YAML read them; each stage validates its own. */
export interface OverlayConfig {
  /** Layer path templates as written (`envs/{{cluster.metadata.labels.env}}`). */
  readonly layers: readonly string[];
  /** Where each layer entry is written in eks-overlay.yaml (same order as `layers`). */
  readonly layerRefs: readonly SourceRef[];
  readonly allowEmpty: boolean;
  /** How layer files are read: `duplicateKeys` `warn` (the default: the last wins, as in Argo CD) or `error`. */
  readonly yaml?: { readonly duplicateKeys: 'warn' | 'error' };
  /** Parameters the app declares (announced to Argo CD, visible to templates as `params.<name>`). */
  readonly parameters: readonly ParameterDeclaration[];
  /** Where each top-level key of eks-overlay.yaml was written, for stages' error messages. */
  readonly sources: Readonly<Record<string, SourceRef>>;
  /**
   * Each stage's settings, validated when eks-overlay.yaml was loaded, by the stage's config (render/stages.ts
   * `stageSettings` reads them); absent for a config parsed without its stages.
   */
  readonly stageSettings?: ReadonlyMap<object, unknown>;
  /** The sections owned by stages (`secrets:`, `kro:`, `instances:`, ...), by key, as YAML read them. */
  readonly [stageSection: string]: unknown;
}

export interface ParameterDeclaration {
  readonly name: string;
  readonly title?: string;
  readonly tooltip?: string;
  readonly required: boolean;
  readonly collectionType: 'string' | 'array' | 'map';
  readonly string?: string;
  readonly array?: readonly string[];
  readonly map?: Readonly<Record<string, string>>;
}
