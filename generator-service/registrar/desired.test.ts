import { cluster, part, record } from '../../test/fakes/kube-api/fleet-feed';
import {
  clusterSecretName,
  desiredSecret,
  MANAGED_BY_LABEL,
  partOfCluster,
  SECRET_TYPE_LABEL,
} from './desired';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('clusterSecretName', () => {
  it('is the sanitized EKS name plus a hash of the ARN', () => {
    expect(clusterSecretName(cluster(record({ clusterName: 'Prod_EU.west' })))).toMatch(
      /^eks-prod-eu-west-[0-9a-f]{10}$/,
    );
  });

  it('is stable across tag changes, renames and CA rotation', () => {
    const base = record({ clusterName: 'alpha' });
    const changed = {
      ...base,
      tags: { 'argocd-eks-plugins/name': 'other', env: 'prod' },
      caData: 'bmV3',
    };
    expect(clusterSecretName(cluster(changed))).toBe(clusterSecretName(cluster(base)));
  });

  it('keeps same-named clusters of other accounts and regions apart', () => {
    const names = new Set(
      [
        record({ clusterName: 'main' }),
        record({ clusterName: 'main', accountId: '222222222222' }),
        record({ clusterName: 'main', region: 'us-east-1' }),
      ].map((r) => clusterSecretName(cluster(r))),
    );
    expect(names.size).toBe(3);
  });

  it.each(['a', 'x'.repeat(100), '---', 'UPPER-and-lower-99', 'dots.and..more'])(
    'is a valid, short object name for %s',
    (clusterName) => {
      const name = clusterSecretName(cluster(record({ clusterName })));
      expect(name).toMatch(DNS_SUBDOMAIN);
      expect(name.length).toBeLessThanOrEqual(63);
    },
  );
});

describe('desiredSecret', () => {
  const rec = record({
    clusterName: 'alpha',
    tags: {
      env: 'prod',
      // A tag cannot take over the project's own keys.
      [MANAGED_BY_LABEL]: 'someone-else',
      [SECRET_TYPE_LABEL]: 'repository',
    },
  });
  const c = cluster(rec);

  it('lays the project labels, with the installation, over the cluster labels', () => {
    const d = desiredSecret(c, undefined, { roleArnTemplate: undefined, installationId: 'blue' });
    expect(d.labels).toEqual({
      env: 'prod',
      [MANAGED_BY_LABEL]: 'argocd-eks-plugins',
      [SECRET_TYPE_LABEL]: 'cluster',
      'argocd-eks-plugins/installation': 'blue',
    });
  });

  it('holds name, server and the EKS config with the CA data unchanged', () => {
    const d = desiredSecret(c, part(rec.accountId, rec.region), {
      roleArnTemplate: 'arn:aws:iam::{{accountId}}:role/argocd-manager',
      installationId: 'default',
    });
    expect(d.data).toEqual({
      name: 'alpha',
      server: rec.endpoint,
      config: JSON.stringify({
        awsAuthConfig: {
          clusterName: 'alpha',
          roleARN: `arn:aws:iam::${rec.accountId}:role/argocd-manager`,
        },
        tlsClientConfig: { insecure: false, caData: rec.caData },
      }),
    });
    expect(d.annotations['argocd-eks-plugins/source-part']).toBe(
      `eks:${rec.accountId}/${rec.region}`,
    );
  });
});

describe('partOfCluster', () => {
  const c = cluster(record({ clusterName: 'alpha', region: 'eu-west-1' }));
  it('finds the part scoped to the account and region', () => {
    const p = part(c.aws.accountId, 'eu-west-1');
    expect(partOfCluster(c, [part(c.aws.accountId, 'us-east-1'), p])).toBe(p);
  });
  it('falls back to the only unscoped part (file source)', () => {
    const file = { id: 'file:/etc/fleet.yaml', lastSuccessAt: 1, lastError: undefined };
    expect(partOfCluster(c, [file])).toBe(file);
    expect(partOfCluster(c, [file, { ...file, id: 'file:/other' }])).toBeUndefined();
  });
});
