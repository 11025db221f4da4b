import { esoSchemaErrors } from '../../test/integration/secrets-helpers';
import { scanObject } from './collect';
import { clusterSecretStore } from './cluster-secret-store';
import { ConversionError, secretToExternalSecret } from './external-secret';

const opts = {
  store: { kind: 'ClusterSecretStore' as const, name: 'aws-sm' },
  refreshInterval: '1h',
};
const convert = (secret: Record<string, unknown>) => {
  const es = secretToExternalSecret(secret, scanObject(secret), opts);
  expect(esoSchemaErrors(es)).toEqual([]);
  return es as {
    metadata: Record<string, unknown>;
    spec: Record<string, any>; /* eslint-disable-line @typescript-eslint/no-explicit-any */
  };
};
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('Secret → ExternalSecret', () => {
  it('maps whole placeholders to data[] references without template data', () => {
    const es = convert({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        namespace: 'app',
        labels: { team: 'a' },
        annotations: {
          'avp.kubernetes.io/path': 'ignored-for-inline-paths',
          'argocd.argoproj.io/sync-wave': '-1',
          note: 'kept',
        },
      },
      type: 'kubernetes.io/basic-auth',
      stringData: {
        username: '<path:prod/db#username>',
        password: '<path:prod/db#password#AWSPREVIOUS>',
      },
      data: { token: '<path:prod/api#token>', raw: '<path:prod/api#raw | base64encode>' },
    });
    expect(es.metadata).toEqual({
      name: 'db',
      namespace: 'app',
      labels: { team: 'a' },
      annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
    });
    expect(es.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-sm' },
      target: {
        name: 'db',
        creationPolicy: 'Owner',
        template: {
          engineVersion: 'v2',
          type: 'kubernetes.io/basic-auth',
          metadata: { labels: { team: 'a' }, annotations: { note: 'kept' } },
        },
      },
      data: [
        {
          secretKey: 'token',
          remoteRef: { key: 'prod/api', property: 'token', decodingStrategy: 'Base64' },
        },
        { secretKey: 'raw', remoteRef: { key: 'prod/api', property: 'raw' } },
        { secretKey: 'username', remoteRef: { key: 'prod/db', property: 'username' } },
        {
          secretKey: 'password',
          remoteRef: { key: 'prod/db', property: 'password', version: 'AWSPREVIOUS' },
        },
      ],
    });
  });

  it('turns mixed text, static entries and modifiers into a v2 template', () => {
    const es = convert({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'app' },
      stringData: {
        url: 'postgres://<path:prod/db#username>:<path:prod/db#password>@db:5432/app',
        static: 'literal {{ not a template }}',
        cert: 'cert: |\n  <path:prod/tls#crt | indent 2>\n',
        hash: '<path:prod/db#password | sha256sum>',
        user: '<path:prod/db#creds | jsonPath {.user}>',
        pair: '<path:prod/db#creds | jsonPath {.user}{":"}{.pass} | base64encode>',
        fromYaml: '<path:prod/cfg#yaml | yamlParse | jsonPath {.a.b}>',
        ver: '<path:prod/db#password#a1b2c3d4-90ab-cdef-fedc-ba9876543210>',
        braces: '{"auth":{<path:prod/db#password>}}',
      },
      data: {
        bin: Buffer.from([0, 0xff]).toString('base64'),
        kustomized: b64('user=<path:prod/db#username>'),
      },
    });
    const t = es.spec['target'].template;
    expect(t.engineVersion).toBe('v2');
    expect(t.data).toEqual({
      bin: '{{ b64dec "AP8=" }}',
      kustomized: 'user={{ .prod_db_username }}',
      url: 'postgres://{{ .prod_db_username }}:{{ .prod_db_password }}@db:5432/app',
      static: 'literal {{ "{{" }} not a template }}',
      cert: 'cert: |\n  {{ trimPrefix "  " (indent 2 (trim .prod_tls_crt)) }}\n',
      hash: '{{ sha256sum .prod_db_password }}',
      user: '{{ .prod_db_creds_user }}',
      pair: '{{ b64enc (print .prod_db_creds_user ":" .prod_db_creds_pass) }}',
      fromYaml: '{{ index (fromYaml .prod_cfg_yaml) "a" "b" }}',
      ver: '{{ .prod_db_password_uuid_a1b2c3d4_90ab_cdef_fedc_ba9876543210 }}',
      braces: '{"auth":{{ "{" }}{{ .prod_db_password }}}}',
    });
    expect(es.spec['data']).toContainEqual({
      secretKey: 'prod_db_creds_user',
      remoteRef: { key: 'prod/db', property: 'creds.user' },
    });
    expect(es.spec['data']).toContainEqual({
      secretKey: 'prod_db_password_uuid_a1b2c3d4_90ab_cdef_fedc_ba9876543210',
      remoteRef: {
        key: 'prod/db',
        property: 'password',
        version: 'uuid/a1b2c3d4-90ab-cdef-fedc-ba9876543210',
      },
    });
  });

  it('decodes base64 data entries with mixed text inside the template', () => {
    const es = convert({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x' },
      data: { k: 'c2Vj<path:s#k>', plain: b64('hello') },
    });
    expect(es.spec['target'].template.data).toEqual({
      k: '{{ b64dec (print "c2Vj" .s_k) }}',
      plain: 'hello',
    });
  });

  it.each([
    [{ stringData: { n: '<path:s#k | jsonParse>' } }, /jsonParse yields a structured/],
    [{ stringData: { n: '<path:s#k | jsonParse | base64encode>' } }, /cannot follow jsonParse/],
    [{ spec: { x: '<path:s#k>' } }, /only in data, stringData, labels and annotations/],
    [
      {
        metadata: { name: 'x', annotations: { 'argocd.argoproj.io/hook': '<path:s#k>' } },
        stringData: { a: '<path:s#k>' },
      },
      /Argo CD annotations cannot hold placeholders/,
    ],
  ])('refuses what ESO cannot express: %j', (extra, message) => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, ...extra };
    expect(() => secretToExternalSecret(secret, scanObject(secret), opts)).toThrow(ConversionError);
    expect(() => secretToExternalSecret(secret, scanObject(secret), opts)).toThrow(message);
  });
});

describe('ClusterSecretStore', () => {
  it.each([
    [{ region: undefined, role: undefined, serviceAccountRef: undefined }, undefined],
    [
      {
        region: undefined,
        role: 'arn:aws:iam::111122223333:role/eso',
        serviceAccountRef: {
          name: 'external-secrets',
          namespace: 'external-secrets',
          audiences: ['sts.amazonaws.com'],
        },
      },
      {
        jwt: {
          serviceAccountRef: {
            name: 'external-secrets',
            namespace: 'external-secrets',
            audiences: ['sts.amazonaws.com'],
          },
        },
      },
    ],
  ])('passes the ESO v1 schema (%#)', (cfg, auth) => {
    const css = clusterSecretStore('aws-sm-eu-west-1', 'eu-west-1', cfg);
    expect(esoSchemaErrors(css)).toEqual([]);
    const aws = (css['spec'] as { provider: { aws: Record<string, unknown> } }).provider.aws;
    expect(aws.service).toBe('SecretsManager');
    expect(aws.region).toBe('eu-west-1');
    expect(aws.auth).toEqual(auth);
  });
});
