/**
 * The service with its real file-backed parts: the fleet file source and the token file, changed while serving.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createJsonLogger } from '../../core/logger';
import { createApp } from '../../generator-service/app';
import { createServiceMetrics } from '../../generator-service/metrics';
import {
  createFleetRegistry,
  type FleetRegistry,
} from '../../generator-service/snapshot/fleet-snapshots';
import { tokenFromFile } from '../../generator-service/token-file';
import { createClusterSource } from '../../plugins/cluster-sources';
import { exampleFleetPath } from '../../plugins/cluster-sources/examples';

const PATH = '/api/v1/getparams.execute';

describe('fleet file and token file changes while serving', () => {
  let dir: string;
  let fleet: string;
  let tokenFile: string;
  let registry: FleetRegistry;
  let app: ReturnType<typeof createApp>;
  let logs: string[];
  let metrics: ReturnType<typeof createServiceMetrics>;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'generator-'));
    fleet = path.join(dir, 'fleet.yaml');
    tokenFile = path.join(dir, 'token');
    copyFileSync(exampleFleetPath(), fleet);
    writeFileSync(tokenFile, 'token-one\n');
    logs = [];
    const log = createJsonLogger({ write: (l: string) => logs.push(l) }, 'debug');
    const selected = createClusterSource('file', { log, env: { CLUSTERS_FILE: fleet } });
    if ('issues' in selected) throw new Error(selected.issues.join('; '));
    metrics = createServiceMetrics();
    registry = createFleetRegistry({ source: selected.source, log, metrics });
    await registry.refresh();
    app = createApp({
      registry,
      tokens: tokenFromFile(tokenFile, { log, checkIntervalMs: 0 }),
      log,
      metrics,
    });
  });
  afterEach(async () => {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = (token: string) =>
    request(app).post(PATH).set('Authorization', `Bearer ${token}`).send('{"input":{}}\n');
  const count = (res: request.Response) => (res.body.output.parameters as unknown[]).length;
  const names = (res: request.Response) =>
    (res.body.output.parameters as { name: string }[]).map((p) => p.name);

  test('a broken fleet file keeps the last registry (and logs why); a fixed one is served', async () => {
    expect(count(await ask('token-one'))).toBe(11);
    const good = readFileSync(fleet, 'utf8');

    const broken = good.replace("accountId: '012345678901'", 'accountId: 012345678901');
    expect(broken).not.toBe(good);
    writeFileSync(fleet, broken);
    await registry.refresh();
    const during = await ask('token-one');
    expect(during.status).toBe(200);
    expect(count(during)).toBe(11);
    expect(logs.join('\n')).toMatch(
      new RegExp(
        `keeping the last good fleet.*${fleet.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: clusters\\[\\d+\\]\\.accountId: must be a string \\(quote it`,
      ),
    );
    expect((await request(app).get('/readyz')).status).toBe(200);
    // Unchanged and still broken: a failed refresh each time it is read, not only the first.
    await registry.refresh();
    await registry.refresh();
    expect(await metrics.registry.metrics()).toContain(
      'generator_registry_refresh_failures_total{reason="load"} 3',
    );
    expect(registry.current()?.parts[0]?.lastError).toContain('accountId: must be a string');

    writeFileSync(
      fleet,
      good.replace(/ {2}- clusterName: dev-euw1[\s\S]*?(?= {2}- clusterName: dev-use1)/, ''),
    );
    // A cluster removed from the file is dropped once its absence is confirmed (FLEET_ABSENCE_REFRESHES, 2).
    await registry.refresh();
    expect(count(await ask('token-one'))).toBe(11);
    await registry.refresh();
    expect(count(await ask('token-one'))).toBe(10);
  });

  test('token file rotation applies without a restart', async () => {
    expect((await ask('token-one')).status).toBe(200);
    writeFileSync(tokenFile, 'token-two-rotated\n');
    expect((await ask('token-one')).status).toBe(403);
    expect((await ask('token-two-rotated')).status).toBe(200);
    expect(logs.join('')).not.toMatch(/token-one|token-two-rotated/);
  });

  test('the registry picks up a file change through the source watch without an explicit refresh', async () => {
    const seen = new Promise<number>((resolve) => {
      registry.subscribe((s) => resolve(s.clusters.length));
    });
    // start() subscribes to the source's watch; the first refresh it runs changes nothing.
    await registry.start();
    const good = readFileSync(fleet, 'utf8');
    writeFileSync(fleet, good.replace("team: 'platform'", "team: 'payments'"));
    expect(await seen).toBe(12);
    const res = await ask('token-one');
    expect(count(res)).toBe(11);
    expect(res.body.output.parameters[0].metadata.labels.team).toBe('payments');
  });

  test('a truncated fleet file (half the clusters) followed by the full file never shortens an answer', async () => {
    const full = readFileSync(fleet, 'utf8');
    const before = names(await ask('token-one'));
    expect(before).toHaveLength(11);
    const at = full.indexOf('  - clusterName: prod-euw1-blue');
    writeFileSync(fleet, full.slice(0, at)); // the first six clusters: a valid, shorter file
    await registry.refresh();
    expect(names(await ask('token-one'))).toEqual(before);
    writeFileSync(fleet, full);
    await registry.refresh();
    expect(names(await ask('token-one'))).toEqual(before);
    await registry.refresh();
    expect(names(await ask('token-one'))).toEqual(before);
  });

  test('one cluster given a bad reserved tag keeps its last good parameters; the rest of the file is published', async () => {
    const good = readFileSync(fleet, 'utf8');
    const changed = good
      .replace(
        "team: 'platform'",
        "team: 'platform'\n      argocd-eks-plugins/upgrade-weight: '50%'",
      )
      .replace(
        /clusterName: eks-ops-01([\s\S]*?)tags:\n/,
        "clusterName: eks-ops-01$1tags:\n      added: 'yes'\n",
      );
    expect(changed).not.toBe(good);
    writeFileSync(fleet, changed);
    await registry.refresh();
    const res = await ask('token-one');
    expect(res.status).toBe(200);
    const sets = res.body.output.parameters as {
      name: string;
      upgrade: { weight: string };
      metadata: { labels: Record<string, string> };
    }[];
    expect(sets).toHaveLength(11);
    expect(sets.find((p) => p.name === 'dev-euw1')?.upgrade.weight).toBe('100');
    expect(sets.find((p) => p.name === 'tooling-euw1')?.metadata.labels['added']).toBe('yes');
    expect(await metrics.registry.metrics()).toContain('generator_registry_quarantined_clusters 1');
    const warning = logs.find((l) =>
      l.includes('cluster quarantined; answering with its last good'),
    );
    expect(warning).toContain('arn:aws:eks:eu-west-1:210987654321:cluster/dev-euw1');
    expect(warning).toContain('upgrade-weight must be an integer 0-100, got \\"50%\\"');
  });
});
