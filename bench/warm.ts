import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { argoCdEnv } from './argocd-env';
import { writeEquivalentTrees } from './overlay-trees';
import { rssOf } from './process';
import { fmt, median, ratio, type Row } from './stats';

/**
 * The warm renderer (`eks-overlay serve` + `eks-overlay-client`, plugin.yaml's generate command) against
 * `kubectl kustomize` on equivalent 20-resource trees, interleaved round by round: wall time and CPU per render
 * (the client's process tree, measured by bash's `time`, mean of the rounds, plus the server's CPU for that render, from /proc over the
 * sequential rounds); the same end to end with Argo CD's tar and untar of the repository before every render; a
 * burst of 1,000 renders at concurrency 20 and 100 (throughput, p99, fallbacks, server RSS after); and the fallback
 * path (no server) against the plain CLI in the same run.
 */

interface Timed {
  ms: number;
  cpuMs: number;
}

/**
 * Wall and CPU (user + system of the process and every child it waited for) of one command. bash's `time` reads
 * the children's rusage to the millisecond (GNU time prints it to 10 ms, which rounds a client of a few ms to 0 or
 * 10); its own CPU, and the fork that starts the command, are not counted.
 */
function timeCpu(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Timed> {
  const started = process.hrtime.bigint();
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', 'TIMEFORMAT="%3U %3S"; time "$@"', 'bash', cmd, ...args], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const last = stderr.trim().split('\n').pop() ?? '';
      const [user, sys] = last.split(' ').map(Number);
      if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${stderr.slice(0, 500)}`));
      else resolvePromise({ ms, cpuMs: ((user ?? NaN) + (sys ?? NaN)) * 1000 });
    });
  });
}

/**
 * CPU time (ms) a live process has used so far, summed over its threads (the render workers among them) from
 * /proc/<pid>/task/<tid>/schedstat, in nanoseconds: the clock ticks of /proc/<pid>/stat are 10 ms, more than a warm
 * render uses.
 */
function cpuOf(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read (a replaced render worker).
    }
  }
  return ns / 1e6;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function startServer(cli: string, socket: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'serve', '--socket', socket], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) resolvePromise(child);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function runWarmBench(opts: { rounds: number; burst: number }): Promise<Row[]> {
  const rows: Row[] = [];
  const cli = resolve('dist/eks-overlay.cjs');
  const client = resolve('cmp-sidecar/eks-overlay-client');
  const root = mkdtempSync(join(tmpdir(), 'bench-warm-'));
  const repo = join(root, 'repo');
  const bin = join(root, 'bin');
  const socket = join(root, 'sock', 'render.sock');
  const fallbacks = join(root, 'fallbacks');
  let server: ChildProcess | undefined;
  try {
    const trees = writeEquivalentTrees(repo, 20);
    mkdirSync(bin);
    writeFileSync(fallbacks, '');
    // The plain CLI the client falls back to, as the image puts it on PATH (noting each fallback).
    writeFileSync(
      join(bin, 'eks-overlay'),
      `#!/bin/sh\necho x >> '${fallbacks}'\nexec '${process.execPath}' '${cli}' "$@"\n`,
    );
    chmodSync(join(bin, 'eks-overlay'), 0o755);
    const env: NodeJS.ProcessEnv = {
      PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
      EKS_OVERLAY_CACHE_DIR: join(root, 'code-cache'),
      EKS_OVERLAY_SOCKET: socket,
      ...argoCdEnv(trees.app),
    };
    const fallbackCount = () => readFileSync(fallbacks, 'utf8').length / 2;
    server = await startServer(cli, socket, env);
    const serverPid = server.pid!;
    const viaClient = () => timeCpu('/bin/sh', [client], { cwd: trees.app, env });
    const kustomize = () =>
      timeCpu('kubectl', ['kustomize', trees.kustomizeOverlay], { env: process.env });
    // Argo CD's repo server tars the repository, the sidecar untars it into a fresh directory, then renders.
    const tarThen = (render: string) =>
      timeCpu(
        '/bin/sh',
        [
          '-c',
          `set -e; w=$(mktemp -d "${root}/argo.XXXXXX"); tar -C "${repo}" -czf "$w.tgz" .; mkdir "$w/x"; ` +
            `tar -C "$w/x" -xzf "$w.tgz"; cd "$w/x"; ${render} >/dev/null; rm -rf "$w" "$w.tgz"`,
        ],
        { env },
      );
    await viaClient();
    await kustomize();
    await timeCpu(process.execPath, [cli, 'generate'], { cwd: trees.app, env });

    // Sequential renders, interleaved; the server's CPU is summed over the client rounds only.
    const ours: Timed[] = [];
    const theirs: Timed[] = [];
    const e2eOurs: Timed[] = [];
    const e2eTheirs: Timed[] = [];
    let serverCpu = 0;
    const before = fallbackCount();
    for (let r = 0; r < opts.rounds; r++) {
      const c0 = cpuOf(serverPid);
      ours.push(await viaClient());
      serverCpu += cpuOf(serverPid) - c0;
      theirs.push(await kustomize());
      e2eOurs.push(await tarThen(`cd app && /bin/sh '${client}'`));
      e2eTheirs.push(await tarThen(`kubectl kustomize kustomize/overlay`));
    }
    const serverPerRender = serverCpu / opts.rounds;
    const wall = (xs: Timed[]) => median(xs.map((x) => x.ms));
    // A mean: per-render CPU is a few ms read to the ms, and a median of such values keeps their rounding.
    const cpu = (xs: Timed[]) => mean(xs.map((x) => x.cpuMs));
    const kz = `kubectl kustomize ${fmt(wall(theirs), 0)} ms wall, ${fmt(cpu(theirs), 0)} ms CPU`;
    rows.push({
      benchmark: 'warm render through eks-overlay-client, 20 resources: wall',
      'ours vs baseline': ratio(wall(ours), wall(theirs)),
      ours: `${fmt(wall(ours), 1)} ms`,
      baseline: kz,
      memory: `${fallbackCount() - before} fallbacks`,
    });
    rows.push({
      benchmark: 'warm render, 20 resources: CPU (client process tree + server share)',
      'ours vs baseline': ratio(cpu(ours) + serverPerRender, cpu(theirs)),
      ours: `${fmt(cpu(ours) + serverPerRender, 1)} ms (client ${fmt(cpu(ours), 1)} + server ${fmt(serverPerRender, 1)})`,
      baseline: kz,
      memory: `server RSS ${fmt(rssOf(serverPid).rssMb, 0)} MB`,
    });
    rows.push({
      benchmark: 'end to end with tar + untar of the repository: wall',
      'ours vs baseline': ratio(wall(e2eOurs), wall(e2eTheirs)),
      ours: `${fmt(wall(e2eOurs), 1)} ms`,
      baseline: `tar, untar, kubectl kustomize ${fmt(wall(e2eTheirs), 0)} ms`,
      memory: '',
    });
    rows.push({
      benchmark: 'end to end with tar + untar: CPU (server share included)',
      'ours vs baseline': ratio(cpu(e2eOurs) + serverPerRender, cpu(e2eTheirs)),
      ours: `${fmt(cpu(e2eOurs) + serverPerRender, 1)} ms`,
      baseline: `${fmt(cpu(e2eTheirs), 0)} ms`,
      memory: '',
    });

    for (const concurrency of [20, 100]) {
      const startFallbacks = fallbackCount();
      const latencies: number[] = [];
      const c0 = cpuOf(serverPid);
      const t0 = process.hrtime.bigint();
      let next = 0;
      const workerLoop = async () => {
        while (next < opts.burst) {
          next++;
          latencies.push((await viaClient()).ms);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, workerLoop));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpuPer = (cpuOf(serverPid) - c0) / opts.burst;
      rows.push({
        benchmark: `burst: ${opts.burst} renders at concurrency ${concurrency}`,
        'ours vs baseline': '',
        ours: `${fmt(opts.burst / seconds, 0)} renders/s, p50 ${fmt(percentile(latencies, 50), 0)} ms, p99 ${fmt(percentile(latencies, 99), 0)} ms`,
        baseline: `server CPU ${fmt(cpuPer, 1)} ms/render`,
        memory: `server RSS after ${fmt(rssOf(serverPid).rssMb, 0)} MB; ${fallbackCount() - startFallbacks} fallbacks`,
      });
    }

    // The fallback path: no server (the socket gone), against the plain CLI, interleaved.
    server.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
    server = undefined;
    if (existsSync(socket)) throw new Error('the stopped server left its socket');
    const fallback: Timed[] = [];
    const plain: Timed[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      fallback.push(await viaClient());
      plain.push(await timeCpu(process.execPath, [cli, 'generate'], { cwd: trees.app, env }));
    }
    rows.push({
      benchmark: 'fallback (no server): eks-overlay-client vs eks-overlay generate, 20 resources',
      'ours vs baseline': ratio(wall(fallback), wall(plain)),
      ours: `${fmt(wall(fallback), 0)} ms wall, ${fmt(cpu(fallback), 0)} ms CPU`,
      baseline: `eks-overlay generate ${fmt(wall(plain), 0)} ms wall, ${fmt(cpu(plain), 0)} ms CPU`,
      memory: '',
    });
  } finally {
    server?.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}
