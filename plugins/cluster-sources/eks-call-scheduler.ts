import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Scheduling of the EKS calls of one target (account × region): who may send, when.
 *
 * Design. The SDK's retry middleware asks its retry strategy for a token before the first attempt and again after
 * each failed one; the strategy may sleep the backoff there (the smithy `RetryStrategyV2` contract). So the slot a
 * call needs to send is taken *in the strategy* and given back as soon as an attempt ends:
 *
 * - `acquireInitialRetryToken` waits for a slot of the target (FIFO) and for the target's pace, then sends;
 * - `refreshRetryTokenForRetry` first gives the slot back, then lets the SDK's own strategy decide and compute the
 *   backoff (its classification, attempts, retry quota, exponential jitter and `Retry-After` /
 *   `x-amz-retry-after` hint, all unchanged), waits it holding nothing, and queues again at the back of the line;
 * - `recordSuccess` gives the slot back.
 *
 * A throttled call therefore costs a retry, not an idle slot, and the retry waits behind calls of its own target
 * only: targets never share slots, so one hard-throttled target cannot slow another down (each has
 * EKS_DESCRIBE_CONCURRENCY slots). Nothing here sends a call of its own; attempts are exactly the SDK's.
 *
 * Taking retries out of the SDK into a scheduler of our own would have meant rebuilding what the SDK's strategy
 * does (classification, quota, Retry-After parsing, attempt headers); wrapping it keeps all of that.
 *
 * The strategy cannot see the call's abort signal, so callers run their sends inside `withCallSignal`: a queued
 * call leaves the line when it aborts, and a held slot is given back when its call aborts (the middleware then
 * throws without telling the strategy).
 */

/** Time as the scheduler sees it; tests replace it to count calls per window without waiting. */
export interface SchedulerClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void>;
}

export const realClock: SchedulerClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

const callSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` so that every EKS call it makes leaves the queue, or frees its slot, when `signal` aborts. */
export function withCallSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return callSignal.run(signal, fn);
}

/**
 * The adaptive rate (AIMD) of one target. No limit until AWS throttles it; then, at most once per COOLDOWN_MS (the
 * throttles answering calls already sent are one event, as in TCP) and given at least MIN_THROTTLES throttled
 * attempts in the last second, the rate is cut to what AWS accepted over that second (attempts sent × the share
 * not throttled, and never above the current limit), and grows back by RECOVERY_PER_SECOND of the rate before the
 * cut every second: a cut is made good in a few seconds and the limit fades out between refreshes.
 *
 * Sending faster than an account's limit gets the excess throttled, so the accepted rate is the limit: the target
 * settles at it and probes 10 % above it per second. Cutting by a fixed factor on every throttle instead (the SDK's
 * adaptive mode, or β = 0.7 per second here at first) collapses a refresh under background throttling that our rate
 * does not cause: in the benchmark (5 % of calls throttled whatever the rate) a refresh took 19× the ideal. Operators
 * who need a hard guarantee for other tools in the account set EKS_MAX_RPS_PER_ACCOUNT.
 */
export class AdaptiveRate {
  static readonly COOLDOWN_MS = 1_000;
  static readonly RECOVERY_PER_SECOND = 0.1;
  static readonly MIN_THROTTLES = 8;
  static readonly TOLERATED_SHARE = 0.15;
  /** Never below one call every two seconds: a listing must still make progress. */
  static readonly MIN_RATE = 0.5;
  private static readonly WINDOW_MS = 1_000;

  private floor = Infinity;
  private step = 0;
  private cutAt = -Infinity;
  private cuts = 0;
  private readonly sends: number[] = [];
  private readonly throttles: number[] = [];

  /** Calls per second allowed at `now`; Infinity when not limited. */
  rateAt(now: number): number {
    if (this.floor === Infinity) return Infinity;
    return this.floor + (this.step * Math.max(0, now - this.cutAt)) / 1000;
  }

  /** How many times the rate was cut (for logs and tests). */
  get cutCount(): number {
    return this.cuts;
  }

  sent(at: number): void {
    this.sends.push(at);
    forget(this.sends, at - AdaptiveRate.WINDOW_MS);
  }

  throttled(now: number): void {
    this.throttles.push(now);
    forget(this.throttles, now - AdaptiveRate.WINDOW_MS);
    forget(this.sends, now - AdaptiveRate.WINDOW_MS);
    if (now - this.cutAt < AdaptiveRate.COOLDOWN_MS) return;
    const attempts = Math.max(this.sends.length, this.throttles.length);
    if (
      this.throttles.length < AdaptiveRate.MIN_THROTTLES ||
      this.throttles.length <= AdaptiveRate.TOLERATED_SHARE * attempts
    )
      return;
    const first = this.sends[0] ?? now;
    // Over less than a second (a first burst), the rate is what was sent over the time it took.
    const spanMs = Math.min(AdaptiveRate.WINDOW_MS, Math.max(100, now - first));
    const accepted = ((attempts - this.throttles.length) * 1000) / spanMs;
    const before = Math.max(AdaptiveRate.MIN_RATE, Math.min(this.rateAt(now), accepted));
    this.floor = before;
    this.step = AdaptiveRate.RECOVERY_PER_SECOND * before;
    this.cutAt = now;
    this.cuts++;
  }
}

/** Drops the times at or before `until` from the front of `times` (kept in order). */
function forget(times: number[], until: number): void {
  let drop = 0;
  while (drop < times.length && (times[drop] ?? 0) <= until) drop++;
  if (drop > 0) times.splice(0, drop);
}

/** A fixed ceiling shared by every target of one account (EKS_MAX_RPS_PER_ACCOUNT). */
export class AccountCap {
  /** Earliest time the next call of the account may go. */
  next = -Infinity;
  constructor(readonly ratePerSecond: number) {}
}

/** A slot held by one attempt; giving it back twice is harmless. */
interface Lease {
  release(): void;
}

interface Waiter {
  readonly grant: () => void;
  readonly signal: AbortSignal | undefined;
}

/** The slots and pace of one target. */
export class CallGate {
  private free: number;
  private readonly line: Waiter[] = [];
  private next = -Infinity;
  private throttles = 0;

  constructor(
    slots: number,
    readonly rate: AdaptiveRate,
    private readonly cap: AccountCap | undefined,
    private readonly clock: SchedulerClock,
  ) {
    this.free = slots;
  }

  /** Throttled attempts seen so far (for logs and tests). */
  get throttledAttempts(): number {
    return this.throttles;
  }

  /** The adaptive limit now, calls per second (Infinity: none). */
  currentRate(): number {
    return this.rate.rateAt(this.clock.now());
  }

  /** Waits for a slot (first come, first served), then for the pace; the slot is kept until released. */
  async enter(signal: AbortSignal | undefined): Promise<Lease> {
    await this.slot(signal);
    let released = false;
    const onAbort = () => lease.release();
    const lease: Lease = {
      release: () => {
        if (released) return;
        released = true;
        signal?.removeEventListener('abort', onAbort);
        this.leave();
      },
    };
    try {
      await this.pace(signal);
    } catch (e) {
      lease.release();
      throw e;
    }
    if (signal?.aborted) {
      lease.release();
      throw abortReason(signal);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    return lease;
  }

  noteThrottle(): void {
    this.throttles++;
    this.rate.throttled(this.clock.now());
  }

  private slot(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.free > 0 && this.line.length === 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.line.indexOf(waiter);
        if (i >= 0) this.line.splice(i, 1);
        reject(abortReason(signal));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        signal,
      };
      this.line.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private leave(): void {
    const waiter = this.line.shift();
    if (waiter === undefined) this.free++;
    else waiter.grant();
  }

  /** Reserves the earliest send time both the target's rate and the account's cap allow, and waits for it. */
  private async pace(signal: AbortSignal | undefined): Promise<void> {
    const now = this.clock.now();
    const rate = this.rate.rateAt(now);
    let at = now;
    if (rate !== Infinity) at = Math.max(at, this.next);
    if (this.cap !== undefined) at = Math.max(at, this.cap.next);
    if (rate !== Infinity) this.next = at + 1000 / rate;
    if (this.cap !== undefined) this.cap.next = at + 1000 / this.cap.ratePerSecond;
    this.rate.sent(at);
    if (at > now) await this.clock.sleep(at - now, signal);
  }
}

/** A retry token that also holds the slot of the attempt it allows. */
class LeasedToken implements RetryToken {
  constructor(
    readonly inner: RetryToken,
    readonly lease: Lease,
  ) {}
  getRetryCount(): number {
    return this.inner.getRetryCount();
  }
  /** The backoff has been waited already, outside the slot. */
  getRetryDelay(): number {
    return 0;
  }
  /** Read by the middleware for `$metadata.totalRetryDelay`. */
  get $retryLog(): { acquisitionDelay?: number } {
    return this.inner.$retryLog ?? {};
  }
}

/** The SDK's retry strategy (`inner`) with the slot handling described at the top of this file. */
export class SlotReleasingRetryStrategy implements RetryStrategyV2 {
  constructor(
    private readonly inner: RetryStrategyV2,
    private readonly gate: CallGate,
    private readonly clock: SchedulerClock,
  ) {}

  async acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    const signal = callSignal.getStore();
    const lease = await this.gate.enter(signal);
    try {
      return new LeasedToken(await this.inner.acquireInitialRetryToken(scope), lease);
    } catch (e) {
      lease.release();
      throw e;
    }
  }

  async refreshRetryTokenForRetry(
    token: RetryToken,
    errorInfo: RetryErrorInfo,
  ): Promise<RetryToken> {
    const leased = token as LeasedToken;
    leased.lease.release();
    if (errorInfo.errorType === 'THROTTLING') this.gate.noteThrottle();
    const signal = callSignal.getStore();
    // Throws when the SDK will not retry (not retryable, attempts or quota spent): the call fails as it always did.
    const next = await this.inner.refreshRetryTokenForRetry(leased.inner, errorInfo);
    // @smithy/core's strategies sleep inside refresh; others hand the delay to the middleware. Either way it is
    // waited here, holding no slot.
    const delay = next.getRetryDelay();
    if (delay > 0) await this.clock.sleep(delay, signal);
    return new LeasedToken(next, await this.gate.enter(signal));
  }

  recordSuccess(token: RetryToken): void {
    const leased = token as LeasedToken;
    leased.lease.release();
    this.inner.recordSuccess(leased.inner);
  }
}

/** Why a call stopped waiting: the abort's own reason (a listing's failure, the refresh deadline). */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error(`aborted: ${String(reason)}`);
}
