import type { EKSClient } from '@aws-sdk/client-eks';
import { setMaxListeners } from 'node:events';
import type { ClusterRecord } from '../../core/cluster';
import { SourceForbiddenError, SourceUnavailableError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { AddonDefaultsCache } from './eks-addons';
import type { CallGate } from './eks-call-scheduler';
import { settleWithConcurrency } from '../../core/concurrency';
import type { EksConfig } from './eks-config';
import { describeAwsError } from './eks-errors';
import type { TargetListing } from './eks-list-target';
import { listTarget } from './eks-list-target';
import { kubernetesMinor } from './eks-record';
import type { ClusterSource, SourceContext, SourceLoad, SourcePart } from './source';

/** One account × region, with the client that lists it. */
export interface EksTarget {
  readonly region: string;
  /** The role assumed to reach the account; undefined for the service's own account. */
  readonly roleArn: string | undefined;
  /** Known up front for assumed roles (from the ARN); learned from STS for the own account. */
  readonly accountId: string | undefined;
  readonly eks: EKSClient;
  /** The slots and pace of this target's calls (eks-call-scheduler.ts). */
  readonly gate: CallGate;
}

export interface EksSourceParts {
  readonly config: EksConfig;
  readonly targets: readonly EksTarget[];
  readonly resolveOwnAccount: (signal: AbortSignal) => Promise<string>;
  readonly addons: AddonDefaultsCache;
  readonly now: () => number;
  /** Closes every SDK client (keep-alive sockets). */
  readonly destroy: () => void;
}

interface TargetState {
  readonly target: EksTarget;
  accountId: string | undefined;
  /** The last successful listing; undefined until one succeeds. */
  records: readonly ClusterRecord[] | undefined;
  lastSuccessAt: number | undefined;
  lastError: string | undefined;
  forbidden: boolean;
  /** The last successful listing's ListClusters pages and API calls (pages + DescribeCluster calls). */
  lastRefresh?: { pages: number; calls: number };
}

/** How many failing targets a 503 message names before it summarises the rest. */
const NAMED_IN_MESSAGE = 5;

/**
 * EKS discovery. Each target keeps its last good listing: a failed refresh changes nothing but the
 * target's error, so a cluster leaves only when a successful listing of its target no longer has it.
 */
export class EksClusterSource implements ClusterSource {
  readonly kind = 'eks' as const;
  readonly refreshIntervalMs: number;
  /** Deadline of one refresh (EKS_REFRESH_TIMEOUT_SECONDS); a caller's own load timeout should be longer. */
  readonly refreshTimeoutMs: number;
  readonly maxStaleMs?: number;
  private readonly states: TargetState[];
  private running: Promise<SourceLoad> | undefined;

  constructor(private readonly p: EksSourceParts) {
    this.refreshIntervalMs = p.config.refreshIntervalMs;
    this.refreshTimeoutMs = p.config.refreshTimeoutMs;
    if (p.config.maxStaleMs > 0) this.maxStaleMs = p.config.maxStaleMs;
    this.states = p.targets.map((target) => ({
      target,
      accountId: target.accountId,
      records: undefined,
      lastSuccessAt: undefined,
      lastError: undefined,
      forbidden: false,
    }));
  }

  /** One refresh of every target. A call while one runs shares it rather than starting another. */
  load(ctx: SourceContext): Promise<SourceLoad> {
    this.running ??= this.refresh(ctx).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Ids of the parts, in target order (for operators and tests). */
  partIds(): string[] {
    return this.states.map((s) => partId(s));
  }

  /** How each target's calls are paced (eks-call-scheduler.ts), in target order: for logs, tests and the benchmark. */
  callPacing(): Array<{
    readonly part: string;
    readonly ratePerSecond: number | null;
    readonly rateCuts: number;
    readonly throttledAttempts: number;
  }> {
    return this.states.map((s) => ({
      part: partId(s),
      ratePerSecond: finiteOrNull(s.target.gate.currentRate()),
      rateCuts: s.target.gate.rate.cutCount,
      throttledAttempts: s.target.gate.throttledAttempts,
    }));
  }

  close(): void {
    this.p.destroy();
  }

  private async refresh(ctx: SourceContext): Promise<SourceLoad> {
    // Armed before the first await, so that it fires before a caller's own timeout of the same length.
    const deadline = startDeadline(this.refreshTimeoutMs, ctx.signal);
    // One listener per target in flight, plus the add-on lookups' calls (4 at a time) and a shared STS call;
    // Node's default of 10 would only print a MaxListenersExceededWarning.
    setMaxListeners(this.p.config.targetConcurrency + 16, deadline.signal);
    try {
      return await this.refreshWithin(deadline, ctx);
    } finally {
      deadline.cancel();
    }
  }

  private async refreshWithin(deadline: Deadline, ctx: SourceContext): Promise<SourceLoad> {
    const started = this.p.now();
    await settleWithConcurrency(this.states, this.p.config.targetConcurrency, (s) =>
      this.refreshTarget(s, deadline, ctx),
    );

    const records = this.collectRecords(ctx.log);
    const parts = this.states.map((s) => toPart(s));
    const neverLoaded = this.states.filter((s) => s.lastSuccessAt === undefined);
    const failed = this.states.filter((s) => s.lastError !== undefined);
    ctx.log.info('eks refresh finished', {
      targets: this.states.length,
      failedTargets: failed.length,
      notYetLoaded: neverLoaded.length,
      clusters: records.length,
      durationMs: this.p.now() - started,
    });
    if (neverLoaded.length > 0) throw notReadyError(neverLoaded);

    const versions = [
      ...new Set(records.map((r) => kubernetesMinor(r.version)).filter((v) => v !== undefined)),
    ];
    try {
      // The defaults of a version answered late are kept for the next refresh; this one goes without them.
      const { failures, kept } = await Promise.race([
        this.p.addons.refresh(versions, deadline.signal),
        deadline.expired,
      ]);
      for (const f of failures) {
        ctx.log.warn('eks add-on defaults refresh failed', {
          kubernetesVersion: f.kubernetesVersion,
          error: f.error,
          keptPrevious: f.keptPrevious,
        });
      }
      for (const k of kept) {
        ctx.log.warn(
          'eks add-on defaults: add-ons missing from the answer keep their last default',
          {
            kubernetesVersion: k.kubernetesVersion,
            addons: k.addons,
          },
        );
      }
    } catch (e) {
      ctx.log.warn('eks add-on defaults refresh failed', { error: describeAwsError(e).message });
    }
    // A version never looked up is simply absent: the generator refuses add-on requests for its clusters (503).
    return { records, parts, addonDefaults: this.p.addons.defaultsFor(versions) };
  }

  private async refreshTarget(
    s: TargetState,
    deadline: Deadline,
    ctx: SourceContext,
  ): Promise<void> {
    const started = this.p.now();
    const region = s.target.region;
    const throttledBefore = s.target.gate.throttledAttempts;
    try {
      if (deadline.signal.aborted) throw deadline.signal.reason;
      // A listing still running at the deadline is abandoned (its calls aborted, its answer never used), even
      // if something in it ignores the abort signal (a credentials provider waiting on STS).
      const listing = await Promise.race([this.listOnce(s, deadline.signal), deadline.expired]);
      s.records = listing.records;
      s.lastSuccessAt = this.p.now();
      s.lastError = undefined;
      s.forbidden = false;
      s.lastRefresh = { pages: listing.pages, calls: listing.pages + listing.listed };
      ctx.log.info('eks target listed', {
        target: partId(s),
        accountId: s.accountId,
        region,
        listed: listing.listed,
        enrolled: listing.records.length,
        notEnrolled: listing.notEnrolled,
        withoutEndpoint: listing.withoutEndpoint,
        vanished: listing.vanished,
        pages: listing.pages,
        throttledAttempts: s.target.gate.throttledAttempts - throttledBefore,
        // The adaptive limit after this listing; null when AWS has not throttled the target recently.
        callRatePerSecond: finiteOrNull(s.target.gate.currentRate()),
        durationMs: this.p.now() - started,
      });
    } catch (e) {
      const failure = describeAwsError(e);
      s.forbidden = failure.forbidden;
      s.lastError = failure.forbidden ? `access denied: ${failure.message}` : failure.message;
      ctx.log.warn('eks target refresh failed', {
        target: partId(s),
        region,
        error: s.lastError,
        forbidden: failure.forbidden,
        // Its clusters stay as last listed: stale, never dropped because of a fault.
        stale: s.records !== undefined,
        keptClusters: s.records?.length ?? 0,
        staleForMs: s.lastSuccessAt === undefined ? undefined : this.p.now() - s.lastSuccessAt,
        throttledAttempts: s.target.gate.throttledAttempts - throttledBefore,
        callRatePerSecond: finiteOrNull(s.target.gate.currentRate()),
        durationMs: this.p.now() - started,
      });
    }
  }

  private async listOnce(s: TargetState, signal: AbortSignal): Promise<TargetListing> {
    s.accountId ??= await this.p.resolveOwnAccount(signal);
    return listTarget(s.target.eks, {
      region: s.target.region,
      accountId: s.accountId,
      selector: this.p.config.enrollSelector,
      nameTemplate: this.p.config.nameTemplate,
      describeConcurrency: this.p.config.describeConcurrency,
      signal,
    });
  }

  /** The last good clusters of every target; one cluster reached through two targets counts once. */
  private collectRecords(log: Logger): ClusterRecord[] {
    const byArn = new Map<string, ClusterRecord>();
    const out: ClusterRecord[] = [];
    for (const s of this.states) {
      for (const r of s.records ?? []) {
        const key = r.arn || `${r.accountId}/${r.region}/${r.clusterName}`;
        const first = byArn.get(key);
        if (first !== undefined) {
          log.debug('eks cluster reached through two targets', { arn: key, target: partId(s) });
          continue;
        }
        byArn.set(key, r);
        out.push(r);
      }
    }
    return out;
  }
}

export function partId(s: {
  readonly target: EksTarget;
  readonly accountId: string | undefined;
}): string {
  const who = s.target.roleArn ?? s.accountId ?? 'self';
  return `eks:${who}/${s.target.region}`;
}

function toPart(s: TargetState): SourcePart {
  return {
    id: partId(s),
    ...(s.accountId === undefined
      ? {}
      : { scope: { accountId: s.accountId, region: s.target.region } }),
    lastSuccessAt: s.lastSuccessAt,
    lastError: s.lastError,
    ...(s.lastRefresh === undefined ? {} : { lastRefresh: { ...s.lastRefresh } }),
  };
}

/** The end of one refresh: `signal` aborts and `expired` rejects when it passes or the caller gives up. */
interface Deadline {
  readonly signal: AbortSignal;
  readonly expired: Promise<never>;
  cancel(): void;
}

/** A refresh ran out of time; the targets it had not finished are failed refreshes of those targets. */
export class RefreshDeadlineError extends SourceUnavailableError {}

function startDeadline(ms: number, outer: AbortSignal): Deadline {
  const ac = new AbortController();
  let reject: (e: Error) => void = () => undefined;
  const expired = new Promise<never>((_, r) => {
    reject = r;
  });
  // Raced by every unfinished target; when none is left the rejection must not count as unhandled.
  expired.catch(() => undefined);
  const end = (reason: Error) => {
    reject(reason);
    ac.abort(reason);
  };
  const timer = setTimeout(
    () => end(new RefreshDeadlineError(`refresh did not finish within ${formatSeconds(ms)}`)),
    ms,
  );
  timer.unref();
  const onOuterAbort = () =>
    end(new RefreshDeadlineError('refresh abandoned: its caller aborted it'));
  if (outer.aborted) onOuterAbort();
  else outer.addEventListener('abort', onOuterAbort, { once: true });
  return {
    signal: ac.signal,
    expired,
    cancel: () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuterAbort);
    },
  };
}

function finiteOrNull(rate: number): number | null {
  return Number.isFinite(rate) ? Math.round(rate * 10) / 10 : null;
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

function notReadyError(neverLoaded: readonly TargetState[]): Error {
  const named = neverLoaded
    .slice(0, NAMED_IN_MESSAGE)
    .map((s) => `${partId(s)} (${s.lastError ?? 'not listed yet'})`);
  const more = neverLoaded.length - named.length;
  const message =
    `EKS discovery has not listed ${neverLoaded.length} target(s) yet: ${named.join('; ')}` +
    (more > 0 ? `; and ${more} more` : '');
  // Only a pure permissions problem is reported as such; any outage makes the whole thing "unavailable".
  return neverLoaded.every((s) => s.forbidden)
    ? new SourceForbiddenError(message)
    : new SourceUnavailableError(message);
}
