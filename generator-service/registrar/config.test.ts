import { ConfigError } from '../../core/errors';
import {
  DEFAULTS,
  parseRegistrarConfig,
  parseSplitConfig,
  roleArnFor,
  SPLIT_DEFAULTS,
} from './config';

describe('parseRegistrarConfig', () => {
  it('has defaults for everything', () => {
    const c = parseRegistrarConfig({ POD_NAME: 'generator-7c9d' });
    expect(c).toMatchObject({
      namespace: 'argocd',
      roleArnTemplate: undefined,
      prune: false,
      dryRun: false,
      resyncSeconds: DEFAULTS.resyncSeconds,
      lease: { name: 'argocd-eks-plugins-registrar', durationSeconds: 15 },
    });
    expect(c.lease.identity).toMatch(/^generator-7c9d_[0-9a-f]{8}$/);
  });

  it('gives every process its own lease identity, even with the same pod name', () => {
    const env = { POD_NAME: 'same' };
    expect(parseRegistrarConfig(env).lease.identity).not.toBe(
      parseRegistrarConfig(env).lease.identity,
    );
  });

  it('reads every setting', () => {
    const c = parseRegistrarConfig({
      ARGOCD_NAMESPACE: 'gitops',
      REGISTRAR_ROLE_ARN: 'arn:aws:iam::{{accountId}}:role/argocd-manager',
      REGISTRAR_PRUNE: 'true',
      REGISTRAR_DRY_RUN: 'true',
      REGISTRAR_RESYNC_SECONDS: '60',
      REGISTRAR_LEASE_NAME: 'my-lease',
      REGISTRAR_LEASE_DURATION_SECONDS: '30',
      HOSTNAME: 'host-1',
    });
    expect(c).toMatchObject({
      namespace: 'gitops',
      roleArnTemplate: 'arn:aws:iam::{{accountId}}:role/argocd-manager',
      prune: true,
      dryRun: true,
      resyncSeconds: 60,
      lease: { name: 'my-lease', durationSeconds: 30 },
    });
    expect(c.lease.identity).toMatch(/^host-1_/);
  });

  it('reports every problem at once, each naming its variable', () => {
    let error: unknown;
    try {
      parseRegistrarConfig({
        ARGOCD_NAMESPACE: 'Argo_CD',
        REGISTRAR_ROLE_ARN: 'arn:aws:iam::{{account}}:role/x',
        REGISTRAR_PRUNE: 'yes',
        REGISTRAR_DRY_RUN: '1',
        REGISTRAR_RESYNC_SECONDS: '1',
        REGISTRAR_LEASE_DURATION_SECONDS: '15s',
        REGISTRAR_LEASE_NAME: 'Bad Name',
        REGISTRAR_INSTALLATION_ID: 'Blue_1',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toHaveLength(8);
    for (const key of [
      'REGISTRAR_INSTALLATION_ID',
      'ARGOCD_NAMESPACE',
      'REGISTRAR_ROLE_ARN',
      'REGISTRAR_PRUNE',
      'REGISTRAR_DRY_RUN',
      'REGISTRAR_RESYNC_SECONDS',
      'REGISTRAR_LEASE_DURATION_SECONDS',
      'REGISTRAR_LEASE_NAME',
    ]) {
      expect(issues.some((i) => i.startsWith(`${key}:`))).toBe(true);
    }
  });

  it.each([
    ['arn:aws:iam::123456789012:role/argocd-manager', true],
    ['arn:aws:iam::{{accountId}}:role/argocd-manager', true],
    ['arn:aws:iam::{{ accountId }}:role/path/argocd-manager', true],
    ['arn:aws-cn:iam::{{accountId}}:role/argocd', true],
    ['arn:aws:iam::{{region}}:role/argocd', false],
    ['arn:aws:iam::12345:role/argocd', false],
    ['arn:aws:iam::123456789012:user/argocd', false],
    ['argocd-manager', false],
  ])('REGISTRAR_ROLE_ARN %s valid: %s', (arn, ok) => {
    const parse = () => parseRegistrarConfig({ REGISTRAR_ROLE_ARN: arn });
    if (ok) expect(parse).not.toThrow();
    else expect(parse).toThrow(ConfigError);
  });
});

describe('REGISTRAR_INSTALLATION_ID', () => {
  it('defaults to "default", with the Lease name of a single installation', () => {
    const c = parseRegistrarConfig({});
    expect(c.installationId).toBe('default');
    expect(c.lease.name).toBe('argocd-eks-plugins-registrar');
  });

  it('gives another installation its own Lease, so both elect a leader', () => {
    const c = parseRegistrarConfig({ REGISTRAR_INSTALLATION_ID: 'green' });
    expect(c.installationId).toBe('green');
    expect(c.lease.name).toBe('argocd-eks-plugins-registrar-green');
    expect(
      parseRegistrarConfig({ REGISTRAR_INSTALLATION_ID: 'green', REGISTRAR_LEASE_NAME: 'mine' })
        .lease.name,
    ).toBe('mine');
  });

  it.each(['Blue', 'a_b', '-a', 'a'.repeat(64), 'a b'])('refuses %s', (id) => {
    expect(() => parseRegistrarConfig({ REGISTRAR_INSTALLATION_ID: id })).toThrow(
      /REGISTRAR_INSTALLATION_ID: /,
    );
  });
});

describe('roleArnFor', () => {
  it('fills the account id', () => {
    expect(roleArnFor('arn:aws:iam::{{ accountId }}:role/argocd', '111111111111')).toBe(
      'arn:aws:iam::111111111111:role/argocd',
    );
    expect(roleArnFor('arn:aws:iam::999999999999:role/argocd', '111111111111')).toBe(
      'arn:aws:iam::999999999999:role/argocd',
    );
  });
});

describe('parseSplitConfig (the registrar subcommand)', () => {
  it('needs the generator URL and token file, and defaults the rest', () => {
    expect(
      parseSplitConfig({
        REGISTRAR_GENERATOR_URL: 'http://eks-cluster-generator.argocd.svc:4355',
        REGISTRAR_GENERATOR_TOKEN_FILE: '/var/run/token',
      }),
    ).toEqual({
      issues: [],
      config: {
        generatorUrl: 'http://eks-cluster-generator.argocd.svc:4355',
        tokenFile: '/var/run/token',
        pollSeconds: SPLIT_DEFAULTS.pollSeconds,
        generatorTimeoutSeconds: SPLIT_DEFAULTS.generatorTimeoutSeconds,
        port: 4356,
        host: '0.0.0.0',
      },
    });
  });

  it('reports every problem at once, each naming its variable', () => {
    const { issues } = parseSplitConfig({
      REGISTRAR_POLL_SECONDS: '0',
      REGISTRAR_GENERATOR_TIMEOUT_SECONDS: 'x',
      REGISTRAR_PORT: '70000',
    });
    expect(issues.map((i) => i.split(':')[0])).toEqual([
      'REGISTRAR_GENERATOR_URL',
      'REGISTRAR_GENERATOR_TOKEN_FILE',
      'REGISTRAR_POLL_SECONDS',
      'REGISTRAR_GENERATOR_TIMEOUT_SECONDS',
      'REGISTRAR_PORT',
    ]);
  });

  it.each(['eks-cluster-generator:4355', 'ftp://x', 'http://x/?token=1'])(
    'refuses the generator URL %s',
    (url) => {
      expect(
        parseSplitConfig({ REGISTRAR_GENERATOR_URL: url, REGISTRAR_GENERATOR_TOKEN_FILE: '/t' })
          .issues,
      ).toEqual([expect.stringMatching(/^REGISTRAR_GENERATOR_URL: .* is not an http\(s\) URL$/)]);
    },
  );
});
