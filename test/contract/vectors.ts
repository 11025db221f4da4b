import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** `<repo root>/../shared`, wherever the repo is cloned (CI keeps a copy of shared/ beside it). */
export const SHARED_DIR = path.resolve(__dirname, '../../../shared');
export const VECTORS_DIR = path.join(SHARED_DIR, 'vectors/argocd-plugin-generator');

export interface ExpectedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly bodyRawExample?: string;
}

export interface ServerResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One file of shared/vectors/argocd-plugin-generator (see its README for the fields). */
export interface PluginVector {
  readonly name: string;
  readonly file: string;
  readonly derived?: boolean;
  readonly setup?: Record<string, unknown>;
  readonly expectedRequest?: ExpectedRequest | null;
  readonly serverResponse?: ServerResponse | null;
  readonly expectedParams?: unknown[] | null;
  readonly expectedError?: string | null;
  readonly expectedDecoded?: unknown;
  readonly expectedServiceResponse?: unknown;
  readonly cases?: { input: string; secretName: string; tokenKey: string; note?: string }[];
}

export type VectorLevel = 'generator' | 'service' | 'http' | 'parse';

export function levelOf(v: PluginVector): VectorLevel {
  if (v.cases) return 'parse';
  if (v.setup && 'applicationSet' in v.setup) return 'generator';
  if (v.setup && 'appSetName' in v.setup) return 'service';
  return 'http';
}

export function loadPluginVectors(): PluginVector[] {
  return fs
    .readdirSync(VECTORS_DIR)
    .filter((f) => /^plugin-generator-.*\.json$/.test(f))
    .sort()
    .map((file) => ({
      ...(JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, file), 'utf8')) as Omit<
        PluginVector,
        'file'
      >),
      file,
    }));
}

/** Replaces the README's `baseUrl` placeholders with a real URL. */
export function withBaseUrl<T>(setup: T, baseUrl: string): T {
  const json = JSON.stringify(setup).replace(/<fake server URL[^>]*>/g, baseUrl);
  return JSON.parse(json) as T;
}

export interface CapturedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** A fake plugin server on 127.0.0.1 that records every request and answers with `response`. */
export async function startFakePluginServer(response: ServerResponse | null): Promise<{
  url: string;
  requests: CapturedRequest[];
  close(): Promise<void>;
}> {
  const requests: CapturedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      });
      if (response === null) {
        res.writeHead(599).end();
        return;
      }
      res.writeHead(response.status, { ...response.headers });
      res.end(response.body);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** Sends raw bytes with exactly the given headers; resolves with status, headers and body. */
export function sendRaw(
  url: string,
  method: string,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: { ...headers, 'Content-Length': String(body.length) }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Deep-compares like upstream's json.Marshal comparison. */
export const normalize = (x: unknown): unknown => JSON.parse(JSON.stringify(x)) as unknown;

/** Every scalar leaf of a JSON value (path → value). */
export function scalarLeaves(v: unknown, at = '$'): [string, unknown][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => scalarLeaves(x, `${at}[${i}]`));
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v).flatMap(([k, x]) => scalarLeaves(x, `${at}.${k}`));
  }
  return [[at, v]];
}
