import { kroStage } from '../kro/stage';
import { secretsStage } from '../secrets/stage';
import type { ObjectStage } from './stages';

/**
 * The object stages, in order. They run after the overlay merge and before sorting and serialization.
 * Secrets first (it turns Secrets into ExternalSecrets), then kro (it validates what will be applied).
 */
export const objectStages: readonly ObjectStage[] = [secretsStage, kroStage];
