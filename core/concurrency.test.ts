import { mapWithConcurrency, settleWithConcurrency } from './concurrency';

/** A task whose completion the test controls, to observe how many run at once without timing. */
function gate() {
  let inFlight = 0;
  let maxInFlight = 0;
  const waiting: (() => void)[] = [];
  const task = async (x: number) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight--;
    if (x < 0) throw new Error(`bad ${x}`);
    return x * 2;
  };
  const drain = async (p: Promise<unknown>) => {
    let done = false;
    void p.then(
      () => (done = true),
      () => (done = true),
    );
    while (!done) {
      await new Promise((r) => setImmediate(r));
      waiting.splice(0).forEach((f) => f());
    }
  };
  return { task, drain, max: () => maxInFlight, started: () => inFlight };
}

describe('mapWithConcurrency', () => {
  it('never runs more than the limit at once and keeps input order', async () => {
    const g = gate();
    const p = mapWithConcurrency([1, 2, 3, 4, 5, 6, 7], 3, g.task);
    await g.drain(p);
    await expect(p).resolves.toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(g.max()).toBe(3);
  });

  it('stops starting tasks after a failure and rejects with it', async () => {
    const calls: number[] = [];
    const p = mapWithConcurrency([1, -2, 3, 4, 5], 1, (x) => {
      calls.push(x);
      return x < 0 ? Promise.reject(new Error(`bad ${x}`)) : Promise.resolve(x);
    });
    await expect(p).rejects.toThrow('bad -2');
    expect(calls).toEqual([1, -2]);
  });

  it('handles an empty list', async () => {
    await expect(mapWithConcurrency([], 4, () => Promise.resolve(1))).resolves.toEqual([]);
  });
});

describe('settleWithConcurrency', () => {
  it('runs every task and reports each outcome', async () => {
    const out = await settleWithConcurrency([1, -1, 2], 2, (x) =>
      x < 0 ? Promise.reject(new Error('no')) : Promise.resolve(x),
    );
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
