import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, RenderError } from '../../core/errors';
import { secretsStage } from '../../cmp-sidecar/secrets/stage';
import { esoSchemaErrors, renderedObjects, stageContext } from './secrets-helpers';

const TESTDATA = path.resolve(__dirname, '../../cmp-sidecar/secrets/testdata');
const secretsConfig = {
  store: { kind: 'ClusterSecretStore', name: 'aws-sm-{{cluster.aws.region}}' },
  refreshInterval: '30m',
  clusterSecretStore: {
    serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' },
  },
};

function expectGolden(actual: string, file: string): void {
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(file)) {
    if (process.env['UPDATE_GOLDEN'] !== '1')
      throw new Error(`golden ${file} missing: run with UPDATE_GOLDEN=1`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('secrets stage, externalSecret mode (the default)', () => {
  it('turns every Secret with placeholders into an ExternalSecret (golden), valid against the ESO v1 CRDs', async () => {
    const input = readFileSync(path.join(TESTDATA, 'external-secret/input.yaml'), 'utf8');
    const objects = renderedObjects('base/secrets.yaml', input);
    const ctx = stageContext({ secrets: secretsConfig });
    const out = await secretsStage.run(objects, ctx);

    const kinds = out.map(
      (o) =>
        `${String(o.object['kind'])}/${String((o.object['metadata'] as { name: string }).name)}`,
    );
    expect(kinds).toEqual([
      'ExternalSecret/db',
      'ExternalSecret/db-url',
      'ExternalSecret/api',
      'ExternalSecret/tls',
      'ExternalSecret/kustomize-generated',
      'Secret/untouched',
      'Deployment/shop',
      'ClusterSecretStore/aws-sm-eu-west-1',
    ]);
    for (const o of out)
      if (String(o.object['apiVersion']).startsWith('external-secrets.io/'))
        expect({ kind: o.object['kind'], errors: esoSchemaErrors(o.object) }).toEqual({
          kind: o.object['kind'],
          errors: [],
        });
    // Unconverted objects pass through untouched; converted ones keep their source for later messages.
    expect(out[5]!.object).toBe(objects[5]!.object);
    expect(out[0]!.source).toEqual(objects[0]!.source);
    expect(ctx.warnings).toEqual([]);

    const stream = out
      .map((o) => stringify(o.object, { lineWidth: 0, singleQuote: true }))
      .join('---\n');
    expectGolden(stream, path.join(TESTDATA, 'external-secret/expected.yaml'));
  });

  it('names file:line for placeholders outside a Secret and for what ESO cannot express, all at once', async () => {
    const objects = renderedObjects(
      'base/app.yaml',
      [
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  url: <path:prod/db#url>\n',
        'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  n: <path:prod/cfg#replicas | jsonParse>\n',
        'apiVersion: v1\nkind: Secret\nmetadata: {name: t}\nstringData:\n  n: <path:prod/cfg#x | rot13>\n',
      ].join('---\n'),
    );
    const run = secretsStage.run(objects, stageContext({ secrets: secretsConfig }));
    await expect(run).rejects.toThrow(RenderError);
    const err = (await run.catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(
      'base/app.yaml:13: Secret/t: placeholder <path:prod/cfg#x | rot13>: unknown modifier "rot13"',
    );
    // Syntax problems are reported first (they stop the render before conversion).
    const run2 = secretsStage.run(objects.slice(0, 2), stageContext({ secrets: secretsConfig }));
    const err2 = (await run2.catch((e: unknown) => e)) as Error;
    expect(err2.message).toContain(
      'base/app.yaml:1: ConfigMap/cfg: secret placeholders outside a Secret (data.url)',
    );
    expect(err2.message).toContain(
      'base/app.yaml:7: Secret/s: stringData.n: placeholder <path:prod/cfg#replicas | jsonParse>',
    );
  });

  it('requires a store when there are placeholders, naming eks-overlay.yaml', async () => {
    const objects = renderedObjects(
      'base/s.yaml',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: "<path:x#y>"}\n',
    );
    await expect(
      secretsStage.run(
        objects,
        stageContext({ secrets: { mode: 'externalSecret' }, secretsLine: 7 }),
      ),
    ).rejects.toThrow(/eks-overlay.yaml:7: secrets.store/);
    await expect(
      secretsStage.run(objects, stageContext({ secrets: { mode: 'externalSecret' } })),
    ).rejects.toThrow(ConfigError);
  });

  it('reports every invalid secrets setting at once', async () => {
    const run = secretsStage.run(
      [],
      stageContext({
        secrets: {
          mode: 'sideways',
          store: { kind: 'Vault' },
          refreshInterval: 'hourly',
          extra: 1,
        },
      }),
    );
    const err = (await run.catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues).toEqual([
      'eks-overlay.yaml:4: secrets.extra is not a known key (allowed: mode, store, refreshInterval, clusterSecretStore, inline)',
      'eks-overlay.yaml:4: secrets.mode must be "externalSecret" or "inline"',
      'eks-overlay.yaml:4: secrets.store.kind must be ClusterSecretStore or SecretStore',
      'eks-overlay.yaml:4: secrets.store.name must be a non-empty string',
      'eks-overlay.yaml:4: secrets.refreshInterval must be a Go duration such as "1h" or "15m"',
    ]);
  });

  it('passes renders without placeholders through unchanged and loads no provider', async () => {
    const objects = renderedObjects(
      'base/d.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "<b>"}\n',
    );
    const out = await secretsStage.run(objects, stageContext({}));
    expect(out).toEqual(objects);
  });
});
