/**
 * The extension point of the render pipeline: stages that see every object after the layers are merged and
 * before the stream is serialized (secrets → ExternalSecrets, kro checks, ...). Registered in object-stages.ts.
 */
import type { ArgoEnv, ClusterView, OverlayConfig, RenderedObject, SourceRef } from './types';

export interface StageContext {
  readonly cluster: ClusterView;
  /** Absolute, real path of the app directory. */
  readonly appDir: string;
  /** Absolute, real path no file may escape (the repository root when known, else the app directory). */
  readonly rootDir: string;
  readonly config: OverlayConfig;
  readonly env: ArgoEnv;
  /** A warning for the user, written to stderr (never a secret value). */
  readonly warn: (msg: string) => void;
  readonly debug: (msg: string) => void;
  /**
   * Renders one string with the same strict Handlebars the layers use (e.g. secret ids such as
   * `<path:{{cluster.metadata.labels.env}}/db#k>`); an unknown variable throws a RenderError naming `where`.
   */
  readonly templateString: (text: string, where: SourceRef) => string;
}

/** A pipeline stage over the merged objects. Throw RenderError/SecretError/ValidationError to fail the render. */
export interface ObjectStage {
  readonly name: string;
  run(objects: readonly RenderedObject[], ctx: StageContext): Promise<RenderedObject[]>;
}
