import { createHash } from 'node:crypto';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import type { QuerySpec } from './queries';

/** One request of the soak and what came back. Times are Date.now() values. */
export interface Answer {
  readonly seq: number;
  readonly specId: string;
  /** When the schedule wanted it sent, and when it was handed to the socket pool. */
  readonly scheduledAt: number;
  readonly sentAt: number;
  answeredAt: number;
  /** HTTP status, or 0 when no answer came (connection error, timeout). */
  status: number;
  /** Whether the request offered gzip (as Argo CD's Go client always does). */
  readonly gzip: boolean;
  /** 200: SHA-1 of the decoded body (the body itself is checked once per distinct hash). */
  hash: string | undefined;
  /** Content-Encoding of the answer, if any. */
  encoding: string | undefined;
  /** Non-200: the body as text (short); no answer: the error. */
  text: string | undefined;
  bytes: number;
}

export interface DriverOptions {
  readonly port: number;
  readonly path: string;
  readonly token: string;
  /** Requests per second, sent on a fixed schedule whatever the answers do (open loop). */
  readonly rate: number;
  readonly durationMs: number;
  readonly pick: () => QuerySpec;
  /** Called for each 200 with a body hash not seen before for that query (the body decoded). */
  readonly onNewBody: (spec: QuerySpec, hash: string, body: Buffer) => void;
  /** Decides per request whether to send `Accept-Encoding: gzip`. */
  readonly offerGzip: () => boolean;
  readonly maxSockets?: number;
  readonly timeoutMs?: number;
}

export interface DriverResult {
  readonly answers: readonly Answer[];
  readonly startedAt: number;
  readonly lastSentAt: number;
  readonly finishedAt: number;
  /** Worst delay between a request's scheduled and actual send (event-loop stalls). */
  readonly maxSendLagMs: number;
  readonly maxSocketsUsed: number;
  /** Most requests waiting in the agent for a free socket at once (client-side queueing). */
  readonly maxQueued: number;
  /** Once a second: requests waiting for a socket, and answers received so far. */
  readonly timeline: readonly {
    readonly atMs: number;
    readonly queued: number;
    readonly answered: number;
  }[];
}

/**
 * Open-loop load: request i is due at start + i / rate, independent of earlier answers, so a slow server meets
 * the same arrival rate Argo CD controllers would keep producing. If this process stalls, the backlog is sent
 * as soon as it runs again (and the lag is reported). Sockets are kept alive and bounded: beyond maxSockets,
 * requests wait in the agent's queue, which shows up as latency, not as a lower rate.
 */
/** A getparams POST as Argo CD sends it (bearer token, JSON body), offering gzip when asked. */
function postGetParams(
  target: { readonly port: number; readonly path: string; readonly token: string },
  agent: http.Agent,
  payload: string,
  gzip: boolean,
): http.ClientRequest {
  return http.request({
    host: '127.0.0.1',
    port: target.port,
    method: 'POST',
    path: target.path,
    agent,
    headers: {
      authorization: `Bearer ${target.token}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...(gzip ? { 'accept-encoding': 'gzip' } : {}),
    },
  });
}

export async function runOpenLoop(o: DriverOptions): Promise<DriverResult> {
  const maxSockets = o.maxSockets ?? 32;
  // FIFO keeps every pooled socket in use at this rate; with the default LIFO most sit idle until the
  // server's keep-alive timeout closes them, and a request racing that close gets ECONNRESET (a client-side
  // artefact of connection reuse, not an answer of the service).
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets,
    maxFreeSockets: maxSockets,
    scheduling: 'fifo',
  });
  const total = Math.round((o.rate * o.durationMs) / 1000);
  const answers: Answer[] = [];
  const payloads = new Map<string, string>();
  const seen = new Set<string>();
  /** Query and SHA-1 of the bytes on the wire → SHA-1 of the decoded body. */
  const decoded = new Map<string, string>();
  let pending = 0;
  let maxLag = 0;
  let maxSocketsUsed = 0;
  let maxQueued = 0;
  let lastSentAt = 0;
  let allDone: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => (allDone = resolve));
  let scheduling = true;

  const finish = (a: Answer) => {
    a.answeredAt = Date.now();
    answeredCount++;
    pending--;
    if (!scheduling && pending === 0) allDone();
  };

  const send = (seq: number, scheduledAt: number) => {
    const spec = o.pick();
    let payload = payloads.get(spec.id);
    if (payload === undefined) {
      payload = JSON.stringify({
        applicationSetName: `soak-${spec.id}`,
        input: { parameters: spec.parameters },
      });
      payloads.set(spec.id, payload);
    }
    const a: Answer = {
      seq,
      specId: spec.id,
      scheduledAt,
      sentAt: Date.now(),
      answeredAt: 0,
      status: 0,
      gzip: o.offerGzip(),
      hash: undefined,
      encoding: undefined,
      text: undefined,
      bytes: 0,
    };
    lastSentAt = a.sentAt;
    answers.push(a);
    pending++;
    const req = postGetParams(o, agent, payload, a.gzip);
    req.setTimeout(o.timeoutMs ?? 15_000, () => req.destroy(new Error('no answer in time')));
    req.on('error', (e) => {
      if (a.answeredAt !== 0) return;
      a.text = `${e.message}${req.reusedSocket ? ' (on a reused keep-alive socket)' : ''}`;
      finish(a);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => {
        if (a.answeredAt !== 0) return;
        a.text = `response: ${e.message}`;
        finish(a);
      });
      res.on('end', () => {
        if (a.answeredAt !== 0) return;
        const raw = Buffer.concat(chunks);
        a.status = res.statusCode ?? 0;
        a.bytes = raw.length;
        a.encoding = res.headers['content-encoding'];
        if (a.status === 200) {
          // Equal replies are equal bytes in either encoding (one cached gzip per reply), so the raw bytes
          // identify the reply; only a new one is decoded and handed over.
          const rawHash = `${spec.id} ${createHash('sha1').update(raw).digest('hex')}`;
          const known = decoded.get(rawHash);
          if (known !== undefined) {
            a.hash = known;
          } else {
            let body: Buffer;
            try {
              body = a.encoding === 'gzip' ? gunzipSync(raw) : raw;
            } catch (e) {
              body = Buffer.from(`undecodable ${a.encoding ?? ''} body: ${(e as Error).message}`);
            }
            a.hash = createHash('sha1').update(body).digest('hex');
            decoded.set(rawHash, a.hash);
            const key = `${spec.id} ${a.hash}`;
            if (!seen.has(key)) {
              seen.add(key);
              o.onNewBody(spec, a.hash, body);
            }
          }
        } else {
          let text: Buffer = raw;
          try {
            if (a.encoding === 'gzip') text = gunzipSync(raw);
          } catch {
            // Kept raw: the check reports a body that is not the designed JSON.
          }
          a.text = text.subarray(0, 2048).toString('utf8');
        }
        finish(a);
      });
    });
    req.end(payload);
    const used = Object.values(agent.sockets).reduce((n, l) => n + (l?.length ?? 0), 0);
    if (used > maxSocketsUsed) maxSocketsUsed = used;
    const queued = Object.values(agent.requests).reduce((n, l) => n + (l?.length ?? 0), 0);
    if (queued > maxQueued) maxQueued = queued;
  };

  const startedAt = Date.now();
  const t0 = performance.now();
  const timeline: { atMs: number; queued: number; answered: number }[] = [];
  let answeredCount = 0;
  const sampler = setInterval(() => {
    timeline.push({
      atMs: Date.now() - startedAt,
      queued: Object.values(agent.requests).reduce((n, l) => n + (l?.length ?? 0), 0),
      answered: answeredCount,
    });
  }, 1000);
  await new Promise<void>((resolve) => {
    let sent = 0;
    const tick = () => {
      const elapsed = performance.now() - t0;
      const due = Math.min(total, Math.floor((elapsed * o.rate) / 1000) + 1);
      while (sent < due) {
        const plannedMs = (sent * 1000) / o.rate;
        maxLag = Math.max(maxLag, elapsed - plannedMs);
        send(sent, startedAt + Math.round(plannedMs));
        sent++;
      }
      if (sent >= total) {
        resolve();
        return;
      }
      const nextMs = (sent * 1000) / o.rate;
      setTimeout(tick, Math.max(0, nextMs - (performance.now() - t0)));
    };
    tick();
  });
  scheduling = false;
  if (pending === 0) allDone();
  await drained;
  clearInterval(sampler);
  agent.destroy();
  return {
    answers,
    startedAt,
    lastSentAt,
    finishedAt: Date.now(),
    maxSendLagMs: Math.round(maxLag),
    maxSocketsUsed,
    maxQueued,
    timeline,
  };
}

export interface WarmUpOptions {
  readonly port: number;
  readonly path: string;
  readonly token: string;
  readonly durationMs: number;
  /** Requests in flight at once, each sent as soon as the previous one on its lane is answered. */
  readonly concurrency: number;
  readonly pick: () => QuerySpec;
  readonly offerGzip: () => boolean;
}

/**
 * Closed-loop load as fast as the service answers, before the measured soak: V8 sizes its young generation and
 * old space to the allocation rate it sees, and an open-loop run on a busy machine has bursts (a backlog drained
 * at full speed) that would otherwise make that resizing happen in the middle of the RSS measurement.
 */
export async function warmUp(o: WarmUpOptions): Promise<Readonly<Record<string, number>>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const byStatus: Record<string, number> = {};
  const until = Date.now() + o.durationMs;
  const one = (spec: QuerySpec) =>
    new Promise<string>((resolve) => {
      const payload = JSON.stringify({
        applicationSetName: `soak-warm-up-${spec.id}`,
        input: { parameters: spec.parameters },
      });
      const req = postGetParams(o, agent, payload, o.offerGzip());
      req.setTimeout(15_000, () => req.destroy(new Error('no answer in time')));
      req.on('error', (e) => resolve(`error ${e.message}`));
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
        res.on('error', (e) => resolve(`error ${e.message}`));
      });
      req.end(payload);
    });
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (Date.now() < until) {
        const status = await one(o.pick());
        byStatus[status] = (byStatus[status] ?? 0) + 1;
      }
    }),
  );
  agent.destroy();
  return byStatus;
}
