/**
 * A small HTTP fake of Prometheus's instant-query API (`GET /api/v1/query?query=...`), answering the shapes the
 * real server gives: a one-sample vector, an empty vector, a NaN sample, or an error body. `refuse()` stops
 * listening (an unreachable Prometheus); every query asked is logged.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer = number | 'empty' | 'NaN' | { error: string; status: number };

export interface FakePrometheus {
  readonly url: string;
  readonly queries: string[];
  /** The answer for a query: the first rule whose text is contained in the query wins; default `empty`. */
  answer(contains: string, value: Answer): void;
  refuse(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakePrometheus(): Promise<FakePrometheus> {
  const rules: { contains: string; value: Answer }[] = [];
  const queries: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/api/v1/query') {
      send(404, { status: 'error', errorType: 'not_found', error: 'not found' });
      return;
    }
    const query = url.searchParams.get('query') ?? '';
    queries.push(query);
    const value = rules.find((r) => query.includes(r.contains))?.value ?? 'empty';
    const at = Date.now() / 1000;
    if (typeof value === 'object') {
      send(value.status, { status: 'error', errorType: 'bad_data', error: value.error });
      return;
    }
    const result =
      value === 'empty'
        ? []
        : [{ metric: {}, value: [at, value === 'NaN' ? 'NaN' : String(value)] }];
    send(200, { status: 'success', data: { resultType: 'vector', result } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    queries,
    answer: (contains, value) => {
      const i = rules.findIndex((r) => r.contains === contains);
      if (i >= 0) rules.splice(i, 1);
      rules.unshift({ contains, value });
    },
    refuse: close,
    close: () => (server.listening ? close() : Promise.resolve()),
  };
}
