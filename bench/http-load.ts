/**
 * A closed-loop HTTP/1.1 load generator: `connections` keep-alive sockets, each sending the same request again
 * as soon as the previous reply is complete, for `seconds`.
 *
 * Why not autocannon: it appends every body chunk to a JS string (`req.body += data`), which UTF-8-decodes the
 * reply. For ASCII JSON that is cheap, but for a gzip reply it costs the client ~80 ms per 1.4 MiB, so the client,
 * not the server, set the pace (~6 req/s against a bare server). This client only counts body bytes.
 */
import net from 'node:net';

export interface LoadOptions {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly connections: number;
  readonly seconds: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  /** Latency percentiles in ms. */
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly bodyBytes: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const u = new URL(opts.url);
  const body = Buffer.from(opts.body);
  const head = [
    `${opts.method} ${u.pathname}${u.search} HTTP/1.1`,
    `host: ${u.host}`,
    'connection: keep-alive',
    `content-length: ${body.length}`,
    ...Object.entries(opts.headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  const request = Buffer.concat([Buffer.from(head), body]);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let bodyBytes = 0;
  const started = process.hrtime.bigint();
  const until = started + BigInt(Math.round(opts.seconds * 1e9));

  const connection = () =>
    new Promise<void>((resolve) => {
      const socket = net.connect({ host: u.hostname, port: Number(u.port) || 80, noDelay: true });
      let sentAt = 0n;
      let pending: Buffer = Buffer.alloc(0);
      let remaining = -1; // body bytes still to read; -1 while reading the header
      let status = 0;
      const send = () => {
        if (process.hrtime.bigint() >= until) {
          socket.end();
          return;
        }
        sentAt = process.hrtime.bigint();
        socket.write(request);
      };
      const complete = () => {
        latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
        if (status < 200 || status > 299) non2xx++;
        remaining = -1;
        send();
      };
      socket.on('connect', send);
      socket.on('data', (chunk: Buffer) => {
        let data = chunk;
        while (data.length > 0) {
          if (remaining < 0) {
            pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
            const end = pending.indexOf(HEADER_END);
            if (end < 0) return;
            const header = pending.subarray(0, end).toString('latin1');
            status = Number(header.slice(9, 12));
            const length = /\r\ncontent-length:\s*(\d+)/i.exec(header)?.[1];
            if (length === undefined) {
              errors++;
              socket.destroy();
              return;
            }
            remaining = Number(length);
            data = pending.subarray(end + HEADER_END.length);
            pending = Buffer.alloc(0);
            if (remaining === 0) complete();
            continue;
          }
          const take = Math.min(remaining, data.length);
          bodyBytes += take;
          remaining -= take;
          data = data.subarray(take);
          if (remaining === 0) complete();
        }
      });
      socket.on('error', () => {
        errors++;
      });
      socket.on('close', () => resolve());
    });

  await Promise.all(Array.from({ length: opts.connections }, connection));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    non2xx,
    errors,
    bodyBytes,
  };
}
