/**
 * The fleet view in a real browser: Debian's headless Chromium driven by puppeteer-core (no browser download),
 * against the bundled generator serving the example fleet (FLEET_VIEW=true, as main.ts wires it) and against a
 * registry on the EKS fake with one failing target. It checks what a person would: the counts, a filter, a sort,
 * the failing target's message, a blue/green pair side by side; that the page's own script ran, that the CSP is
 * enforced and nothing violated it, and no console error. Screenshots go to test-artifacts/fleet-view/
 * (gitignored). Listed under `chromium` in test/environment/requirements.cjs.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { addAll, clusters, startEksHarness, type EksHarness } from '../fakes/aws/eks-harness';
import { startTestFleetView, VIEWER_TOKEN, type RunningFleetView } from '../helpers/fleet-view';
import { bundleSources, type SourceBundles } from '../helpers/bundle';
import { launchChromium } from '../helpers/chromium';
import { listeningPort, runNode, until, type RunningChild } from '../hostile/helpers/child';

const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/fleet-view');

let browser: Browser;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

interface Watched {
  readonly page: Page;
  readonly consoleErrors: string[];
  readonly violations: () => Promise<string[]>;
}

/** A tab that records console errors, uncaught exceptions and every CSP violation the page reports. */
async function watchedPage(): Promise<Watched> {
  // Its own context: no cookie of another test's session.
  const page = await (await browser.createBrowserContext()).newPage();
  await page.setViewport({ width: 1400, height: 900 });
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    // The login page and the refusals are 401/403 documents, which Chromium reports as failed loads.
    if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400 && r.status() !== 401 && r.status() !== 403)
      consoleErrors.push(`${r.status()} ${r.url()}`);
  });
  // Strings, not functions: they run in the page, and this project's TypeScript has no DOM library.
  await page.evaluateOnNewDocument(`
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
    });
  `);
  return {
    page,
    consoleErrors,
    violations: () => page.evaluate('window.cspViolations') as Promise<string[]>,
  };
}

/** Logs in through the form, as a person would, and waits for the page's own script to have run. */
async function logIn(w: Watched, url: string): Promise<void> {
  const first = await w.page.goto(`${url}/fleet`);
  expect(first?.status()).toBe(401);
  await w.page.type('#token', VIEWER_TOKEN);
  await Promise.all([w.page.waitForNavigation(), w.page.click('button[type=submit]')]);
  expect(w.page.url()).toBe(`${url}/fleet`);
  await ready(w.page);
}

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('html[data-ready="true"]', { timeout: 10_000 });
}

const text = (page: Page, selector: string) =>
  page.$eval(selector, (e) => (e.textContent ?? '').trim());
const rowNames = (page: Page) =>
  page.$$eval('#clusters tbody tr', (rows) => rows.map((r) => r.getAttribute('data-cluster')));

describe('the bundled generator with FLEET_VIEW=true on the example fleet', () => {
  let bundles: SourceBundles;
  let generator: RunningChild;
  let url: string;

  beforeAll(async () => {
    bundles = await bundleSources(['generator-service'], 'fleet-view-browser-');
    generator = runNode(bundles.file('generator-service'), [], {
      PORT: '0',
      HOST: '127.0.0.1',
      CLUSTERS_FILE: path.resolve(__dirname, '../../plugins/cluster-sources/examples/fleet.yaml'),
      GENERATOR_TOKEN: 'generator-token-browser-test',
      FLEET_VIEW: 'true',
      FLEET_VIEW_PORT: '0',
      FLEET_VIEW_TOKEN: VIEWER_TOKEN,
    });
    const port = await until(() => {
      const line = generator
        .stdout()
        .split('\n')
        .find((l) => l.includes('"msg":"fleet view listening"'));
      return line === undefined ? undefined : (JSON.parse(line) as { port: number }).port;
    });
    url = `http://127.0.0.1:${port}`;
    // The view shows the fleet once the generator has loaded it.
    const generatorPort = await listeningPort(generator);
    await until(async () => {
      const r = await fetch(`http://127.0.0.1:${generatorPort}/readyz`);
      return r.status === 200 ? true : undefined;
    });
  }, 60_000);
  afterAll(async () => {
    generator?.child.kill('SIGTERM');
    await generator?.exit;
    bundles?.remove();
  });

  it('shows the counts, filters and sorts, and the blue/green pair side by side', async () => {
    const w = await watchedPage();
    await logIn(w, url);
    const { page } = w;
    expect(await text(page, '#count-clusters')).toBe('12');
    expect(await rowNames(page)).toHaveLength(12);
    expect(await page.$eval('#matched', (e) => e.getAttribute('data-matched'))).toBe('12');
    expect(
      await page.$$eval('#chart-version g.bar', (bars) =>
        bars.map((b) => `${b.getAttribute('data-label')}:${b.getAttribute('data-count')}`),
      ),
    ).toEqual(['1.29:2', '1.30:6', '1.31:4']);
    expect(await text(page, '#registrar')).toContain('not installed');
    await page.screenshot({ path: path.join(ARTIFACTS, 'example-fleet.png'), fullPage: true });

    // The blue/green pair: blue on the left, green on the right, on one line, with their weights.
    const pair = await page.$eval('.pair[data-group="prod-euw1"]', (p) => {
      const box = (sel: string) => {
        const r = p.querySelector(sel)!.getBoundingClientRect();
        return { x: r.x, y: r.y };
      };
      return {
        blue: p.querySelector('.color-blue .member')?.textContent,
        green: p.querySelector('.color-green .member')?.textContent,
        blueBox: box('.color-blue'),
        greenBox: box('.color-green'),
      };
    });
    expect(pair.blue).toContain('prod-euw1-blue');
    expect(pair.blue).toContain('weight 90');
    expect(pair.green).toContain('prod-euw1-green');
    expect(pair.green).toContain('weight 10');
    expect(pair.greenBox.x).toBeGreaterThan(pair.blueBox.x);
    expect(pair.greenBox.y).toBe(pair.blueBox.y);

    // A filter, typed into the form.
    await page.evaluate("document.getElementById('selector').value = ''");
    await page.type('#selector', 'env=prod,team in (payments)');
    await Promise.all([page.waitForNavigation(), page.click('#filter button[type=submit]')]);
    await ready(page);
    expect(await rowNames(page)).toEqual(['prod-use1-payments']);
    expect(await text(page, '#matched')).toBe('1–1 of 1 matching');

    // Sorting by version through the select, which the page's script submits on change.
    await page.evaluate("document.getElementById('selector').value = ''");
    await Promise.all([page.waitForNavigation(), page.select('select[name=sort]', 'version')]);
    await ready(page);
    expect(page.url()).toContain('sort=version');
    const versions = await page.$$eval('#clusters tbody tr td:nth-child(6)', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(versions).toEqual([...versions].sort());
    await page.screenshot({
      path: path.join(ARTIFACTS, 'example-fleet-sorted.png'),
      fullPage: true,
    });

    expect(await w.violations()).toEqual([]);
    expect(w.consoleErrors).toEqual([]);

    // The CSP is enforced, not only sent: a script injected inline does not run and is reported.
    await page.evaluate(`
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.body.appendChild(s);
    `);
    expect(await page.evaluate('window.inlineRan')).toBeUndefined();
    await until(async () => ((await w.violations()).length > 0 ? true : undefined));
    expect((await w.violations())[0]).toMatch(/^script-src/);
    await page.browserContext().close();
  }, 60_000);
});

describe('the EKS fake with a failing target', () => {
  let h: EksHarness;
  let view: RunningFleetView;
  const HOME = '111111111111';

  beforeAll(async () => {
    h = await startEksHarness(
      { EKS_REGIONS: 'us-east-1,eu-west-1', EKS_ENROLL_SELECTOR: 'argocd=enabled' },
      {
        homeAccount: HOME,
        fleet: (fake) => {
          addAll(fake, HOME, 'us-east-1', clusters('hub', 3, { env: 'prod' }, { version: '1.30' }));
          addAll(fake, HOME, 'eu-west-1', clusters('edge', 2, { env: 'dev' }, { version: '1.31' }));
        },
      },
    );
    view = await startTestFleetView({ source: h.source });
    // eu-west-1 listed once, then fails: its clusters are kept, the target shows why.
    h.fake.addFault({
      match: { op: 'ListClusters', region: 'eu-west-1' },
      fault: {
        kind: 'error',
        status: 403,
        type: 'AccessDeniedException',
        message: 'not authorized to perform eks:ListClusters',
      },
    });
    await view.registry.refresh();
  }, 60_000);
  afterAll(async () => {
    await view?.close();
    await h?.close();
  });

  it("shows the failing target's message, its kept clusters and the healthy target's pages and calls", async () => {
    const w = await watchedPage();
    await logIn(w, view.url);
    const { page } = w;
    expect(await text(page, '#count-clusters')).toBe('5');
    expect(await text(page, '#count-targets')).toBe('2');
    expect(await text(page, '#count-failing')).toBe('1');
    const targets = await page.$$eval('#targets tbody tr', (rows) =>
      rows.map((r) => ({
        id: r.getAttribute('data-target'),
        failing: r.classList.contains('failing'),
        error: r.querySelector('.last-error')?.textContent,
        cells: [...r.querySelectorAll('td')].map((td) => td.textContent),
      })),
    );
    const failing = targets.find((t) => t.failing);
    expect(failing?.id).toBe(`eks:${HOME}/eu-west-1`);
    expect(failing?.error).toContain('not authorized to perform eks:ListClusters');
    const healthy = targets.find((t) => !t.failing);
    // One ListClusters page and three DescribeCluster calls.
    expect(healthy?.cells.slice(-2)).toEqual(['1', '4']);
    expect(await rowNames(page)).toEqual(['edge-000', 'edge-001', 'hub-000', 'hub-001', 'hub-002']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'eks-failing-target.png'), fullPage: true });
    expect(await w.violations()).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    await page.browserContext().close();
  }, 60_000);
});
