import { describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { LeaseRecord, LeaseStore } from './stores';
import { statusOf } from './stores';

export interface LeaderElectorOptions {
  readonly store: LeaseStore;
  readonly leaseName: string;
  readonly identity: string;
  readonly durationSeconds: number;
  readonly log: Logger;
  readonly now?: () => number;
  readonly onChange?: (leading: boolean) => void;
  /** Who elects, in log messages (default `registrar`): the upgrade controller uses the same election. */
  readonly component?: string;
}

/**
 * Lease-based leader election in the manner of client-go's leaderelection:
 * - the holder renews every duration/3; a renewal (or acquisition) is a replace carrying the resourceVersion read
 *   just before, so of two candidates writing the same version exactly one succeeds (409 for the other);
 * - a candidate takes over a lease only when it is released (no holder) or when this process has seen it unchanged
 *   for a whole lease duration on its own clock (no trust in the other pod's clock);
 * - the holder stops leading as soon as it has not renewed for 2/3 of the duration, well before anyone else
 *   may take over, so two leaders never overlap while clocks run at the same rate;
 * - stop() releases the lease so a successor takes over at its next attempt instead of waiting for expiry.
 */
export class LeaderElector {
  private readonly now: () => number;
  private lastRenewAt: number | undefined;
  /** The last lease version seen and when this process first saw it. */
  private observed: { resourceVersion: string; at: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private inflight: Promise<boolean> | undefined;
  private stopped = false;
  private wasLeading = false;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.now = opts.now ?? Date.now;
  }

  private get component(): string {
    return this.opts.component ?? 'registrar';
  }

  private get durationMs(): number {
    return this.opts.durationSeconds * 1000;
  }

  /** True while this process holds a lease renewed within the renew deadline (2/3 of the duration). */
  isLeader(): boolean {
    return (
      !this.stopped &&
      this.lastRenewAt !== undefined &&
      this.now() - this.lastRenewAt < (this.durationMs * 2) / 3
    );
  }

  /** One election round: acquire, renew or observe. Never throws; a call during a round joins that round. */
  tryAcquireOrRenew(): Promise<boolean> {
    this.inflight ??= this.guardedRound().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async guardedRound(): Promise<boolean> {
    try {
      await this.round();
    } catch (e) {
      this.opts.log.warn(`${this.component} lease round failed`, {
        lease: this.opts.leaseName,
        error: describeError(e),
      });
    }
    this.notify();
    return this.isLeader();
  }

  /** Runs rounds every duration/3 until stop(); resolves once the first round is done. */
  start(): Promise<void> {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tryAcquireOrRenew().then(() => {
        if (this.stopped) return;
        this.timer = setTimeout(loop, this.durationMs / 3);
        this.timer.unref();
      });
    };
    loop();
    return this.running ?? Promise.resolve();
  }

  /** Stops the loop and, when leading, releases the lease. */
  async stop(): Promise<void> {
    const wasLeader = this.isLeader();
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.inflight;
    if (wasLeader) {
      try {
        const lease = await this.opts.store.get(this.opts.leaseName);
        if (lease?.holderIdentity === this.opts.identity) {
          await this.opts.store.replace(
            this.opts.leaseName,
            {
              holderIdentity: undefined,
              leaseDurationSeconds: 1,
              acquireTime: lease.acquireTime,
              renewTime: new Date(this.now()),
              leaseTransitions: lease.leaseTransitions,
            },
            lease.resourceVersion,
          );
          this.opts.log.info(`${this.component} released leadership`, {
            lease: this.opts.leaseName,
          });
        }
      } catch (e) {
        this.opts.log.warn(
          `${this.component} could not release the lease; a successor waits for expiry`,
          {
            lease: this.opts.leaseName,
            error: describeError(e),
          },
        );
      }
    }
    this.lastRenewAt = undefined;
    this.notify();
  }

  private async round(): Promise<void> {
    const { store, leaseName, identity, durationSeconds } = this.opts;
    const now = this.now();
    const lease = await store.get(leaseName);
    if (lease === undefined) {
      await this.write(() =>
        store.create(leaseName, {
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: new Date(now),
          renewTime: new Date(now),
          leaseTransitions: 0,
        }),
      );
      return;
    }
    if (this.observed?.resourceVersion !== lease.resourceVersion) {
      this.observed = { resourceVersion: lease.resourceVersion, at: now };
    }
    const holder = lease.holderIdentity ?? '';
    if (holder === identity) {
      await this.write(() =>
        store.replace(
          leaseName,
          { ...specOf(lease), renewTime: new Date(now) },
          lease.resourceVersion,
        ),
      );
      return;
    }
    // Our own leadership ended if someone else holds the lease now.
    this.lastRenewAt = undefined;
    const heldFor = (lease.leaseDurationSeconds ?? durationSeconds) * 1000;
    const expired = holder === '' || now - this.observed.at >= heldFor;
    if (!expired) return;
    await this.write(() =>
      store.replace(
        leaseName,
        {
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: new Date(now),
          renewTime: new Date(now),
          leaseTransitions: (lease.leaseTransitions ?? 0) + 1,
        },
        lease.resourceVersion,
      ),
    );
  }

  /** A write that loses the race (409) means another candidate holds the lease: not an error. */
  private async write(fn: () => Promise<void>): Promise<void> {
    const started = this.now();
    try {
      await fn();
      this.lastRenewAt = started;
    } catch (e) {
      if (statusOf(e) === 409) {
        this.lastRenewAt = undefined;
        return;
      }
      throw e;
    }
  }

  private notify(): void {
    const leading = this.isLeader();
    if (leading === this.wasLeading) return;
    this.wasLeading = leading;
    this.opts.log.info(
      leading ? `${this.component} became leader` : `${this.component} is not leader`,
      {
        lease: this.opts.leaseName,
        identity: this.opts.identity,
      },
    );
    this.opts.onChange?.(leading);
  }
}

function specOf(l: LeaseRecord) {
  return {
    holderIdentity: l.holderIdentity,
    leaseDurationSeconds: l.leaseDurationSeconds,
    acquireTime: l.acquireTime,
    renewTime: l.renewTime,
    leaseTransitions: l.leaseTransitions,
  };
}
