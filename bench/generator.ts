import autocannon from 'autocannon';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { syntheticFleet } from './fleet';
import { rssOf, startNode, stop, waitForHttp } from './process';
import { fmt, median, ratio, type Row } from './stats';

const TOKEN = 'bench-token-not-a-secret';
const BODY = '{"applicationSetName":"bench","input":{"parameters":{}}}\n';

interface Load {
  rps: number;
  p50: number;
  p99: number;
}

async function load(url: string, connections: number, seconds: number): Promise<Load> {
  const r = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: BODY,
  });
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

/** A bare node:http server writing the same pre-serialized reply: the physical limit on this machine. */
function startBare(body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}/api/v1/getparams.execute`,
        close: () => new Promise((r) => server.close(() => r())),
      });
    }),
  );
}

export async function runGeneratorBench(opts: {
  sizes: number[];
  rounds: number;
  seconds: number;
  connections: number;
}): Promise<Row[]> {
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-gen-'));
  try {
    for (const size of opts.sizes) {
      const file = join(dir, `fleet-${size}.yaml`);
      writeFileSync(file, stringify({ clusters: syntheticFleet(size) }));
      const port = 20000 + Math.floor(Math.random() * 20000);
      const child = startNode('dist/generator-service.cjs', {
        PORT: String(port),
        GENERATOR_TOKEN: TOKEN,
        CLUSTERS_FILE: file,
        LOG_LEVEL: 'error',
      });
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitForHttp(`${base}/readyz`);
        const url = `${base}/api/v1/getparams.execute`;
        const reply = Buffer.from(
          await (
            await fetch(url, {
              method: 'POST',
              headers: { authorization: `Bearer ${TOKEN}` },
              body: BODY,
            })
          ).arrayBuffer(),
        );
        const bare = await startBare(reply);
        const svc: Load[] = [];
        const lim: Load[] = [];
        try {
          await load(url, opts.connections, 1); // warm-up
          for (let i = 0; i < opts.rounds; i++) {
            svc.push(await load(url, opts.connections, opts.seconds));
            lim.push(await load(bare.url, opts.connections, opts.seconds));
          }
        } finally {
          await bare.close();
        }
        const mem = rssOf(child.pid as number);
        const s = {
          rps: median(svc.map((x) => x.rps)),
          p50: median(svc.map((x) => x.p50)),
          p99: median(svc.map((x) => x.p99)),
        };
        const l = {
          rps: median(lim.map((x) => x.rps)),
          p50: median(lim.map((x) => x.p50)),
          p99: median(lim.map((x) => x.p99)),
        };
        rows.push({
          benchmark: `generator, ${size} clusters, ${opts.connections} clients`,
          'ours vs baseline': ratio(s.rps, l.rps),
          ours: `${fmt(s.rps, 0)} req/s, p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms`,
          baseline: `bare node:http ${fmt(l.rps, 0)} req/s, p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms`,
          memory: `RSS ${fmt(mem.rssMb, 0)} MB (peak ${fmt(mem.peakMb, 0)} MB)`,
          'reply size': `${fmt(reply.length / 1024, 0)} KiB`,
        });
      } finally {
        await stop(child);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
