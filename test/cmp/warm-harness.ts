/**
 * Running the warm renderer as the sidecar does: `eks-overlay serve` from the bundled CLI, and plugin.yaml's
 * generate command, the shell client cmp-sidecar/eks-overlay-client, with the plain CLI (`eks-overlay` on PATH)
 * to fall back to. The `eks-overlay` on the tests' PATH notes every run in a file, so a test can tell whether the
 * client rendered through the server or fell back.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { runNode, until, type RunningChild } from '../hostile/helpers/child';
import { REPO_ROOT } from './helpers';

export const CLIENT = path.join(REPO_ROOT, 'cmp-sidecar', 'eks-overlay-client');

export interface Harness {
  readonly bundle: string;
  readonly binDir: string;
  /** How many times the client fell back to the plain CLI so far. */
  fallbacks(): number;
}

export function createHarness(bundle: string, dir: string): Harness {
  const binDir = path.join(dir, 'bin');
  const marks = path.join(dir, 'fallbacks');
  mkdirSync(binDir, { recursive: true });
  writeFileSync(marks, '');
  const cli = path.join(binDir, 'eks-overlay');
  writeFileSync(
    cli,
    `#!/bin/sh\necho "$*" >> '${marks}'\nexec '${process.execPath}' '${bundle}' "$@"\n`,
  );
  chmodSync(cli, 0o755);
  return {
    bundle,
    binDir,
    fallbacks: () =>
      readFileSync(marks, 'utf8')
        .split('\n')
        .filter((l) => l === 'generate').length,
  };
}

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the client in `cwd` with exactly `env` (plus PATH with the harness's `eks-overlay`), in its own group. */
export function runClient(
  h: Harness,
  cwd: string,
  env: Record<string, string>,
): { done: Promise<Result>; pid: number } {
  const child = spawn('/bin/sh', [CLIENT], {
    cwd,
    env: { PATH: `${h.binDir}:/usr/bin:/bin`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<Result>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: out, stderr: err })),
  );
  return { done, pid: child.pid! };
}

/** The plain CLI, as argocd-cmp-server runs it today. */
export async function runCli(
  h: Harness,
  cwd: string,
  env: Record<string, string>,
): Promise<Result> {
  const r = runNode(h.bundle, ['generate'], env, cwd);
  const code = await r.exit;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

export interface Server {
  readonly run: RunningChild;
  readonly socket: string;
  stop(): Promise<void>;
}

/** Starts `eks-overlay serve --socket <socket>` and waits for it to listen. */
export async function startServer(
  h: Harness,
  socket: string,
  env: Record<string, string> = {},
): Promise<Server> {
  const run = runNode(h.bundle, ['serve', '--socket', socket], env);
  let exited: number | null | undefined;
  void run.exit.then((code) => (exited = code));
  await until(() => {
    if (exited !== undefined)
      throw new Error(`serve exited with ${String(exited)}: ${run.stderr()}`);
    return run.stderr().includes('listening on') ? true : undefined;
  });
  return {
    run,
    socket,
    stop: async () => {
      if (exited === undefined) run.child.kill('SIGTERM');
      await run.exit;
    },
  };
}

/** One request of the protocol, sent directly (not through the client). */
export function request(
  socket: string,
  body: Buffer | string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: socket, path: '/render', method: 'POST', agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The body the client sends: `dir=`, the directory URL-encoded as curl does, `&`, then its environment (`env -0`). */
export function renderBody(cwd: string, env: Record<string, string>): string {
  return `dir=${encodeURIComponent(cwd)}&${Object.entries(env)
    .map(([k, v]) => `${k}=${v}\0`)
    .join('')}`;
}

/**
 * A server on `socket` that answers as `answer` says: a fake, to put the client through faults the real server
 * does not produce on demand (an answer cut off mid-body, garbage, silence).
 */
export async function fakeServer(
  socket: string,
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ close: () => Promise<void> }> {
  mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Waits until a process opens the FIFO for reading (a render waiting on it) and holds its write end open, so the
 * render stays blocked until `release` writes the file's content and closes it.
 */
export async function holdReader(
  fifo: string,
): Promise<{ release: (text: string) => void; close: () => void }> {
  const fd = await until(() => {
    try {
      return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch {
      return undefined;
    }
  });
  return {
    release: (text) => {
      writeSync(fd, text);
      closeSync(fd);
    },
    close: () => closeSync(fd),
  };
}

/** Resolves once process `pid` no longer has `file` open (Linux: /proc/<pid>/fd). */
export async function closedBy(pid: number, file: string): Promise<void> {
  const { readdirSync, readlinkSync } = await import('node:fs');
  await until(() => {
    const open = readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
    return open ? undefined : true;
  });
}

export function socketExists(socket: string): boolean {
  return existsSync(socket);
}
