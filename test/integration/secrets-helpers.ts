import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { LineCounter, parse, parseAllDocuments } from 'yaml';
import { RenderError } from '../../core/errors';
import type { StageContext } from '../../cmp-sidecar/render/stages';
import type { OverlayConfig, RenderedObject } from '../../cmp-sidecar/render/types';

/** The reference material folder beside the repository (CI clones the repo elsewhere with shared/ next to it). */
export const SHARED_DIR = path.resolve(__dirname, '..', '..', '..', 'shared');

const cache = new Map<string, ValidateFunction>();

/** A validator for one kind's served version, from the upstream CRD in shared/crds (ajv, not hand-written). */
export function crdValidator(file: string, version = 'v1'): ValidateFunction {
  const key = `${file}@${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const crd = parse(readFileSync(path.join(SHARED_DIR, 'crds', file), 'utf8')) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] };
  };
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v) throw new Error(`${file} has no version ${version}`);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(v.schema.openAPIV3Schema);
  cache.set(key, validate);
  return validate;
}

/** Asserts that an emitted object passes its ESO v1 CRD schema; returns the errors text for jest messages. */
export function esoSchemaErrors(object: Record<string, unknown>): string[] {
  const file =
    object['kind'] === 'ExternalSecret'
      ? 'external-secrets.io_externalsecrets.yaml'
      : object['kind'] === 'ClusterSecretStore'
        ? 'external-secrets.io_clustersecretstores.yaml'
        : undefined;
  if (!file) return [`not an ESO kind: ${String(object['kind'])}`];
  if (object['apiVersion'] !== 'external-secrets.io/v1')
    return ['apiVersion must be external-secrets.io/v1'];
  const validate = crdValidator(file);
  return validate(object)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** A StageContext for driving the secrets stage directly; `{{a.b}}` is looked up in the scope, strictly. */
export function stageContext(opts: {
  cluster?: Record<string, unknown>;
  secrets?: unknown;
  secretsLine?: number;
}): StageContext & { warnings: string[] } {
  const warnings: string[] = [];
  const cluster = opts.cluster ?? {
    name: 'prod-eu-1',
    aws: { region: 'eu-west-1', accountId: '111122223333' },
    metadata: { labels: { env: 'prod' } },
  };
  // Built loosely so that fields the CMP adds later do not break this helper.
  const config = {
    layers: ['base'],
    layerRefs: [{ file: 'eks-overlay.yaml', line: 2 }],
    allowEmpty: false,
    parameters: [],
    ...(opts.secrets === undefined ? {} : { secrets: opts.secrets }),
    sources:
      opts.secrets === undefined
        ? {}
        : { secrets: { file: 'eks-overlay.yaml', line: opts.secretsLine ?? 4 } },
  } as unknown as OverlayConfig;
  return {
    warnings,
    cluster,
    appDir: '/app',
    rootDir: '/app',
    config,
    env: {
      appName: 'app',
      appNamespace: 'default',
      projectName: 'default',
      revision: 'abc',
      revisionShort: 'abc',
      sourceRepoUrl: '',
      sourcePath: '',
      targetRevision: 'HEAD',
      kubeVersion: '1.31.0',
      kubeApiVersions: [],
      userEnv: {},
      parameters: [],
    },
    processEnv: {},
    warn: (m) => warnings.push(m),
    debug: () => undefined,
    templateString: (text, where) =>
      text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, expr: string) => {
        const [head, ...rest] = expr.split('.');
        let cur: unknown = head === 'cluster' ? cluster : undefined;
        for (const k of rest)
          cur =
            typeof cur === 'object' && cur !== null
              ? (cur as Record<string, unknown>)[k]
              : undefined;
        if (typeof cur !== 'string')
          throw new RenderError(`${where.file}:${where.line ?? 0}: unknown variable ${expr}`);
        return cur;
      }),
  };
}

/** Objects as the pipeline hands them to stages, from a YAML stream (one file). */
export function renderedObjects(file: string, yamlText: string): RenderedObject[] {
  const out: RenderedObject[] = [];
  const lines = new LineCounter();
  for (const doc of parseAllDocuments(yamlText, { lineCounter: lines })) {
    const object = doc.toJS() as Record<string, unknown> | null;
    if (!object) continue;
    out.push({
      object,
      source: { file, line: lines.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line },
    });
  }
  return out;
}
