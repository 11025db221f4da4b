/**
 * The two modes must give a workload the same Secret. For each Secret below, the bytes of every key are computed
 * twice: by inline mode, and by emulating ESO on the ExternalSecret that externalSecret mode emits (fetch each
 * data[] remoteRef, apply property and decodingStrategy, then execute template.data with a Go text/template +
 * sprig emulation, cmp-sidecar/argocd/go-template.ts, with missingkey=error as ESO does).
 */
import { renderGoTemplate } from '../../cmp-sidecar/argocd/go-template';
import type { FetchResult, SecretProvider } from '../../plugins/secret-providers/provider';
import { createSecretsStage } from '../../cmp-sidecar/secrets/stage';
import { renderedObjects, stageContext } from './secrets-helpers';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const PINNED = 'a1b2c3d4-90ab-cdef-fedc-ba9876543210';

/** secret id → version ("" for AWSCURRENT, a stage, or a version id) → SecretString */
const STORE: Record<string, Record<string, string>> = {
  'prod/db': {
    '': JSON.stringify({
      user: 'app',
      pass: 'p@ss:w{rd}',
      creds: { user: 'u1', pass: 'p1', list: ['a', 'b'] },
      b64: b64('decoded!'),
      n: 42,
    }),
    AWSPREVIOUS: JSON.stringify({ user: 'app', pass: 'old-pass' }),
    [PINNED]: JSON.stringify({ user: 'app', pass: 'pinned-pass' }),
  },
  'prod/token': { '': 'plain-token-value' },
  'prod/b64token': { '': b64('raw bytes as text') },
};

const MANIFESTS = `
apiVersion: v1
kind: Secret
metadata: {name: whole}
stringData:
  user: <path:prod/db#user>
  pass: <path:prod/db#pass#AWSPREVIOUS>
  pinned: <path:prod/db#pass#${PINNED}>
  token: <path:prod/token>
data:
  encoded: <path:prod/db#user | base64encode>
  raw: <path:prod/b64token>
---
apiVersion: v1
kind: Secret
metadata: {name: mixed, annotations: {note: "uses {{ braces }}"}}
stringData:
  url: postgres://<path:prod/db#user>:<path:prod/db#pass>@db:5432/app?x={y}
  json: '{"auth":{<path:prod/db#pass>}}'
  static: literal {{ not a template }}
  hash: <path:prod/db#pass | sha256sum>
  both: <path:prod/db#creds | jsonPath {.user}{':'}{.pass}> and <path:prod/db#n>
  element: <path:prod/db#creds | jsonPath {.list[1]}>
  decoded: <path:prod/db#b64 | base64decode>
  twice: <path:prod/db#user | base64encode | base64decode | sha256sum>
data:
  staticb64: ${b64('static value')}
  wrapped: ${b64('user=<path:prod/db#user>')}
  mixedb64: <path:prod/b64token>
`;

function lookup(id: string, version: string): string {
  const v = STORE[id]?.[version];
  if (v === undefined) throw new Error(`test store has no ${id}@${version}`);
  return v;
}

const provider: SecretProvider = {
  name: 'memory',
  fetchAll: (requests) =>
    Promise.resolve(
      requests.map((r): FetchResult => {
        const version =
          r.version.kind === 'current'
            ? ''
            : r.version.kind === 'stage'
              ? r.version.stage
              : r.version.versionId;
        return { ok: true, payload: { kind: 'string', text: lookup(r.secretId, version) } };
      }),
    ),
  close: () => undefined,
};

/** gjson for the paths this project emits: dot-separated, `\\` escapes, numeric steps index arrays. */
function gjson(json: string, path: string): string {
  const steps = path.match(/(?:\\.|[^.])+/g)!.map((s) => s.replace(/\\(.)/g, '$1'));
  let cur: unknown = JSON.parse(json);
  for (const s of steps) cur = (cur as Record<string, unknown>)[s];
  if (cur === undefined) throw new Error(`ESO: property ${path} not found`);
  return typeof cur === 'string' ? cur : JSON.stringify(cur);
}

interface RemoteRef {
  key: string;
  property?: string;
  version?: string;
  decodingStrategy?: string;
}

/** What ESO writes into the target Secret's data (decoded bytes as text), from an ExternalSecret spec. */
function emulateEso(spec: {
  data: { secretKey: string; remoteRef: RemoteRef }[];
  target: { template: { data?: Record<string, string> } };
}): Record<string, string> {
  const provided: Record<string, string> = {};
  for (const { secretKey, remoteRef } of spec.data) {
    const version = remoteRef.version?.replace(/^uuid\//, '') ?? '';
    let value = lookup(remoteRef.key, version);
    if (remoteRef.property !== undefined) value = gjson(value, remoteRef.property);
    if (remoteRef.decodingStrategy === 'Base64')
      value = Buffer.from(value, 'base64').toString('utf8');
    provided[secretKey] = value;
  }
  const tpl = spec.target.template.data;
  if (!tpl) return provided;
  return Object.fromEntries(
    Object.entries(tpl).map(([k, t]) => [
      k,
      renderGoTemplate(t, provided, { missingKey: 'error' }),
    ]),
  );
}

/** The bytes (as text) a workload sees for each key of a Secret. */
function secretContents(secret: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((secret['data'] ?? {}) as Record<string, string>))
    out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries((secret['stringData'] ?? {}) as Record<string, string>))
    out[k] = v;
  return out;
}

test('externalSecret mode, resolved by ESO, gives the same Secret contents as inline mode', async () => {
  const inline = await createSecretsStage(() => Promise.resolve(provider), {}).run(
    renderedObjects('base/s.yaml', MANIFESTS),
    stageContext({ secrets: { mode: 'inline' } }),
  );
  const eso = await createSecretsStage().run(
    renderedObjects('base/s.yaml', MANIFESTS),
    stageContext({ secrets: { store: { name: 'aws' } } }),
  );
  expect(inline).toHaveLength(2);
  expect(eso).toHaveLength(2);
  for (let i = 0; i < inline.length; i++) {
    const expected = secretContents(inline[i]!.object);
    const actual = emulateEso(eso[i]!.object['spec'] as Parameters<typeof emulateEso>[0]);
    expect(actual).toEqual(expected);
  }
  // The annotation's literal braces survive ESO's templating of metadata.
  const meta = (
    eso[1]!.object['spec'] as {
      target: { template: { metadata: { annotations: Record<string, string> } } };
    }
  ).target.template.metadata.annotations;
  expect(renderGoTemplate(meta['note']!, {}, { missingKey: 'error' })).toBe('uses {{ braces }}');
});
