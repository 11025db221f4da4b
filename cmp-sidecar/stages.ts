import { kroStage } from './kro/stage';
import type { ObjectStage } from './render/stages';
import { secretsStage } from './secrets/stage';

/**
 * eks-overlay's object stages, in the order they run: after the overlay merge, before sorting and serialization.
 * Secrets first (it turns Secrets into ExternalSecrets), then kro (it validates what will be applied). The commands
 * hand this list to the config loader (each stage's sections of eks-overlay.yaml) and to the pipeline.
 */
export const objectStages: readonly ObjectStage[] = [secretsStage, kroStage];
