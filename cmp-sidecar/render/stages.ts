/**
 * The extension point of the render pipeline: stages that see every object after the layers are merged and
 * before the stream is serialized (secrets → ExternalSecrets, kro checks, ...). The stages of eks-overlay are
 * registered in ../stages.ts and handed to the pipeline, so render/ knows the interface, never the stages.
 */
import { ConfigError } from '../../core/errors';
import type { ArgoEnv, ClusterView, OverlayConfig, RenderedObject, SourceRef } from './types';

export interface StageContext {
  readonly cluster: ClusterView;
  /** Absolute, real path of the app directory. */
  readonly appDir: string;
  /** Absolute, real path no file may escape (the repository root when known, else the app directory). */
  readonly rootDir: string;
  readonly config: OverlayConfig;
  readonly env: ArgoEnv;
  /**
   * The command's whole environment (`Io.env`): sidecar settings such as EKS_OVERLAY_CRD_DIR and AWS_REGION. A
   * stage never reads `process.env`: the warm render server renders in-process with each client's environment.
   */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** A warning for the user, written to stderr (never a secret value). */
  readonly warn: (msg: string) => void;
  readonly debug: (msg: string) => void;
  /**
   * Renders one string with the same strict Handlebars the layers use (e.g. secret ids such as
   * `<path:{{cluster.metadata.labels.env}}/db#k>`); an unknown variable throws a RenderError naming `where`.
   */
  readonly templateString: (text: string, where: SourceRef) => string;
}

/** The top-level sections of eks-overlay.yaml that one stage owns, as written. */
export interface StageSections {
  /** The value of a top-level key as YAML read it: undefined when absent, null when written empty. */
  value(key: string): unknown;
  /** Where the key is written in eks-overlay.yaml (undefined when absent), for the stage's messages. */
  source(key: string): SourceRef | undefined;
}

/** What a stage reads from eks-overlay.yaml: the top-level keys it owns and how their values are validated. */
export interface StageConfig<Settings> {
  /** Top-level keys of eks-overlay.yaml; no two stages share one, and none is a key of the loader's own. */
  readonly keys: readonly string[];
  /**
   * Validates the stage's sections into its settings. Every problem is pushed to `issues`, each naming where it
   * is (`eks-overlay.yaml:12: secrets.mode ...`), so that the loader reports them with every other section's; the
   * settings returned along with issues are never used.
   */
  parse(sections: StageSections, issues: string[]): Settings;
}

/** A pipeline stage over the merged objects. Throw RenderError/SecretError/ValidationError to fail the render. */
export interface ObjectStage {
  readonly name: string;
  /** Its sections of eks-overlay.yaml, when it has any: the loader validates them with the rest of the file. */
  readonly config?: StageConfig<unknown>;
  run(objects: readonly RenderedObject[], ctx: StageContext): Promise<RenderedObject[]>;
}

/** The sections of a parsed eks-overlay.yaml, read by key. */
export function sectionsOf(config: OverlayConfig): StageSections {
  return {
    value: (key) => config[key],
    source: (key) => config.sources[key],
  };
}

/**
 * A stage's settings: those the loader validated with the rest of eks-overlay.yaml, or, for a config that did
 * not come through the loader (a stage driven on its own), its sections validated now (a ConfigError listing
 * every problem).
 */
export function stageSettings<Settings>(
  config: OverlayConfig,
  stageConfig: StageConfig<Settings>,
): Settings {
  const settings = config.stageSettings;
  if (settings?.has(stageConfig)) return settings.get(stageConfig) as Settings;
  const issues: string[] = [];
  const parsed = stageConfig.parse(sectionsOf(config), issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return parsed;
}
