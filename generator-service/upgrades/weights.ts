/**
 * The order of the two tag writes of a step. Weighted DNS splits evenly when every weight is 0, and serves less than
 * the whole when the pair sums below 100, so the weight that rises is written first and the one that falls second:
 * between the writes the pair sums to more than 100, never less, and is never both 0.
 */
import type { Color, Weights } from './status';

export interface WeightWrite {
  readonly color: Color;
  readonly weight: number;
}

/** The next write toward `target` from `current`, or undefined when they are equal. */
export function nextWeightWrite(current: Weights, target: Weights): WeightWrite | undefined {
  const rising: Color = target.green > current.green ? 'green' : 'blue';
  const falling: Color = rising === 'green' ? 'blue' : 'green';
  if (current[rising] !== target[rising]) return { color: rising, weight: target[rising] };
  if (current[falling] !== target[falling]) return { color: falling, weight: target[falling] };
  return undefined;
}

/** What weighted routing needs at every instant: a sum of at least 100 and not both 0. */
export function isSafe(w: Weights): boolean {
  return w.blue + w.green >= 100 && !(w.blue === 0 && w.green === 0);
}
