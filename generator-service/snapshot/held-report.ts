import type { Logger } from '../../core/logger';
import type { ServiceMetrics } from '../metrics';
import type { Accepted, Quarantined } from './accept';

/**
 * Reports what an accepted listing holds back: counts every time, and logs each quarantined cluster once per
 * reason (not on every refresh), and once when it is no longer quarantined.
 */
export function createHeldReporter(
  log: Logger,
  metrics: ServiceMetrics | undefined,
): (result: Accepted) => void {
  let quarantineLogged = new Map<string, string>();
  return (result) => {
    metrics?.clustersHeld({
      quarantined: result.quarantined.length,
      retainedStatus: result.retained.filter((r) => r.why === 'status').length,
      retainedAbsent: result.retained.filter((r) => r.why === 'absent').length,
    });
    const logged = new Map<string, string>();
    for (const q of result.quarantined) {
      logged.set(q.key, q.reason);
      if (quarantineLogged.get(q.key) !== q.reason) logQuarantined(log, q);
    }
    for (const key of quarantineLogged.keys()) {
      if (!logged.has(key)) log.info('cluster is no longer quarantined', { cluster: key });
    }
    quarantineLogged = logged;
  };
}

function logQuarantined(log: Logger, q: Quarantined): void {
  log.warn(
    q.kept
      ? 'cluster quarantined; answering with its last good parameters'
      : 'cluster quarantined; left out of answers (it was never served)',
    { arn: q.arn, reason: q.reason },
  );
}
