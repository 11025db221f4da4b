/** One Kubernetes API call through @kubernetes/client-node, bounded in time and reduced to what may be logged. */
import { ApiException } from '@kubernetes/client-node';
import { describeError } from '../../core/errors';

/** A hung API server must not stall refreshes, reconciles or lease renewals forever. */
export const KUBE_CALL_TIMEOUT_MS = 10_000;

/**
 * Why a call failed, without response bodies or headers (the client's own ApiException message embeds both):
 * no answer in time, an HTTP status with the Status reason, or a transport or client-side failure (refused
 * connection, TLS, auth plugin) whose first line holds no secrets.
 */
export type KubeFailure =
  | { kind: 'timeout'; message: string }
  | { kind: 'status'; status: number; reason: string }
  | { kind: 'transport'; message: string; cause: unknown };

/** The timer's rejection, told apart from whatever the call itself throws. */
class TimedOut extends Error {}

/** Runs `fn` with a timeout; every failure is handed to `toError`, whose error is thrown. */
export async function kubeCall<T>(
  fn: () => Promise<T>,
  toError: (failure: KubeFailure) => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut()), KUBE_CALL_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([fn(), timeout]);
  } catch (e) {
    if (e instanceof TimedOut)
      throw toError({ kind: 'timeout', message: `timed out after ${KUBE_CALL_TIMEOUT_MS} ms` });
    if (e instanceof ApiException)
      throw toError({ kind: 'status', status: e.code, reason: reasonOf(e.body) });
    throw toError({
      kind: 'transport',
      message: describeError(e).split('\n')[0]?.slice(0, 200) ?? '',
      cause: e,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** The Status reason of an error body, which the client hands over parsed or as text. */
function reasonOf(body: unknown): string {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return '';
    }
  }
  const reason = (parsed as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' ? reason.slice(0, 100) : '';
}
