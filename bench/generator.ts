import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { syntheticFleet } from './fleet';
import { runLoad } from './http-load';
import { rssOf, startNode, stop, waitForHttp } from './process';
import { fmt, median, ratio, type Row } from './stats';

const TOKEN = 'bench-token-not-a-secret';
const BODY = '{"applicationSetName":"bench","input":{"parameters":{}}}\n';

interface Load {
  /** Server CPU time (user + system, all threads) per request, in µs: steadier than req/s on a busy machine. */
  cpuUs: number;
  rps: number;
  p50: number;
  p99: number;
}

type Encoding = 'gzip' | 'identity';

/** CPU time a process has used so far, in µs (Linux /proc; clock ticks of 10 ms). */
function cpuUsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function load(
  pid: number,
  url: string,
  connections: number,
  seconds: number,
  encoding: Encoding,
): Promise<Load> {
  const cpuBefore = cpuUsOf(pid);
  const r = await runLoad({
    url,
    method: 'POST',
    connections,
    seconds,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      // What Go's net/http transport (Argo CD) adds; the load client counts the bytes without decoding them.
      ...(encoding === 'gzip' ? { 'accept-encoding': 'gzip' } : {}),
    },
    body: BODY,
  });
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const cpuUs = (cpuUsOf(pid) - cpuBefore) / r.requests;
  return { cpuUs, rps: r.rps, p50: r.p50, p99: r.p99 };
}

/** The reply exactly as sent on the wire (fetch would decode gzip), with its Content-Encoding. */
function fetchRaw(url: string, encoding: Encoding): Promise<{ body: Buffer; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/json',
          ...(encoding === 'gzip' ? { 'accept-encoding': 'gzip' } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${url}: status ${res.statusCode}`));
          else
            resolve({
              body: Buffer.concat(chunks),
              encoding: String(res.headers['content-encoding'] ?? 'identity'),
            });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

// The bare server runs in a process of its own, like the service, so neither shares the load client's thread.
const BARE_SERVER = `
const http = require('node:http');
const body = require('node:fs').readFileSync(process.env.BARE_BODY);
const headers = { ...JSON.parse(process.env.BARE_HEADERS), 'content-length': body.length };
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, headers); res.end(body); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

/**
 * A bare node:http server writing the same pre-serialized (and, for gzip, pre-compressed) reply bytes with the
 * same headers: the physical limit on this machine.
 */
async function startBare(
  body: Buffer,
  encoding: Encoding,
  dir: string,
): Promise<{ url: string; pid: number; close(): Promise<void> }> {
  const file = join(dir, `bare-${encoding}-${body.length}.bin`);
  writeFileSync(file, body);
  const child = spawn(process.execPath, ['-e', BARE_SERVER], {
    env: {
      ...process.env,
      BARE_BODY: file,
      BARE_HEADERS: JSON.stringify({
        'content-type': 'application/json; charset=utf-8',
        vary: 'Accept-Encoding',
        ...(encoding === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', (code) => reject(new Error(`bare server exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/api/v1/getparams.execute`,
    pid: child.pid as number,
    close: () => stop(child),
  };
}

/** A port the OS just handed out: other processes on a shared machine hold many of a random range. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const MiB = 1024 * 1024;
const size = (bytes: number) =>
  bytes >= MiB ? `${fmt(bytes / MiB)} MiB` : `${fmt(bytes / 1024, 0)} KiB`;

interface Pair {
  encoding: Encoding;
  svc: Load[];
  lim: Load[];
  reply: Buffer;
  bare: { url: string; pid: number; close(): Promise<void> };
}

function medians(xs: Load[]): Load {
  return {
    cpuUs: median(xs.map((x) => x.cpuUs)),
    rps: median(xs.map((x) => x.rps)),
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
  };
}

/**
 * Argo CD always sends `Accept-Encoding: gzip`, so gzip is the row that counts at every size; the identity row
 * (1,000 clusters only: at 10,000 it is loopback bandwidth and nothing else) shows the uncompressed path.
 */
export async function runGeneratorBench(opts: {
  sizes: number[];
  rounds: number;
  seconds: number;
  connections: number;
  identitySizes?: number[];
}): Promise<Row[]> {
  const rows: Row[] = [];
  const identitySizes = opts.identitySizes ?? [1000];
  const dir = mkdtempSync(join(tmpdir(), 'bench-gen-'));
  try {
    for (const clusters of opts.sizes) {
      const file = join(dir, `fleet-${clusters}.yaml`);
      writeFileSync(file, stringify({ clusters: syntheticFleet(clusters) }));
      const port = await freePort();
      const child = startNode('dist/generator-service.cjs', {
        PORT: String(port),
        GENERATOR_TOKEN: TOKEN,
        CLUSTERS_FILE: file,
        LOG_LEVEL: 'error',
      });
      const pairs: Pair[] = [];
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitForHttp(`${base}/readyz`);
        const readyMem = rssOf(child.pid as number);
        const url = `${base}/api/v1/getparams.execute`;
        const encodings: Encoding[] = identitySizes.includes(clusters)
          ? ['gzip', 'identity']
          : ['gzip'];
        const identity = await fetchRaw(url, 'identity');
        for (const encoding of encodings) {
          const raw = encoding === 'identity' ? identity : await fetchRaw(url, encoding);
          if (raw.encoding !== encoding)
            throw new Error(`${url}: asked for ${encoding}, got ${raw.encoding}`);
          pairs.push({
            encoding,
            svc: [],
            lim: [],
            reply: raw.body,
            bare: await startBare(raw.body, encoding, dir),
          });
        }
        // Warm-up of both servers: JIT, and for the service also the GC work its start-up (parsing the fleet
        // file) leaves behind, which would otherwise be charged to the first measured round.
        for (const p of pairs) {
          await load(child.pid as number, url, opts.connections, 3, p.encoding);
          await load(p.bare.pid, p.bare.url, opts.connections, 1, p.encoding);
        }
        for (let i = 0; i < opts.rounds; i++) {
          for (const p of pairs) {
            p.svc.push(
              await load(child.pid as number, url, opts.connections, opts.seconds, p.encoding),
            );
            p.lim.push(
              await load(p.bare.pid, p.bare.url, opts.connections, opts.seconds, p.encoding),
            );
          }
        }
        const mem = rssOf(child.pid as number);
        for (const p of pairs) {
          const s = medians(p.svc);
          const l = medians(p.lim);
          rows.push({
            benchmark: `generator, ${clusters} clusters, ${opts.connections} clients, ${p.encoding === 'gzip' ? 'gzip (as Argo CD)' : 'identity'}`,
            'ours vs baseline': ratio(s.rps, l.rps),
            ours: `${fmt(s.rps, 0)} req/s, p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms`,
            baseline: `bare node:http ${fmt(l.rps, 0)} req/s, p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms`,
            'server CPU per request': `${fmt(s.cpuUs, 0)} µs vs bare ${fmt(l.cpuUs, 0)} µs`,
            memory: `RSS ${fmt(mem.rssMb, 0)} MB (ready ${fmt(readyMem.rssMb, 0)} MB, peak ${fmt(mem.peakMb, 0)} MB)`,
            'reply size':
              p.encoding === 'gzip'
                ? `${size(p.reply.length)} gzip (${size(identity.body.length)} JSON)`
                : size(p.reply.length),
          });
        }
      } finally {
        await Promise.all(pairs.map((p) => p.bare.close()));
        await stop(child);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
