import type { Io } from './io';
import { kroStage } from './kro/stage';
import { createPolicyStage } from './policy/stage';
import type { ObjectStage } from './render/stages';
import { secretsStage } from './secrets/stage';

/**
 * eks-overlay's object stages, in the order they run: after the overlay merge, before sorting and serialization.
 * Secrets first (it turns Secrets into ExternalSecrets), then kro (it validates what will be applied), then the
 * admission policies (they review what will be applied, last). The commands hand this list to the config loader
 * (each stage's sections of eks-overlay.yaml) and to the pipeline.
 *
 * This list evaluates only an app's own `policies.paths`; renders build theirs with `objectStagesFor(io)`, whose
 * policy stage also reads the sidecar-wide directories from `io.env` and reports to `io.onPolicyReport`.
 */
export const objectStages: readonly ObjectStage[] = [secretsStage, kroStage, createPolicyStage()];

/** The stages of one render with the environment and callbacks of `io` (never process.env). */
export function objectStagesFor(io: Io): readonly ObjectStage[] {
  return [
    secretsStage,
    kroStage,
    createPolicyStage({
      env: io.env,
      ...(io.onPolicyReport === undefined ? {} : { onReport: io.onPolicyReport }),
      ...(io.oldObjects === undefined ? {} : { oldObjects: io.oldObjects }),
    }),
  ];
}
