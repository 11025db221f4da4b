import type { EKSClient } from '@aws-sdk/client-eks';
import type { ClusterRecord } from '../../core/cluster';
import { SourceForbiddenError, SourceUnavailableError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { AddonDefaultsCache } from './eks-addons';
import { settleWithConcurrency } from './eks-concurrency';
import type { EksConfig } from './eks-config';
import { describeAwsError } from './eks-errors';
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
  readonly maxStaleMs?: number;
  private readonly states: TargetState[];
  private running: Promise<SourceLoad> | undefined;

  constructor(private readonly p: EksSourceParts) {
    this.refreshIntervalMs = p.config.refreshIntervalMs;
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

  close(): void {
    this.p.destroy();
  }

  private async refresh(ctx: SourceContext): Promise<SourceLoad> {
    const started = this.p.now();
    await settleWithConcurrency(this.states, this.p.config.targetConcurrency, (s) =>
      this.refreshTarget(s, ctx),
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
      const { failures, kept } = await this.p.addons.refresh(versions, ctx.signal);
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

  private async refreshTarget(s: TargetState, ctx: SourceContext): Promise<void> {
    const started = this.p.now();
    const region = s.target.region;
    try {
      s.accountId ??= await this.p.resolveOwnAccount(ctx.signal);
      const listing = await listTarget(s.target.eks, {
        region,
        accountId: s.accountId,
        selector: this.p.config.enrollSelector,
        describeConcurrency: this.p.config.describeConcurrency,
        signal: ctx.signal,
      });
      s.records = listing.records;
      s.lastSuccessAt = this.p.now();
      s.lastError = undefined;
      s.forbidden = false;
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
        durationMs: this.p.now() - started,
      });
    }
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
  };
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
