import { Buffer } from 'node:buffer';
import { clusterFromRecord, RESERVED_TAGS } from '../../../core/cluster';
import { readExampleFleet } from '.';

/** The bundled example fleet is what `npm start` serves; these are the properties its README promises. */
describe('bundled example fleet', () => {
  const fleet = readExampleFleet();
  const clusters = fleet.records.map((r) => {
    const m = clusterFromRecord(r);
    if (!m.cluster) throw new Error(m.issues.join('; '));
    return m.cluster;
  });

  test('a dozen clusters in 3 regions and 2 accounts (one with a leading zero), names unique', () => {
    expect(clusters).toHaveLength(12);
    expect(new Set(clusters.map((c) => c.aws.region)).size).toBe(3);
    const accounts = [...new Set(clusters.map((c) => c.aws.accountId))];
    expect(accounts).toHaveLength(2);
    expect(accounts.every((a) => /^\d{12}$/.test(a))).toBe(true);
    expect(accounts.some((a) => a.startsWith('0'))).toBe(true);
    expect(new Set(clusters.map((c) => c.name)).size).toBe(12);
  });

  test('dev, staging and prod through the env tag', () => {
    expect(new Set(clusters.map((c) => c.labels['env']))).toEqual(
      new Set(['dev', 'staging', 'prod']),
    );
  });

  test('one blue/green pair: same group, blue 90 / green 10', () => {
    const grouped = clusters.filter((c) => c.upgrade.group !== '');
    expect(grouped.map((c) => [c.upgrade.group, c.upgrade.color, c.upgrade.weight])).toEqual([
      ['prod-euw1', 'blue', '90'],
      ['prod-euw1', 'green', '10'],
    ]);
  });

  test('tags that are not label values become annotations; an invalid key stays in aws.tags only', () => {
    expect(clusters.some((c) => c.annotations['owner'] === 'payments-team@example.com')).toBe(true);
    const withStack = clusters.filter((c) => 'aws:cloudformation:stack-name' in c.aws.tags);
    expect(withStack).toHaveLength(1);
    expect(withStack[0]?.labels).not.toHaveProperty('aws:cloudformation:stack-name');
    expect(withStack[0]?.annotations).not.toHaveProperty('aws:cloudformation:stack-name');
  });

  test('one cluster is renamed through the name tag', () => {
    const renamed = clusters.filter((c) => c.aws.tags[RESERVED_TAGS.name] !== undefined);
    expect(renamed.map((c) => [c.aws.clusterName, c.name])).toEqual([
      ['eks-ops-01', 'tooling-euw1'],
    ]);
  });

  test('realistic EKS endpoints, and CA data that is an obviously fake certificate (never a key)', () => {
    for (const c of clusters) {
      expect(c.server).toMatch(
        new RegExp(`^https://[0-9A-F]{32}\\.gr7\\.${c.aws.region}\\.eks\\.amazonaws\\.com$`),
      );
      const pem = Buffer.from(c.caData, 'base64').toString('utf8');
      expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
      expect(pem).not.toMatch(/PRIVATE KEY/);
    }
  });

  test('add-on defaults cover every Kubernetes version in the fleet', () => {
    for (const c of clusters) expect(Object.keys(fleet.addonDefaults)).toContain(c.aws.version);
  });
});
