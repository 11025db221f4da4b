import type { SchedulerClock } from './eks-call-scheduler';
import { AccountCap, AdaptiveRate, CallGate } from './eks-call-scheduler';

/** A clock that only moves when the code under test sleeps: counts per window are exact, nothing waits. */
function manualClock(): SchedulerClock & { advance(ms: number): void } {
  let t = 0;
  return {
    now: () => t,
    sleep: (ms) => {
      const until = t + ms;
      return new Promise((resolve) =>
        setImmediate(() => {
          t = Math.max(t, until);
          resolve();
        }),
      );
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** Calls per window of `windowMs`, from the times they were let through. */
function perWindow(times: readonly number[], windowMs: number): number[] {
  const counts = new Map<number, number>();
  for (const t of times) {
    const w = Math.floor(t / windowMs);
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts.values()];
}

describe('CallGate', () => {
  it('lets at most its slots through at once, first come first served', async () => {
    const gate = new CallGate(2, new AdaptiveRate(), undefined, manualClock());
    const order: string[] = [];
    const a = await gate.enter(undefined);
    const b = await gate.enter(undefined);
    const c = gate.enter(undefined).then((l) => (order.push('c'), l));
    const d = gate.enter(undefined).then((l) => (order.push('d'), l));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    a.release();
    a.release(); // twice is harmless: still one slot freed
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['c']);
    b.release();
    (await c).release();
    (await d).release();
    expect(order).toEqual(['c', 'd']);
  });

  it('drops a queued call that aborts, and frees the slot of a call that aborts while holding it', async () => {
    const gate = new CallGate(1, new AdaptiveRate(), undefined, manualClock());
    const holder = new AbortController();
    await gate.enter(holder.signal);
    const queued = new AbortController();
    const waiting = gate.enter(queued.signal);
    queued.abort(new Error('listing failed'));
    await expect(waiting).rejects.toThrow('listing failed');
    holder.abort(new Error('deadline'));
    // The held slot came back: the next call gets it at once.
    const next = await gate.enter(undefined);
    next.release();
  });

  it('honours the account cap across the targets sharing it: never more than the cap per second', async () => {
    const clock = manualClock();
    const cap = new AccountCap(10);
    const east = new CallGate(8, new AdaptiveRate(), cap, clock);
    const west = new CallGate(8, new AdaptiveRate(), cap, clock);
    const sent: number[] = [];
    for (let i = 0; i < 45; i++) {
      const lease = await (i % 2 === 0 ? east : west).enter(undefined);
      sent.push(clock.now());
      lease.release();
    }
    expect(Math.max(...perWindow(sent, 1000))).toBeLessThanOrEqual(10);
    // And not slower than the cap: 45 calls, 10 a second, the first at once.
    expect(clock.now()).toBe(4400);
  });

  it('sends without waiting while AWS has not throttled and no cap is set', async () => {
    const clock = manualClock();
    const gate = new CallGate(4, new AdaptiveRate(), undefined, clock);
    for (let i = 0; i < 100; i++) (await gate.enter(undefined)).release();
    expect(clock.now()).toBe(0);
    expect(gate.currentRate()).toBe(Infinity);
  });
});

describe('AdaptiveRate', () => {
  /** One second of `perSecond` attempts from `from`, every `throttleEvery`-th throttled. */
  function second(rate: AdaptiveRate, from: number, perSecond: number, throttleEvery: number) {
    for (let i = 0; i < perSecond; i++) {
      const at = from + (i * 1000) / perSecond;
      rate.sent(at);
      if (throttleEvery > 0 && i % throttleEvery === throttleEvery - 1) rate.throttled(at);
    }
  }

  it('comes down to the rate AWS accepted when a large share is throttled, then recovers slowly', () => {
    const rate = new AdaptiveRate();
    second(rate, 0, 100, 2); // half of 100 calls/s throttled
    expect(rate.cutCount).toBe(1);
    const cut = rate.rateAt(1000);
    expect(cut).toBeLessThan(100);
    expect(cut).toBeGreaterThan(10);
    // Recovery: about a tenth of the rate before the cut per second, not a jump back.
    expect(rate.rateAt(2000)).toBeGreaterThan(cut);
    expect(rate.rateAt(2000)).toBeLessThan(cut * 1.5);
    expect(rate.rateAt(60_000)).toBeGreaterThan(100);
  });

  it('cuts at most once per second of throttles (one congestion event)', () => {
    const rate = new AdaptiveRate();
    second(rate, 0, 100, 1); // every call throttled
    expect(rate.cutCount).toBe(1);
    second(rate, 1000, 100, 1);
    expect(rate.cutCount).toBe(2);
  });

  it('keeps its pace under a small share of scattered throttles (a retry each, not a slowdown)', () => {
    const rate = new AdaptiveRate();
    for (let s = 0; s < 10; s++) second(rate, s * 1000, 160, 20); // 5 % throttled
    expect(rate.cutCount).toBe(0);
    expect(rate.rateAt(10_000)).toBe(Infinity);
  });
});
