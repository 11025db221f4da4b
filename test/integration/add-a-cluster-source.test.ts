/**
 * Adding a cluster source is one new file plus one registry entry: with `inline` (test/helpers) added to the
 * registry, CLUSTER_SOURCE accepts it, its settings are checked with the service's own, `--help` and the
 * configuration reference list its variables, and the generator serves its clusters. Nothing else is edited.
 */
import { silentLogger } from '../../core/logger';
import { loadServiceConfig } from '../../generator-service/config';
import { createServiceMetrics } from '../../generator-service/metrics';
import { createFleetRegistry } from '../../generator-service/snapshot/fleet-snapshots';
import { generatorUsage } from '../../generator-service/usage';
import { CLUSTER_SOURCES, createClusterSource } from '../../plugins/cluster-sources';
import { readExampleFleet } from '../../plugins/cluster-sources/examples';
import { configTables, renderConfigReference } from '../../tools/config-reference';
import { inlineClusterSource } from '../helpers/inline-cluster-source';

const sources = { ...CLUSTER_SOURCES, inline: inlineClusterSource };
const records = readExampleFleet().records.slice(0, 3);
const env = {
  GENERATOR_TOKEN: 't',
  CLUSTER_SOURCE: 'inline',
  INLINE_CLUSTERS: JSON.stringify(records),
};

test('every registry key names its own source', () => {
  for (const [key, module] of Object.entries(CLUSTER_SOURCES)) expect(module.kind).toBe(key);
});

test('CLUSTER_SOURCE accepts the new source only once it is registered', () => {
  expect(loadServiceConfig(env, { sources })).toMatchObject({
    config: { clusterSource: 'inline' },
  });
  expect(loadServiceConfig(env)).toHaveProperty(
    'issues.0',
    'CLUSTER_SOURCE: "inline" must be file or eks',
  );
  expect(loadServiceConfig({ ...env, CLUSTER_SOURCE: 'consul' }, { sources })).toHaveProperty(
    'issues.0',
    'CLUSTER_SOURCE: "consul" must be file, eks or inline',
  );
});

test("the new source's settings are reported with the service's own, all at once", () => {
  expect(
    loadServiceConfig({ ...env, INLINE_CLUSTERS: '{', LOG_LEVEL: 'loud' }, { sources }),
  ).toEqual({
    issues: [
      'INLINE_CLUSTERS: must be a JSON array of cluster records',
      'LOG_LEVEL: "loud" must be debug, info, warn or error',
    ],
  });
});

test('--help lists its variables under its title', () => {
  const help = generatorUsage(sources);
  expect(help).toContain('Inline clusters (CLUSTER_SOURCE=inline):');
  expect(help).toMatch(/^ {2}INLINE_CLUSTERS +The clusters, as a JSON array/m);
  expect(help).toContain('file (the fleet file CLUSTERS_FILE), eks (EKS discovery) or inline');
});

test('the configuration reference gets a table for it (and demands its markers)', () => {
  const tables = configTables(sources);
  expect(tables['inline']?.map((v) => v.name)).toEqual(['INLINE_CLUSTERS']);
  expect(() => renderConfigReference('', tables)).toThrow(/markers for: .*inline/);
});

test('the generator serves its clusters', async () => {
  const built = createClusterSource('inline', { log: silentLogger, env }, sources);
  if ('issues' in built) throw new Error(built.issues.join('; '));
  expect(built.description).toBe('3 inline clusters');
  const registry = createFleetRegistry({
    source: built.source,
    log: silentLogger,
    metrics: createServiceMetrics(),
  });
  await registry.refresh();
  expect(registry.readiness()).toMatchObject({ ready: true });
  expect(registry.servingSnapshot().clusters.map((c) => c.aws.clusterName)).toEqual(
    records.map((r) => r.clusterName).sort(),
  );
  await registry.stop();
});
