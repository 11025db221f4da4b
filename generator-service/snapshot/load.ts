import type { Logger } from '../../core/logger';
import type { ClusterSource, SourceLoad } from '../../plugins/cluster-sources/source';

/**
 * The refresh step's read of the source, bounded in time: a load still running after `timeoutMs` is aborted and
 * counts as failed, so one hung read never holds up the next refresh (the previous snapshot stays).
 */
export function loadWithTimeout(
  source: ClusterSource,
  log: Logger,
  ac: AbortController,
  timeoutMs: number,
): Promise<SourceLoad> {
  const loading = source.load({ signal: ac.signal, log });
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => {
      // Reject first so the race reports the timeout, not the source's reaction to the abort.
      reject(new Error(`load timed out after ${formatMs(timeoutMs)}`));
      ac.abort();
    }, timeoutMs);
    t.unref();
  });
  return Promise.race([loading, timeout]).finally(() => clearTimeout(t));
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)}s` : `${ms}ms`;
}
