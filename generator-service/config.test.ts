import { loadServiceConfig, parseByteSize, SERVICE_DEFAULTS } from './config';

/** A configured fleet: without one (or EKS discovery) only --demo starts. */
const FLEET = { CLUSTERS_FILE: '/etc/eks-cluster-generator/fleet.yaml' };

describe('loadServiceConfig', () => {
  test('defaults', () => {
    expect(loadServiceConfig({ ...FLEET, GENERATOR_TOKEN: 't' })).toEqual({
      config: {
        port: 4355,
        host: '0.0.0.0',
        token: { kind: 'env', value: 't' },
        clusterSource: 'file',
        logLevel: 'info',
        bodyLimitBytes: 1024 * 1024,
        responseCacheEntries: 256,
        responseCacheMaxBytes: 96 * 1024 * 1024,
        registrarEnabled: false,
        shutdownTimeoutMs: 10_000,
        absenceRefreshes: 2,
        stateStore: undefined,
      },
    });
  });

  test('no token is not a config error (main refuses to start unless --demo)', () => {
    const r = loadServiceConfig({ ...FLEET });
    expect('config' in r && r.config.token).toBeUndefined();
  });

  test('the token is trimmed like Argo CD trims the one it sends; a token file is kept as a path', () => {
    expect(loadServiceConfig({ ...FLEET, GENERATOR_TOKEN: ' abc\n' })).toMatchObject({
      config: { token: { kind: 'env', value: 'abc' } },
    });
    expect(
      loadServiceConfig({ ...FLEET, GENERATOR_TOKEN_FILE: '/var/run/argo/token' }),
    ).toMatchObject({
      config: { token: { kind: 'file', path: '/var/run/argo/token' } },
    });
  });

  test('every problem is reported at once, naming the variable', () => {
    const r = loadServiceConfig({
      ...FLEET,
      PORT: '70000',
      GENERATOR_TOKEN: 'a',
      GENERATOR_TOKEN_FILE: '/t',
      CLUSTER_SOURCE: 'consul',
      LOG_LEVEL: 'loud',
      REQUEST_BODY_LIMIT: 'huge',
      REGISTRAR_ENABLED: 'yes',
      CLUSTERS_FILE_REFRESH_SECONDS: '0',
      RESPONSE_CACHE_MAX_BYTES: '64mb',
      FLEET_ABSENCE_REFRESHES: '0',
      GENERATOR_STATE_CONFIGMAP: 'Fleet_State',
    });
    expect('issues' in r && r.issues).toEqual([
      'PORT: "70000" must be an integer from 0 to 65535',
      'GENERATOR_TOKEN and GENERATOR_TOKEN_FILE are both set; set only one',
      'CLUSTER_SOURCE: "consul" must be file or eks',
      'CLUSTERS_FILE_REFRESH_SECONDS: "0" must be an integer of at least 1',
      'LOG_LEVEL: "loud" must be debug, info, warn or error',
      'REQUEST_BODY_LIMIT: "huge" must be a size of at least 1kb, e.g. 1048576, 512kb or 1mb',
      'RESPONSE_CACHE_MAX_BYTES: "64mb" must be an integer of at least 1',
      'REGISTRAR_ENABLED: "yes" must be true or false',
      'FLEET_ABSENCE_REFRESHES: "0" must be an integer of at least 1',
      'GENERATOR_STATE_CONFIGMAP: "Fleet_State" is not a valid ConfigMap name (RFC 1123 subdomain)',
      'GENERATOR_STATE_NAMESPACE: required with GENERATOR_STATE_CONFIGMAP (or POD_NAMESPACE, which the manifest sets)',
    ]);
  });

  test('the state store: GENERATOR_STATE_CONFIGMAP in GENERATOR_STATE_NAMESPACE, by default POD_NAMESPACE', () => {
    const base = { ...FLEET, GENERATOR_TOKEN: 't', GENERATOR_STATE_CONFIGMAP: 'fleet-state' };
    expect(loadServiceConfig({ ...base, POD_NAMESPACE: 'argocd' })).toMatchObject({
      config: { stateStore: { namespace: 'argocd', configMap: 'fleet-state' } },
    });
    expect(
      loadServiceConfig({ ...base, POD_NAMESPACE: 'argocd', GENERATOR_STATE_NAMESPACE: 'gitops' }),
    ).toMatchObject({ config: { stateStore: { namespace: 'gitops', configMap: 'fleet-state' } } });
    expect(loadServiceConfig({ ...base, POD_NAMESPACE: 'Argo CD' })).toEqual({
      issues: ['POD_NAMESPACE: "Argo CD" is not a valid namespace name (RFC 1123 label)'],
    });
    expect(
      loadServiceConfig({ ...FLEET, GENERATOR_TOKEN: 't', GENERATOR_STATE_NAMESPACE: 'argocd' }),
    ).toEqual({
      issues: ['GENERATOR_STATE_NAMESPACE: set, but GENERATOR_STATE_CONFIGMAP is not'],
    });
    expect(
      loadServiceConfig({ ...FLEET, GENERATOR_TOKEN: 't', FLEET_ABSENCE_REFRESHES: '5' }),
    ).toMatchObject({
      config: { absenceRefreshes: 5, stateStore: undefined },
    });
  });

  test('RESPONSE_CACHE_MAX_BYTES sets the reply cache byte bound', () => {
    expect(
      loadServiceConfig({ ...FLEET, GENERATOR_TOKEN: 't', RESPONSE_CACHE_MAX_BYTES: '33554432' }),
    ).toMatchObject({ config: { responseCacheMaxBytes: 32 * 1024 * 1024 } });
    expect(
      loadServiceConfig({ ...FLEET, GENERATOR_TOKEN: 't', RESPONSE_CACHE_MAX_BYTES: '0' }),
    ).toEqual({
      issues: ['RESPONSE_CACHE_MAX_BYTES: "0" must be an integer of at least 1'],
    });
  });

  test('no fleet file and no EKS discovery: refused, naming what to set (never the example fleet unasked)', () => {
    expect(loadServiceConfig({ GENERATOR_TOKEN: 't' })).toEqual({
      issues: [
        'no fleet configured: set CLUSTERS_FILE to a fleet file, or CLUSTER_SOURCE=eks (with EKS_REGIONS) for EKS discovery; --demo serves the bundled example fleet',
      ],
    });
    expect(loadServiceConfig({ GENERATOR_TOKEN: 't', CLUSTER_SOURCE: 'file' })).toHaveProperty(
      'issues',
    );
    expect(loadServiceConfig({ GENERATOR_TOKEN: 't', CLUSTER_SOURCE: 'eks' })).toHaveProperty(
      'config.clusterSource',
      'eks',
    );
  });

  test('--demo may start without a fleet (the example one) and listens on loopback unless HOST is set', () => {
    expect(loadServiceConfig({}, { demo: true })).toMatchObject({
      config: { clusterSource: 'file', host: SERVICE_DEFAULTS.demoHost },
    });
    expect(loadServiceConfig({ HOST: '0.0.0.0' }, { demo: true })).toMatchObject({
      config: { host: '0.0.0.0' },
    });
  });

  test('CLUSTERS_FILE with CLUSTER_SOURCE=eks is a mistake worth reporting', () => {
    const r = loadServiceConfig({
      GENERATOR_TOKEN: 't',
      CLUSTER_SOURCE: 'eks',
      CLUSTERS_FILE: '/f',
    });
    expect('issues' in r && r.issues[0]).toContain(
      'CLUSTERS_FILE: only used with CLUSTER_SOURCE=file',
    );
  });

  test.each([
    ['1048576', 1048576],
    ['512kb', 512 * 1024],
    ['1mb', 1024 * 1024],
    ['2MiB', 2 * 1024 * 1024],
    ['1.5mb', undefined],
  ])('parseByteSize(%s)', (raw, bytes) => {
    expect(parseByteSize(raw)).toBe(bytes);
  });
});
