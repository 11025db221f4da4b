import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HOME_KEY } from '../fakes/aws/eks-harness';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const BUNDLE = path.join(REPO_ROOT, 'dist', 'generator-service.cjs');

/** A log line of the child that the soak looks at, with when it arrived here. */
export interface ChildLogLine {
  readonly arrivedAt: number;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Log messages worth keeping; the per-request access log (200 lines a second) is only counted. */
const KEPT = [
  'listening',
  'published fleet snapshot',
  'eks refresh finished',
  'eks target refresh failed',
  'cluster source load failed; keeping the last good snapshot',
  'refusing to publish the fleet; keeping the last good snapshot',
  'cluster quarantined; answering with its last good parameters',
  'cluster quarantined; left out of answers (it was never served)',
  'eks add-on defaults refresh failed',
];

export interface GeneratorChild {
  readonly pid: number;
  readonly port: number;
  readonly logs: readonly ChildLogLine[];
  /** Access-log lines seen (one per answered request). */
  requestLogLines(): number;
  /** Server-side milliseconds of each answered request, from the access log. */
  requestMs(): readonly number[];
  /** Called for every kept log line as it arrives. */
  onLog(listener: (line: ChildLogLine) => void): void;
  stderr(): string;
  /** Exit code, or undefined while running. */
  exitCode(): number | null | undefined;
  /**
   * Makes the service write a heap snapshot (SIGUSR2, --heapsnapshot-signal), which runs a full GC first, and
   * waits for the file; what the heap holds right after is live data, not garbage waiting for the next GC.
   * The snapshot is deleted. Resolves false if no complete snapshot appeared in time.
   */
  collectGarbage(): Promise<boolean>;
  stop(): Promise<number | null>;
}

export interface GeneratorEnv {
  readonly token: string;
  readonly awsUrl: string;
  readonly regions: readonly string[];
  readonly refreshSeconds: number;
  readonly maxStaleSeconds: number;
}

/**
 * Starts the bundled service exactly as the image runs it (`node dist/generator-service.cjs`), on EKS discovery
 * pointed at the fake through the standard AWS_ENDPOINT_URL_* variables, with nothing inherited from this
 * environment except PATH.
 */
export async function startGeneratorChild(e: GeneratorEnv): Promise<GeneratorChild> {
  if (!existsSync(BUNDLE)) {
    throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (\`npm run soak\` does)`);
  }
  // NODE_ENV as in the image. The image also passes --enable-source-maps; that is left to SOAK_NODE_ARGS
  // (e.g. SOAK_NODE_ARGS=--enable-source-maps): with it, the bundle's 7 MB source map is parsed at start
  // (~30 MiB RSS) and decoded at the first stack trace formatted (~+50-90 MiB heap, in the AWS timeout path),
  // which also widens the GC sawtooth well beyond the 10 % the RSS check can resolve.
  const nodeArgs = (process.env['SOAK_NODE_ARGS'] ?? '').split(/\s+/).filter((a) => a !== '');
  // Heap snapshots land in the working directory: a temporary one, removed at stop().
  const workDir = mkdtempSync(path.join(tmpdir(), 'soak-generator-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--heapsnapshot-signal=SIGUSR2', ...nodeArgs, BUNDLE],
    {
      cwd: workDir,
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        GENERATOR_TOKEN: e.token,
        LOG_LEVEL: 'info',
        CLUSTER_SOURCE: 'eks',
        EKS_REGIONS: e.regions.join(','),
        EKS_ENROLL_SELECTOR: 'argocd=enabled',
        EKS_REFRESH_SECONDS: String(e.refreshSeconds),
        EKS_MAX_STALE_SECONDS: String(e.maxStaleSeconds),
        // A hung endpoint fails an attempt after 2 s: the hang phase then costs a refresh ~10 s, not ~25 s.
        EKS_CALL_TIMEOUT_MS: '2000',
        EKS_CONNECT_TIMEOUT_MS: '1000',
        AWS_ENDPOINT_URL_EKS: e.awsUrl,
        AWS_ENDPOINT_URL_STS: e.awsUrl,
        AWS_ACCESS_KEY_ID: HOME_KEY.id,
        AWS_SECRET_ACCESS_KEY: HOME_KEY.secret,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/nonexistent/aws-config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: ChildLogLine[] = [];
  const listeners: ((l: ChildLogLine) => void)[] = [];
  let requests = 0;
  const requestMs: number[] = [];
  let partial = '';
  let err = '';
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (c) => {
      code = c;
      resolve(c);
    }),
  );
  child.stdout?.on('data', (d: Buffer) => {
    const arrivedAt = Date.now();
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      if (l.includes('"msg":"request"')) {
        requests++;
        const ms = /"ms":([\d.]+)/.exec(l)?.[1];
        if (ms !== undefined) requestMs.push(Number(ms));
        continue;
      }
      if (!KEPT.some((m) => l.includes(`"msg":"${m}"`))) continue;
      const fields = JSON.parse(l) as Record<string, unknown>;
      const line: ChildLogLine = { arrivedAt, msg: String(fields['msg']), fields };
      logs.push(line);
      for (const f of listeners) f(line);
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    if (err.length < 64 * 1024) err += d.toString('utf8');
  });

  const port = await new Promise<number>((resolve, reject) => {
    const onLine = (l: ChildLogLine) => {
      if (l.msg === 'listening') resolve(Number(l.fields['port']));
    };
    listeners.push(onLine);
    void exited.then((c) => reject(new Error(`generator exited (${c}) before listening: ${err}`)));
  });

  return {
    pid: child.pid ?? -1,
    port,
    logs,
    requestLogLines: () => requests,
    requestMs: () => requestMs,
    onLog: (f) => listeners.push(f),
    stderr: () => err,
    exitCode: () => code,
    async collectGarbage() {
      const snapshots = () => readdirSync(workDir).filter((f) => f.endsWith('.heapsnapshot'));
      const before = new Set(snapshots());
      child.kill('SIGUSR2');
      const until = Date.now() + 60_000;
      let lastSize = -1;
      while (Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const file = snapshots().find((f) => !before.has(f));
        if (file === undefined) continue;
        const size = statSync(path.join(workDir, file)).size;
        // Written in one go by the main thread; a size that stopped changing means it is complete.
        if (size > 0 && size === lastSize) {
          rmSync(path.join(workDir, file), { force: true });
          return true;
        }
        lastSize = size;
      }
      return false;
    },
    async stop() {
      if (code === undefined) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
        rmSync(workDir, { recursive: true, force: true });
      }
    },
  };
}

/** Resident set size of a process in KiB (VmRSS), or undefined once it is gone. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used, in seconds, or undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}
