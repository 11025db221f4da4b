import { ConfigError } from '../../core/errors';
import { intFromEnv, type EnvVar } from '../../core/env-vars';

/**
 * The settings of `eks-overlay serve` (the warm render server) and of its client, `eks-overlay-client`, which reads
 * the same EKS_OVERLAY_SOCKET default and EKS_OVERLAY_CLIENT_TIMEOUT_SECONDS (cmp-sidecar/eks-overlay-client).
 */

/** Under the sidecar's own /tmp (a dedicated emptyDir), in a directory only the sidecar's user can enter. */
export const DEFAULT_SOCKET = '/tmp/eks-overlay-serve/render.sock';

export interface ServeConfig {
  readonly socket: string;
  /** Renders running at once, each in its own worker thread. */
  readonly concurrency: number;
  /** Requests waiting for a worker; one more is answered "busy" at once. */
  readonly queue: number;
  /** How long a request may wait for a worker before it is answered "busy". */
  readonly queueWaitMs: number;
  /** Heap of one render worker (V8 old generation); a render that needs more is handed back to the client. */
  readonly renderHeapMb: number;
  /** The server exits (for its supervisor to start a fresh one) after this many renders... */
  readonly maxRenders: number;
  /** ...or when its resident memory reaches this after a render. */
  readonly maxRssMb: number;
  /** Largest request (app directory and environment). */
  readonly maxRequestBytes: number;
}

export const SERVE_ENV_VARS: readonly EnvVar[] = [
  {
    name: 'EKS_OVERLAY_SOCKET',
    default: DEFAULT_SOCKET,
    description:
      'Unix socket of the warm render server (`eks-overlay serve`) and of `eks-overlay-client`; its directory is created private (0700), the socket is 0600.',
  },
  {
    name: 'EKS_OVERLAY_SERVE_CONCURRENCY',
    default: 2,
    description: 'Renders the server runs at once (one worker thread each), 1–64.',
  },
  {
    name: 'EKS_OVERLAY_SERVE_QUEUE',
    default: 128,
    description:
      'Requests that may wait for a worker, 0–10000; beyond it the client is told to render itself (the plain CLI).',
  },
  {
    name: 'EKS_OVERLAY_SERVE_QUEUE_WAIT_MS',
    default: 15000,
    description: 'Longest wait for a worker, 1–60000 ms; then the client is told to render itself.',
  },
  {
    name: 'EKS_OVERLAY_SERVE_RENDER_HEAP_MB',
    default: 256,
    description:
      "Heap of one render worker, 32–4096 MB; a render that exceeds it is handed back to the client's own process.",
  },
  {
    name: 'EKS_OVERLAY_SERVE_MAX_RENDERS',
    default: 10000,
    description:
      'Renders after which the server exits for its supervisor to start a fresh one, 1–10000000.',
  },
  {
    name: 'EKS_OVERLAY_SERVE_MAX_RSS_MB',
    default: 400,
    description:
      'Resident memory after a render at which the server exits for its supervisor to start a fresh one, 64–65536 MB.',
  },
  {
    name: 'EKS_OVERLAY_SERVE_TEST_FAULT',
    description:
      "Tests only, never set in an install: `internal` makes every render of the warm server's workers fail as an internal error (exit 70), which the server answers render-yourself, so the client's CLI renders.",
  },
  {
    name: 'EKS_OVERLAY_CLIENT_TIMEOUT_SECONDS',
    default: 25,
    description:
      "`eks-overlay-client`: time allowed to the server for one render, 1–50 seconds; past it the client renders itself with what is left of Argo CD's 60 s.",
  },
];

/** Argo CD's environment is a few KB; Linux caps one variable at 128 KiB. A larger request is rendered by the CLI. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/** A default as documented (manifests/README.md is generated from SERVE_ENV_VARS): one value for code and docs. */
function describedDefault(name: string): number {
  const value = SERVE_ENV_VARS.find((v) => v.name === name)?.default;
  if (typeof value !== 'number') throw new Error(`${name}: no numeric default in SERVE_ENV_VARS`);
  return value;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The server's settings from its environment; every invalid variable is reported at once (ConfigError). */
export function serveConfigFromEnv(env: Env, socketFlag?: string): ServeConfig {
  const issues: string[] = [];
  const int = (name: string, min: number, max: number) =>
    intFromEnv(env, name, describedDefault(name), { min, max }, issues);
  const socket = socketFlag ?? (env['EKS_OVERLAY_SOCKET']?.trim() || DEFAULT_SOCKET);
  if (!socket.startsWith('/'))
    issues.push(`socket ${JSON.stringify(socket)} must be an absolute path`);
  const config: ServeConfig = {
    socket,
    concurrency: int('EKS_OVERLAY_SERVE_CONCURRENCY', 1, 64),
    queue: int('EKS_OVERLAY_SERVE_QUEUE', 0, 10000),
    queueWaitMs: int('EKS_OVERLAY_SERVE_QUEUE_WAIT_MS', 1, 60000),
    renderHeapMb: int('EKS_OVERLAY_SERVE_RENDER_HEAP_MB', 32, 4096),
    maxRenders: int('EKS_OVERLAY_SERVE_MAX_RENDERS', 1, 10_000_000),
    maxRssMb: int('EKS_OVERLAY_SERVE_MAX_RSS_MB', 64, 65536),
    maxRequestBytes: MAX_REQUEST_BYTES,
  };
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
