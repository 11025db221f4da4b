import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ClusterRecord } from '../../core/cluster';
import { aClusterUpgradeMidStep } from '../../test/helpers/cluster-upgrade';
import { startFakeClusterUpgradesApi } from '../../test/fakes/kube-api/cluster-upgrades';
import { writeKubeconfig } from '../../test/fakes/kube-api/kubeconfig';
import {
  GENERATOR_TOKEN,
  startTestFleetView,
  VIEWER_TOKEN,
  type RunningFleetView,
} from '../../test/helpers/fleet-view';
import {
  aClusterRecord,
  loadExampleAddonDefaults,
  loadExampleFleet,
} from '../../test/helpers/generator';
import type { FleetPage } from './fleet-page';
import { CONTENT_SECURITY_POLICY } from './server';

/*
 * The fleet view as a viewer and a script see it, over HTTP on its own listener: the JSON shape, filter, sort and
 * pagination, who may read it, the HTML's escaping, sources that are not installed, and that no secret leaves.
 */

let view: RunningFleetView | undefined;
afterEach(async () => {
  await view?.close();
  view = undefined;
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function api(query = '', headers: Record<string, string> = bearer(VIEWER_TOKEN)) {
  const res = await fetch(`${view!.url}/api/v1/fleet${query}`, { headers });
  return {
    status: res.status,
    body: (await res.json()) as FleetPage & { message?: string; code?: string },
  };
}

async function page(query = '', headers: Record<string, string> = bearer(VIEWER_TOKEN)) {
  const res = await fetch(`${view!.url}/fleet${query}`, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function exampleView(config = {}) {
  view = await startTestFleetView({
    records: loadExampleFleet(),
    addonDefaults: loadExampleAddonDefaults(),
    config,
  });
}

/** A fake AWS access key id, assembled so that credential scanners do not take the source for a real one. */
const PLANTED_KEY_ID = ['AKIA', 'ABCDEFGHIJKLMNOP'].join('');
describe('GET /api/v1/fleet: the documented shape', () => {
  it('summarises the example fleet and lists its clusters, pairs and targets', async () => {
    await exampleView();
    const { status, body } = await api();
    expect(status).toBe(200);
    expect(body.kind).toBe('FleetView');
    expect(body.snapshot).toEqual({
      version: 1,
      builtAt: expect.any(String),
      ageSeconds: expect.any(Number),
      ready: true,
      notReadyReason: null,
    });
    expect(body.summary.clusters).toBe(12);
    expect(body.summary.byStatus).toEqual({ ACTIVE: 11, CREATING: 1 });
    expect(body.summary.byVersion).toEqual([
      { version: '1.29', count: 2 },
      { version: '1.30', count: 6 },
      { version: '1.31', count: 4 },
    ]);
    expect(body.summary.byEnv).toEqual([
      { env: 'dev', count: 3 },
      { env: 'prod', count: 6 },
      { env: 'staging', count: 3 },
    ]);
    expect(body.summary.targets).toEqual({ listed: 1, stale: 0, failing: 0 });
    expect(body.matched).toBe(12);
    expect(body.continue).toBeNull();
    const names = body.clusters.map((c) => c.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(12);
    const blue = body.clusters.find((c) => c.upgrade.color === 'blue');
    expect(blue).toEqual({
      name: expect.any(String),
      accountId: expect.stringMatching(/^\d{12}$/),
      region: 'eu-west-1',
      env: 'prod',
      labels: expect.objectContaining({ env: 'prod' }),
      version: expect.any(String),
      platformVersion: expect.any(String),
      status: 'ACTIVE',
      upgrade: { group: 'prod-euw1', color: 'blue', weight: '90' },
      upgradeInProgress: null,
      addonDefaults: expect.objectContaining({ 'vpc-cni': expect.any(String) }),
      registration: null,
      registrationReason: null,
    });
    expect(body.pairs).toEqual([
      {
        group: 'prod-euw1',
        blue: [expect.objectContaining({ weight: '90' })],
        green: [expect.objectContaining({ weight: '10' })],
        uncolored: [],
        upgradeInProgress: null,
      },
    ]);
    expect(body.targets).toEqual([
      expect.objectContaining({ id: 'static:test', failing: false, stale: false, lastError: null }),
    ]);
  });

  it('shows each source that is not part of the installation as not installed, not as an error', async () => {
    await exampleView();
    const { body } = await api();
    expect(body.sources.registrar).toEqual({
      state: 'not-installed',
      message: 'FLEET_VIEW_REGISTRAR_URL is not set',
      readAt: null,
    });
    expect(body.sources.clusterUpgrades.state).toBe('not-installed');
    expect(body.summary.registration).toBeNull();
    expect(body.summary.upgradesInProgress).toBeNull();
    const html = await page();
    expect(html.status).toBe(200);
    expect(html.text).toMatch(
      /<div class="card" id="registrar"><h3>Registration<\/h3><span class="muted"[^>]*>not installed<\/span>/,
    );
    expect(html.text).toMatch(
      /id="upgrades"><h3>Upgrades<\/h3><span class="muted"[^>]*>not installed/,
    );
  });
});

describe('filter, sort and pagination on the server', () => {
  it('filters with the kubectl selector string and with the structured form', async () => {
    await exampleView();
    const s = await api(
      `?selector=${encodeURIComponent('env=prod,argocd-eks-plugins/upgrade-color in (blue,green)')}`,
    );
    expect(s.body.matched).toBe(2);
    expect(s.body.clusters.map((c) => c.upgrade.color).sort()).toEqual(['blue', 'green']);
    const structured = JSON.stringify({
      matchLabels: { env: 'prod' },
      matchExpressions: [{ key: 'argocd-eks-plugins/upgrade-color', operator: 'Exists' }],
    });
    const o = await api(`?labelSelector=${encodeURIComponent(structured)}`);
    expect(o.body.matched).toBe(2);
    expect(o.body.pairs.map((p) => p.group)).toEqual(['prod-euw1']);
    const none = await api(`?selector=env%3Dnowhere`);
    expect(none.body).toMatchObject({ matched: 0, clusters: [], pairs: [], pairsMatched: 0 });
  });

  it('refuses a bad selector, sort, limit or unknown parameter with a 400 naming each', async () => {
    await exampleView();
    const r = await api('?selector=env%3D%3D%3D&sort=size&limit=0&colour=blue');
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('ERR_INPUT');
    for (const name of ['selector:', 'sort:', 'limit:', 'colour:'])
      expect(r.body.message).toContain(name);
  });

  it('sorts by a column, both ways, with ties by name', async () => {
    await exampleView();
    const asc = await api('?sort=version');
    const versions = asc.body.clusters.map((c) => c.version);
    expect(versions).toEqual([...versions].sort());
    const desc = await api('?sort=version&order=desc');
    expect(desc.body.clusters.map((c) => c.name)).toEqual(
      asc.body.clusters.map((c) => c.name).reverse(),
    );
  });

  it('pages with limit and continue until every cluster was listed once', async () => {
    await exampleView();
    const seen: string[] = [];
    let token: string | null = '';
    let pages = 0;
    while (token !== null) {
      const r = await api(
        `?limit=5&sort=region${token === '' ? '' : `&continue=${encodeURIComponent(token)}`}`,
      );
      expect(r.status).toBe(200);
      expect(r.body.matched).toBe(12);
      seen.push(...r.body.clusters.map((c) => c.name));
      token = r.body.continue;
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(12);
    const first = await api('?limit=5');
    const other = await api(
      `?limit=5&sort=status&continue=${encodeURIComponent(first.body.continue ?? '')}`,
    );
    expect(other.status).toBe(400);
    expect(other.body.message).toContain('continue:');
  });

  it('answers 410 to a continue token made on an older snapshot', async () => {
    const records = [aClusterRecord({ clusterName: 'a' }), aClusterRecord({ clusterName: 'b' })];
    let current: ClusterRecord[] = records;
    view = await startTestFleetView({
      source: {
        kind: 'file',
        load: () =>
          Promise.resolve({
            records: current,
            parts: [{ id: 'static:test', lastSuccessAt: Date.now(), lastError: undefined }],
          }),
      },
    });
    const first = await api('?limit=1');
    current = [...records, aClusterRecord({ clusterName: 'c' })];
    await view.registry.refresh();
    const next = await api(`?limit=1&continue=${encodeURIComponent(first.body.continue ?? '')}`);
    expect(next.status).toBe(410);
    expect(next.body.message).toContain('the fleet changed since the first page');
  });
});

describe('who may read the view', () => {
  it('API: no token and a wrong token are 401, the generator token 403, the viewer token 200', async () => {
    await exampleView();
    expect((await api('', {})).status).toBe(401);
    expect((await api('', bearer('not-the-token'))).status).toBe(401);
    expect((await api('', { authorization: `Basic ${VIEWER_TOKEN}` })).status).toBe(401);
    const generator = await api('', bearer(GENERATOR_TOKEN));
    expect(generator.status).toBe(403);
    expect(generator.body.message).toContain("the generator's token does not open the fleet view");
    expect((await api('', bearer(VIEWER_TOKEN))).status).toBe(200);
  });

  it('page: without credentials a 401 login form; the generator token 403', async () => {
    await exampleView();
    const anon = await page('', {});
    expect(anon.status).toBe(401);
    expect(anon.text).toContain('<form method="post" action="/fleet/login">');
    expect(anon.text).not.toContain('id="clusters"');
    const generator = await page('', bearer(GENERATOR_TOKEN));
    expect(generator.status).toBe(403);
    expect(generator.text).not.toContain('id="clusters"');
  });

  async function login(token: string, headers: Record<string, string>) {
    return fetch(`${view!.url}/fleet/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ token }).toString(),
      redirect: 'manual',
    });
  }

  it('login: checks Origin, refuses wrong and generator tokens, and sets an HttpOnly SameSite=Strict session cookie', async () => {
    await exampleView();
    const origin = { origin: view!.url };
    expect((await login(VIEWER_TOKEN, {})).status).toBe(403);
    expect((await login(VIEWER_TOKEN, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await login(VIEWER_TOKEN, { origin: 'null' })).status).toBe(403);
    expect((await login('wrong', origin)).status).toBe(401);
    expect((await login(GENERATOR_TOKEN, origin)).status).toBe(403);

    const ok = await login(VIEWER_TOKEN, origin);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/fleet');
    const setCookie = ok.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      /^fleet_view_session=[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]+; Path=\/; Max-Age=3600; HttpOnly; SameSite=Strict$/,
    );
    expect(setCookie).not.toContain(VIEWER_TOKEN);
    const cookie = setCookie.split(';')[0] ?? '';

    const withCookie = await page('', { cookie });
    expect(withCookie.status).toBe(200);
    expect(withCookie.text).toContain('id="clusters"');
    expect((await api('', { cookie })).status).toBe(200);

    // A forged or altered session is refused.
    const [id, exp, sig] = cookie.slice('fleet_view_session='.length).split('.');
    expect(
      (await api('', { cookie: `fleet_view_session=${id}.${Number(exp) + 3600}.${sig}` })).status,
    ).toBe(401);
    expect((await api('', { cookie: 'fleet_view_session=abc' })).status).toBe(401);

    const out = await fetch(`${view!.url}/fleet/logout`, {
      method: 'POST',
      headers: { ...origin, cookie },
      redirect: 'manual',
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toContain('fleet_view_session=; Path=/; Max-Age=0');
  });

  it('login: a form larger than a login needs, sent without a length, is answered 413', async () => {
    await exampleView();
    const url = new URL(`${view!.url}/fleet/login`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            origin: view!.url,
            'content-type': 'application/x-www-form-urlencoded',
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write(`token=${'x'.repeat(2048)}&`);
      req.end();
    });
    expect(status).toBe(413);
  });

  it('refuses to start on a viewer token file holding fewer than 16 characters', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-view-token-'));
    const file = path.join(dir, 'token');
    writeFileSync(file, 'short-token\n');
    await expect(
      startTestFleetView({ records: [], config: { token: { kind: 'file', path: file } } }),
    ).rejects.toThrow(
      `FLEET_VIEW_TOKEN_FILE ${file}: the viewer token has 11 characters; it needs at least 16`,
    );
  });
});

describe('the HTML page', () => {
  const hostile = '<script>alert(1)</script>';
  const hostileGroup = '"><img src=x onerror=alert(2)>';

  it('escapes every value: a tag holding <script> shows as text', async () => {
    view = await startTestFleetView({
      records: [
        aClusterRecord({
          clusterName: 'evil',
          tags: {
            'argocd-eks-plugins/name': hostile,
            'argocd-eks-plugins/upgrade-group': hostileGroup,
            'argocd-eks-plugins/upgrade-color': 'blue',
            env: 'prod',
          },
        }),
        aClusterRecord({ clusterName: 'plain', tags: { env: 'prod' } }),
      ],
    });
    const html = await page(`?selector=${encodeURIComponent('env=prod')}`);
    expect(html.status).toBe(200);
    expect(html.text).not.toContain(hostile);
    expect(html.text).not.toContain('<img src=x');
    expect(html.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.text).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    // The only <script> element is the view's own file.
    expect(html.text.match(/<script/g)).toHaveLength(1);
    expect(html.text).toContain('<script src="/fleet/assets/fleet-view.js" defer></script>');
    // The filter's value comes back escaped too.
    const reflected = await page(`?selector=${encodeURIComponent('"><b>x')}`);
    expect(reflected.status).toBe(400);
    expect(reflected.text).not.toContain('"><b>x');
  });

  it('is served with a strict CSP, and its script and stylesheet from this origin', async () => {
    await exampleView();
    const html = await page();
    expect(html.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(html.headers.get('x-frame-options')).toBe('DENY');
    expect(html.headers.get('cache-control')).toBe('no-store');
    expect(html.text).not.toMatch(/<script>|\sstyle=|\son[a-z]+=|(src|href|action)="https?:/);
    const js = await fetch(`${view!.url}/fleet/assets/fleet-view.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain("setAttribute('data-ready', 'true')");
    // Charts: one bar per Kubernetes version and per environment.
    expect(html.text.match(/<g class="bar" data-label="[^"]*" data-count="\d+">/g)).toHaveLength(6);
  });
});

describe('registration and upgrades when installed', () => {
  let registrar: Server | undefined;
  afterEach(async () => {
    registrar?.closeAllConnections();
    await new Promise<void>((r) => (registrar ? registrar.close(() => r()) : r()));
    registrar = undefined;
  });

  async function fakeRegistrar(
    status: number,
    body: unknown,
  ): Promise<{ url: string; auth: string[] }> {
    const auth: string[] = [];
    registrar = createServer((req, res) => {
      auth.push(req.headers.authorization ?? '');
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }).listen(0, '127.0.0.1');
    await new Promise((r) => registrar!.once('listening', r));
    return { url: `http://127.0.0.1:${(registrar.address() as AddressInfo).port}`, auth };
  }

  it("reads the registrar's status with the generator's token and shows each cluster's registration", async () => {
    const names = loadExampleFleet()
      .map((r) => r.clusterName)
      .sort();
    const r = await fakeRegistrar(200, {
      leader: true,
      lastReconcile: { at: '2026-12-07T17:00:00.000Z', result: 'success' },
      registered: names
        .slice(2)
        .map((cluster) => ({ cluster, secret: `eks-${cluster}`, server: 'https://x' })),
      foreign: [
        {
          cluster: names[0],
          secret: 's',
          server: 'https://x',
          kind: 'foreign-server',
          blockedBy: 'by-hand',
          owner: 'hand-made',
        },
      ],
      pending: [
        {
          cluster: names[1],
          secret: 's',
          server: 'https://x',
          reason: 'no certificate authority data yet',
        },
      ],
    });
    await exampleView({ registrarUrl: r.url });
    const { body } = await api();
    expect(r.auth).toEqual([`Bearer ${GENERATOR_TOKEN}`]);
    expect(body.sources.registrar.state).toBe('ok');
    expect(body.summary.registration).toEqual({ registered: 10, foreign: 1, pending: 1 });
    expect(body.clusters[0]).toMatchObject({
      registration: 'foreign',
      registrationReason: 'blocked by Secret by-hand (hand-made)',
    });
    expect(body.clusters[1]).toMatchObject({
      registration: 'pending',
      registrationReason: 'no certificate authority data yet',
    });
    expect(body.clusters[2]).toMatchObject({ registration: 'registered' });
  });

  it('a registrar without the status route is not installed; one answering 500 is unavailable', async () => {
    const r = await fakeRegistrar(404, { message: 'no route' });
    await exampleView({ registrarUrl: r.url });
    expect((await api()).body.sources.registrar.state).toBe('not-installed');
    await view!.close();
    registrar!.closeAllConnections();
    await new Promise<void>((res) => registrar!.close(() => res()));
    const broken = await fakeRegistrar(500, { message: 'boom' });
    await exampleView({ registrarUrl: broken.url });
    const { body } = await api();
    expect(body.sources.registrar).toMatchObject({
      state: 'unavailable',
      message: expect.stringContaining('HTTP 500'),
    });
    expect(body.clusters[0]?.registration).toBeNull();
  });

  it("never shows the user and password of the registrar's URL", async () => {
    await exampleView({ registrarUrl: 'http://viewer:hunter2-password@127.0.0.1:9/base' });
    const { body } = await api();
    expect(body.sources.registrar).toMatchObject({
      state: 'unavailable',
      message: expect.stringContaining('registrar status http://127.0.0.1:9/base/'),
    });
    expect(JSON.stringify(body)).not.toContain('hunter2-password');
    expect((await page()).text).not.toContain('hunter2-password');
  });

  it('reads ClusterUpgrade objects through the Kubernetes client; no CRD (404) is not installed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-view-kube-'));
    const installed = await startFakeClusterUpgradesApi({
      installed: true,
      items: [aClusterUpgradeMidStep('prod-euw1')],
    });
    try {
      view = await startTestFleetView({
        records: loadExampleFleet(),
        config: { upgradesNamespace: 'argocd' },
        env: { KUBECONFIG: writeKubeconfig(dir, installed.url, 'kube-token') },
      });
      const { body } = await api();
      expect(body.sources.clusterUpgrades).toMatchObject({ state: 'ok', message: null });
      expect(installed.requests).toEqual([
        '/apis/argocd-eks-plugins.io/v1alpha1/namespaces/argocd/clusterupgrades',
      ]);
      expect(body.sources.clusterUpgrades.state).toBe('ok');
      expect(body.summary.upgradesInProgress).toBe(1);
      const prodEuw1 = {
        name: 'prod-euw1-to-1-30',
        phase: 'Baking',
        stage: 'Baking',
        message: 'step 3: green 25, baking until 2026-12-07T20:10:00.000Z',
        step: { number: 3, of: 5, greenWeight: 25 },
        weights: { blue: 75, green: 25 },
        targetWeights: { blue: 75, green: 25 },
        movesTo: { name: 'prod-euw1-green', color: 'green' },
      };
      expect(body.pairs.find((p) => p.group === 'prod-euw1')?.upgradeInProgress).toEqual(prodEuw1);
      expect(body.clusters.find((c) => c.name === 'prod-euw1-blue')?.upgradeInProgress).toEqual(
        prodEuw1,
      );
      const html = (await page()).text;
      expect(html).toContain(
        '<b>prod-euw1-to-1-30</b>: <span class="phase">Baking</span> (Baking) · step <span class="step">3/5 (green 25 %)</span> · weights <span class="weights">blue 75 / green 25</span> · target <span class="target-weights">blue 75 / green 25</span> · traffic moves to <span class="moves-to">prod-euw1-green</span> (tagged green)',
      );
      expect(html).toContain('step 3: green 25, baking until 2026-12-07T20:10:00.000Z');
    } finally {
      await installed.close();
    }
    const absent = await startFakeClusterUpgradesApi({ installed: false });
    try {
      await view.close();
      view = await startTestFleetView({
        records: loadExampleFleet(),
        config: { upgradesNamespace: 'argocd' },
        env: { KUBECONFIG: writeKubeconfig(dir, absent.url, 'kube-token', 'absent') },
      });
      const { body } = await api();
      expect(body.sources.clusterUpgrades).toEqual({
        state: 'not-installed',
        message: 'the ClusterUpgrade CRD is not installed',
        readAt: null,
      });
    } finally {
      await absent.close();
    }
  });
});

describe('no secret in the output', () => {
  it('never shows CA data, the tokens or a key id, even inside an error message', async () => {
    const records = loadExampleFleet();
    const caData = records[0]?.caData ?? '';
    expect(caData.length).toBeGreaterThan(20);
    view = await startTestFleetView({
      source: {
        kind: 'eks',
        load: () =>
          Promise.resolve({
            records,
            parts: [
              {
                id: 'eks:210987654321/eu-west-1',
                scope: { accountId: '210987654321', region: 'eu-west-1' },
                lastSuccessAt: Date.now() - 5000,
                lastError: `AccessDenied for ${PLANTED_KEY_ID} with ${GENERATOR_TOKEN}`,
              },
            ],
          }),
      },
    });
    const json = JSON.stringify((await api()).body);
    const html = (await page()).text;
    for (const out of [json, html]) {
      expect(out).not.toContain(caData.slice(0, 40));
      expect(out).not.toContain('caData');
      expect(out).not.toContain(GENERATOR_TOKEN);
      expect(out).not.toContain(VIEWER_TOKEN);
      expect(out).not.toContain(PLANTED_KEY_ID);
      expect(out).toContain('AccessDenied for [redacted] with [redacted]');
    }
  });
});
