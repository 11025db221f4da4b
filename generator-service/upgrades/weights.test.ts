import type { Weights } from './status';
import { isSafe, nextWeightWrite } from './weights';

/** Every intermediate state on the way from `from` to `to`, one write at a time. */
function path(from: Weights, to: Weights): Weights[] {
  const out: Weights[] = [];
  let w = from;
  for (let write = nextWeightWrite(w, to); write !== undefined; write = nextWeightWrite(w, to)) {
    w = { ...w, [write.color]: write.weight };
    out.push(w);
  }
  return out;
}

describe('the order of the two tag writes', () => {
  it('raises green before lowering blue on the way up', () => {
    expect(path({ blue: 90, green: 10 }, { blue: 75, green: 25 })).toEqual([
      { blue: 90, green: 25 },
      { blue: 75, green: 25 },
    ]);
  });

  it('raises blue before lowering green on a rollback', () => {
    expect(path({ blue: 50, green: 50 }, { blue: 100, green: 0 })).toEqual([
      { blue: 100, green: 50 },
      { blue: 100, green: 0 },
    ]);
  });

  it('keeps every pair safe (sum ≥ 100, never both 0) between any two steps, from any safe start', () => {
    const steps = [0, 10, 25, 33, 50, 75, 90, 100];
    const starts: Weights[] = [
      { blue: 100, green: 0 },
      { blue: 100, green: 100 }, // an untagged green counts as 100
      { blue: 100, green: 10 }, // half-done step
      ...steps.map((g) => ({ blue: 100 - g, green: g })),
    ];
    for (const from of starts) {
      for (const g of steps) {
        for (const w of path(from, { blue: 100 - g, green: g })) expect(isSafe(w)).toBe(true);
      }
    }
  });

  it('writes nothing when the weights are already there', () => {
    expect(nextWeightWrite({ blue: 75, green: 25 }, { blue: 75, green: 25 })).toBeUndefined();
  });
});
