import { kroStage } from '../kro/stage';
import type { ObjectStage } from './stages';

/**
 * The object stages, in order. They run after the overlay merge and before sorting and serialization.
 * Secrets first (it turns Secrets into ExternalSecrets), then kro (it validates what will be applied).
 */
export const objectStages: readonly ObjectStage[] = [
  // secretsStage (cmp-sidecar/secrets/stage.ts) and kroStage (cmp-sidecar/kro/stage.ts) go here, in that order.
  kroStage,
];
