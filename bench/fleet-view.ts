/**
 * `--only=fleet-view`: the fleet view on a 10,000-cluster fleet, against the generator without it.
 * - a page of 500 from `GET /api/v1/fleet` (first request, which builds the per-snapshot model, then steady state);
 * - the page interactive in headless Chromium (navigation start → the page's script has run);
 * - getparams p99 under load, alone and while a viewer keeps loading pages of 500, side by side;
 * - RSS of the generator with the view (after serving pages) against the same generator without it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { stringify } from 'yaml';
import type { ClusterRecord } from '../core/cluster';
import { syntheticFleet } from './fleet';
import { runLoad, type LoadResult } from './http-load';
import { rssOf, startNode, stop, waitForHttp } from './process';
import { fmt, median, type Row } from './stats';

const TOKEN = 'bench-token-not-a-secret';
const VIEWER = 'bench-viewer-token-not-a-secret';
const BODY = '{"applicationSetName":"bench","input":{"parameters":{}}}\n';

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

/** The synthetic fleet with one blue/green pair per 10 clusters, so the view has pairs to show. */
function fleetWithPairs(n: number): ClusterRecord[] {
  return syntheticFleet(n).map((r, i) =>
    i % 10 < 2
      ? {
          ...r,
          tags: {
            ...r.tags,
            'argocd-eks-plugins/upgrade-group': `group-${Math.floor(i / 10)}`,
            'argocd-eks-plugins/upgrade-color': i % 10 === 0 ? 'blue' : 'green',
            'argocd-eks-plugins/upgrade-weight': i % 10 === 0 ? '90' : '10',
          },
        }
      : r,
  );
}

async function timed(url: string, headers: Record<string, string>): Promise<number> {
  const t = process.hrtime.bigint();
  const r = await fetch(url, { headers });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function p(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}

async function getparamsLoad(url: string, seconds: number): Promise<LoadResult> {
  const r = await runLoad({
    url,
    method: 'POST',
    connections: 20,
    seconds,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      'accept-encoding': 'gzip',
    },
    body: BODY,
  });
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r;
}

export async function runFleetViewBench(opts: {
  clusters: number;
  seconds: number;
  rounds: number;
  chromium: string;
}): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-view-'));
  const file = join(dir, 'fleet.yaml');
  writeFileSync(file, stringify({ clusters: fleetWithPairs(opts.clusters) }));
  const [plainPort, viewGenPort, viewPort] = [await freePort(), await freePort(), await freePort()];
  const common = {
    GENERATOR_TOKEN: TOKEN,
    CLUSTERS_FILE: file,
    LOG_LEVEL: 'error',
    HOST: '127.0.0.1',
  };
  const plain = startNode('dist/generator-service.cjs', { ...common, PORT: String(plainPort) });
  const withView = startNode('dist/generator-service.cjs', {
    ...common,
    PORT: String(viewGenPort),
    FLEET_VIEW: 'true',
    FLEET_VIEW_PORT: String(viewPort),
    FLEET_VIEW_TOKEN: VIEWER,
  });
  const rows: Row[] = [];
  try {
    await waitForHttp(`http://127.0.0.1:${plainPort}/readyz`, 120_000);
    await waitForHttp(`http://127.0.0.1:${viewGenPort}/readyz`, 120_000);
    const gpPlain = `http://127.0.0.1:${plainPort}/api/v1/getparams.execute`;
    const gpView = `http://127.0.0.1:${viewGenPort}/api/v1/getparams.execute`;
    const view = `http://127.0.0.1:${viewPort}`;
    const auth = { authorization: `Bearer ${VIEWER}` };
    // Both generators warm the same way (JIT, reply cache, the GC left by parsing the fleet).
    await getparamsLoad(gpPlain, 3);
    await getparamsLoad(gpView, 3);

    // A page of 500 from the JSON API: the first request builds the model, later ones filter and slice.
    const api = `${view}/api/v1/fleet?limit=500`;
    const first = await timed(api, auth);
    const firstSorted = await timed(`${api}&sort=version`, auth);
    const steady: number[] = [];
    const filtered: number[] = [];
    const html: number[] = [];
    for (let i = 0; i < 30; i++) {
      steady.push(await timed(`${api}&sort=${i % 2 === 0 ? 'name' : 'version'}`, auth));
      filtered.push(
        await timed(`${api}&selector=${encodeURIComponent('env=prod,team notin (team-3)')}`, auth),
      );
      html.push(await timed(`${view}/fleet?limit=500`, auth));
    }
    const apiBytes = (await (await fetch(api, { headers: auth })).arrayBuffer()).byteLength;
    rows.push({
      benchmark: `fleet view, ${opts.clusters} clusters: GET /api/v1/fleet, page of 500`,
      result: `first ${fmt(first)} ms (builds the model), first sort by version ${fmt(firstSorted)} ms; then p50 ${fmt(median(steady))} ms, p99 ${fmt(p(steady, 0.99))} ms; with a selector p50 ${fmt(median(filtered))} ms`,
      target: '≤ 100 ms',
      notes: `${fmt(apiBytes / 1024, 0)} KiB of JSON`,
    });
    rows.push({
      benchmark: `fleet view, ${opts.clusters} clusters: GET /fleet (HTML), page of 500`,
      result: `p50 ${fmt(median(html))} ms, p99 ${fmt(p(html, 0.99))} ms (server, whole body)`,
      target: '',
      notes: '',
    });

    // Interactive in headless Chromium: navigation start → the page's script set data-ready.
    const browser = await puppeteer.launch({
      executablePath: opts.chromium,
      headless: true,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
    try {
      const times: number[] = [];
      const domInteractive: number[] = [];
      for (let i = 0; i < 6; i++) {
        const page = await (await browser.createBrowserContext()).newPage();
        await page.setExtraHTTPHeaders(auth);
        const t = Date.now();
        await page.goto(`${view}/fleet?limit=500`, { waitUntil: 'domcontentloaded' });
        await page.waitForSelector('html[data-ready="true"]');
        const ms = Date.now() - t;
        // A string: it runs in the page, and this project's TypeScript has no DOM library.
        const di = (await page.evaluate(
          "performance.getEntriesByType('navigation')[0].domInteractive",
        )) as number;
        // The first load is the browser's own warm-up (process start, caches): not counted.
        if (i > 0) {
          times.push(ms);
          domInteractive.push(di);
        }
        await page.browserContext().close();
      }
      rows.push({
        benchmark: `fleet view, ${opts.clusters} clusters: /fleet?limit=500 interactive in headless Chromium`,
        result: `p50 ${fmt(median(times), 0)} ms, max ${fmt(Math.max(...times), 0)} ms (domInteractive p50 ${fmt(median(domInteractive), 0)} ms)`,
        target: '≤ 1 s',
        notes: `${times.length} loads after one warm-up`,
      });
    } finally {
      await browser.close();
    }

    // getparams p99, alone and while a viewer keeps loading pages of 500 (HTML and JSON, one at a time).
    const alone: number[] = [];
    const busy: number[] = [];
    const aloneRps: number[] = [];
    const busyRps: number[] = [];
    let pagesServed = 0;
    for (let r = 0; r < opts.rounds; r++) {
      const a = await getparamsLoad(gpView, opts.seconds);
      alone.push(a.p99);
      aloneRps.push(a.rps);
      let stopViewer = false;
      const viewer = (async () => {
        let i = 0;
        while (!stopViewer) {
          await timed(i++ % 2 === 0 ? `${view}/fleet?limit=500` : `${api}&sort=region`, auth);
          pagesServed++;
        }
      })();
      const b = await getparamsLoad(gpView, opts.seconds);
      stopViewer = true;
      await viewer;
      busy.push(b.p99);
      busyRps.push(b.rps);
    }
    rows.push({
      benchmark: `fleet view, ${opts.clusters} clusters: getparams (20 clients, gzip) p99 without / with a viewer loading pages of 500`,
      result: `${fmt(median(alone))} ms / ${fmt(median(busy))} ms (${fmt(median(aloneRps), 0)} / ${fmt(median(busyRps), 0)} req/s)`,
      target: 'no delay',
      notes: `${pagesServed} pages served meanwhile; medians of ${opts.rounds} rounds`,
    });

    // RSS: the same fleet and the same getparams load (the rounds above, on the generator without the view too),
    // with the view (after all the pages above) and without it.
    for (let r = 0; r < opts.rounds * 2; r++) await getparamsLoad(gpPlain, opts.seconds);
    const memPlain = rssOf(plain.pid as number);
    const memView = rssOf(withView.pid as number);
    rows.push({
      benchmark: `fleet view, ${opts.clusters} clusters: generator RSS with the view (after serving pages) vs without`,
      result: `${fmt(memView.rssMb, 0)} MB vs ${fmt(memPlain.rssMb, 0)} MB: +${fmt(memView.rssMb - memPlain.rssMb)} MB`,
      target: '≤ +10 MB',
      notes: `peak ${fmt(memView.peakMb, 0)} MB vs ${fmt(memPlain.peakMb, 0)} MB`,
    });
  } finally {
    await Promise.all([stop(plain), stop(withView)]);
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
