import type { SourcePart } from '../../core/snapshot';

export type Readiness =
  { readonly ready: true } | { readonly ready: false; readonly reason: string };

const MAX_NAMED = 3;

/** What the registry knows when it decides whether it may answer. */
export interface ReadinessFacts {
  readonly hasSnapshot: boolean;
  readonly parts: readonly SourcePart[];
  readonly isStale: (p: SourcePart) => boolean;
  readonly maxStaleMs: number | undefined;
  readonly now: number;
  /** Why the fleet state store could not be read, while it has not been. */
  readonly stateError: string | undefined;
  /** Why the last listing could not be published (clusters whose answer is unknown). */
  readonly refusal: string | undefined;
  readonly loadError: string | undefined;
}

/** Ready only with a snapshot and no part too stale; otherwise the reason, naming what is at fault. */
export function readinessOf(f: ReadinessFacts): Readiness {
  if (!f.hasSnapshot) {
    if (f.stateError !== undefined)
      return { ready: false, reason: `fleet state could not be read: ${f.stateError}` };
    if (f.refusal !== undefined)
      return {
        ready: false,
        reason: `cluster registry refused the source's clusters: ${f.refusal}`,
      };
    if (f.loadError !== undefined)
      return { ready: false, reason: `cluster source could not be read: ${f.loadError}` };
    const failing = f.parts.filter(f.isStale);
    if (failing.length > 0)
      return {
        ready: false,
        reason: `cluster source not loaded yet: ${listParts(failing, f.now)}`,
      };
    return { ready: false, reason: 'cluster registry has not loaded yet' };
  }
  const stale = f.parts.filter(f.isStale);
  if (stale.length > 0) {
    const limit = f.maxStaleMs === undefined ? '' : ` (limit ${Math.round(f.maxStaleMs / 1000)}s)`;
    return {
      ready: false,
      reason: `cluster source parts too stale to serve${limit}: ${listParts(stale, f.now)}`,
    };
  }
  return { ready: true };
}

function describePart(p: SourcePart, now: number): string {
  if (p.lastSuccessAt === undefined)
    return `${p.id} (never loaded: ${p.lastError ?? 'no successful read yet'})`;
  const age = Math.round((now - p.lastSuccessAt) / 1000);
  // Without an error the part is only slow: its refresh is still running (retries, backoff).
  const why = p.lastError ?? 'no error; its refresh has not finished';
  return `${p.id} (last success ${age}s ago: ${why})`;
}

function listParts(parts: readonly SourcePart[], now: number): string {
  const named = parts
    .slice(0, MAX_NAMED)
    .map((p) => describePart(p, now))
    .join(', ');
  const more = parts.length - MAX_NAMED;
  return more > 0 ? `${named} and ${more} more` : named;
}

/** The first few items and how many more, for messages that end up in an ApplicationSet's status. */
export function listSome(items: readonly string[], max = 5): string {
  const more = items.length - max;
  return items.slice(0, max).join('; ') + (more > 0 ? ` and ${more} more` : '');
}
