/**
 * Registration state from the registrar's `GET /api/v1/status` (generator-service/registrar/README.md, "Status"),
 * reduced to what the view shows: per cluster name, registered / foreign / pending and why. The registrar runs
 * apart with the Secret rights the generator lacks; its status takes the generator's token. Nothing of the body
 * but names, states and reasons is kept (it holds no Secret data anyway).
 */
import type { TokenProvider } from '../../http/auth';
import type { SourceRead } from './source-state';

export type Registration = 'registered' | 'foreign' | 'pending';

export interface RegistrarStatus {
  readonly leader: boolean;
  readonly lastReconcileAt: string | undefined;
  readonly lastReconcileResult: string | undefined;
  /** Cluster name → its registration and, when not registered, why. */
  readonly byCluster: ReadonlyMap<
    string,
    { readonly state: Registration; readonly reason?: string }
  >;
  readonly counts: Readonly<Record<Registration, number>>;
}

export const REGISTRAR_STATUS_PATH = '/api/v1/status';
const READ_TIMEOUT_MS = 5_000;

export function registrarStatusRead(
  baseUrl: string | undefined,
  tokens: TokenProvider,
): SourceRead<RegistrarStatus> {
  return async () => {
    if (baseUrl === undefined) return { notInstalled: 'FLEET_VIEW_REGISTRAR_URL is not set' };
    // Messages reach the page: a `user:pass@` in the configured URL never does.
    const shown = withoutUserinfo(baseUrl);
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${REGISTRAR_STATUS_PATH}`, {
        headers: { authorization: `Bearer ${tokens.current() ?? ''}`, accept: 'application/json' },
        signal: AbortSignal.timeout(READ_TIMEOUT_MS),
      });
    } catch (e) {
      const code = (e as { cause?: { code?: unknown } }).cause?.code;
      // No such host: the registrar component is not installed here.
      if (code === 'ENOTFOUND') return { notInstalled: `no host for ${new URL(baseUrl).host}` };
      const why =
        e instanceof Error && e.name === 'TimeoutError'
          ? 'timed out'
          : typeof code === 'string'
            ? code
            : 'no answer';
      throw new Error(`registrar status ${shown}${REGISTRAR_STATUS_PATH}: ${why}`, { cause: e });
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return { notInstalled: `${shown} has no ${REGISTRAR_STATUS_PATH}` };
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`registrar status ${shown}${REGISTRAR_STATUS_PATH}: HTTP ${res.status}`);
    }
    return { data: registrarStatusOf(await res.json()) };
  };
}

/** The URL without its `user:password@` part, for messages. */
export function withoutUserinfo(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === '' && u.password === '') return url;
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

/** The body read loosely: a field of the wrong shape is left out, never trusted. */
export function registrarStatusOf(body: unknown): RegistrarStatus {
  const o = asObject(body);
  const byCluster = new Map<string, { state: Registration; reason?: string }>();
  const counts: Record<Registration, number> = { registered: 0, foreign: 0, pending: 0 };
  const take = (
    key: Registration,
    reasonOf: (e: Record<string, unknown>) => string | undefined,
  ) => {
    const list = o[key];
    if (!Array.isArray(list)) return;
    for (const item of list) {
      const e = asObject(item);
      const cluster = e['cluster'];
      if (typeof cluster !== 'string' || cluster === '') continue;
      counts[key]++;
      const reason = reasonOf(e);
      byCluster.set(cluster, { state: key, ...(reason === undefined ? {} : { reason }) });
    }
  };
  take('registered', () => undefined);
  take('foreign', (e) => {
    const by = str(e['blockedBy']);
    const owner = str(e['owner']);
    return by === undefined ? undefined : `blocked by Secret ${by}${owner ? ` (${owner})` : ''}`;
  });
  take('pending', (e) => str(e['reason']));
  const last = asObject(o['lastReconcile']);
  return {
    leader: o['leader'] === true,
    lastReconcileAt: str(last['at']),
    lastReconcileResult: str(last['result']),
    byCluster,
    counts,
  };
}

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v.slice(0, 300) : undefined;
}
