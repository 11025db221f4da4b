import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterRecord } from '../../core/cluster';
import {
  startTestFleetView,
  VIEWER_TOKEN,
  type RunningFleetView,
} from '../../test/helpers/fleet-view';
import { aClusterRecord } from '../../test/helpers/generator';
import { fleetPageJsonChunks, JSON_ROWS_PER_CHUNK, type FleetPage } from './fleet-page';
import { stream } from './server';

/*
 * Pages are written in pieces, the rows a slice at a time, with a turn of the event loop between pieces: a page
 * never exists as one large string, and a getparams request that arrives meanwhile is served before the next piece.
 */

let view: RunningFleetView | undefined;
afterEach(async () => {
  await view?.close();
  view = undefined;
});

function fleet(n: number): ClusterRecord[] {
  return Array.from({ length: n }, (_, i) =>
    aClusterRecord({
      clusterName: `c-${String(i).padStart(4, '0')}`,
      tags: { env: i % 2 === 0 ? 'prod' : 'dev' },
    }),
  );
}

const auth = { authorization: `Bearer ${VIEWER_TOKEN}` };

describe('streamed pages', () => {
  it('the JSON pieces join into the documented shape, rows serialized a slice at a time', async () => {
    view = await startTestFleetView({ records: fleet(300) });
    const res = await fetch(`${view.url}/api/v1/fleet?limit=120&selector=env%3Dprod`, {
      headers: auth,
    });
    expect(res.status).toBe(200);
    // Written as it is made: chunked, no Content-Length announcing a whole body held in memory.
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const page = (await res.json()) as FleetPage;
    expect(page.matched).toBe(150);
    expect(page.clusters).toHaveLength(120);
    expect(page.clusters[0]?.name).toBe('c-0000');
    expect(page.continue).toEqual(expect.any(String));

    const { clusters, ...rest } = page;
    const pieces = [
      ...fleetPageJsonChunks({
        page: rest,
        rowCount: clusters.length,
        rows: (start, end) => clusters.slice(start, end),
      }),
    ];
    // Head, ceil(120 / 50) slices of rows, tail.
    expect(pieces).toHaveLength(2 + Math.ceil(120 / JSON_ROWS_PER_CHUNK));
    expect(JSON.parse(pieces.join(''))).toEqual(page);
    expect(Object.keys(JSON.parse(pieces.join('')) as object)).toEqual(Object.keys(page));
  });

  it('the HTML page of 500 rows arrives whole (every row, the closing tags); HEAD has no body', async () => {
    view = await startTestFleetView({ records: fleet(600) });
    const res = await fetch(`${view.url}/fleet?limit=500`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html.match(/<tr data-cluster=/g)).toHaveLength(500);
    expect(html).toContain('1–500 of 600 matching');
    expect(html.trimEnd().endsWith('</body></html>')).toBe(true);
    const head = await fetch(`${view.url}/fleet?limit=500`, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('yields to the event loop between pieces, so other requests are served in between', async () => {
    const log: string[] = [];
    function* pieces() {
      for (let i = 0; i < 3; i++) {
        log.push(`piece ${i}`);
        yield `${i}\n`;
      }
    }
    const server = createServer((_req, res) => {
      // Work that arrives while the page is written (a getparams request, say) runs between its pieces.
      setImmediate(() => log.push('other work'));
      void stream(res, 'text/plain', pieces());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      expect(body).toBe('0\n1\n2\n');
      expect(log).toEqual(['piece 0', 'other work', 'piece 1', 'piece 2']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
