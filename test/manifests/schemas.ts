import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { K8sObject } from './manifest-tree';
import { MANIFESTS_DIR, readYamlDocuments, SHARED_DIR } from './manifest-tree';

/**
 * Schema checks for everything the manifests hold: core kinds through kubernetes-models (its `validate()`), custom
 * kinds (Argo CD, ESO, kro, ACK) through the openAPIV3Schema of the CRDs in <repo>/../shared/crds.
 */

interface CrdVersion {
  name: string;
  served?: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
}
interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

export const CRDS_DIR = path.join(SHARED_DIR, 'crds');

/** The project's own CRDs: objects of their kinds (the examples) are validated against them like any other. */
export const OWN_CRD_FILES = [path.join(MANIFESTS_DIR, 'components', 'upgrades', 'crd.yaml')];

let crdValidators: Map<string, ValidateFunction> | undefined;

/**
 * Kubernetes prunes unknown fields of structural schemas silently, and `kubectl apply` rejects them (strict field
 * validation). Either way a typo is lost, so here an object schema with `properties` admits no other keys unless
 * it preserves unknown fields or declares additionalProperties itself.
 */
function closeObjects(schema: unknown, isRoot = true): unknown {
  if (Array.isArray(schema)) return schema.map((s) => closeObjects(s, false));
  if (typeof schema !== 'object' || schema === null) return schema;
  const src = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    out[k] =
      k === 'properties' ? mapValues(v, (s) => closeObjects(s, false)) : closeObjects(v, false);
  }
  const preserves = src['x-kubernetes-preserve-unknown-fields'] === true;
  if (src['properties'] && !preserves && src['additionalProperties'] === undefined && !isRoot) {
    out['additionalProperties'] = false;
  }
  if (isRoot) {
    // apiVersion, kind and metadata are checked by the API server, not by the CRD schema.
    out['properties'] = {
      ...(out['properties'] as Record<string, unknown>),
      metadata: { type: 'object' },
    };
  }
  return out;
}

function mapValues(v: unknown, f: (x: unknown) => unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f(x)]));
}

function loadCrdValidators(): Map<string, ValidateFunction> {
  if (crdValidators) return crdValidators;
  const ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true });
  addFormats(ajv);
  const map = new Map<string, ValidateFunction>();
  const files = [
    ...readdirSync(CRDS_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(CRDS_DIR, f)),
    ...OWN_CRD_FILES,
  ];
  for (const file of files) {
    for (const doc of readYamlDocuments(file) as Crd[]) {
      if (doc.kind !== 'CustomResourceDefinition') continue;
      for (const version of doc.spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (!schema || version.served === false) continue;
        const key = `${doc.spec.group}/${version.name}/${doc.spec.names.kind}`;
        map.set(key, ajv.compile(closeObjects(schema) as Record<string, unknown>));
      }
    }
  }
  for (const [key, schema] of Object.entries(STRUCTURAL_SCHEMAS)) map.set(key, ajv.compile(schema));
  crdValidators = map;
  return map;
}

/**
 * Prometheus Operator kinds have no CRD in <repo>/../shared/crds and no package here: these structural schemas hold
 * the fields the manifests use, closed like the CRD checks (an unknown or misspelt field fails), with the CRD's types
 * and required fields for them (monitoring.coreos.com/v1).
 */
const DURATION = {
  type: 'string',
  pattern:
    '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
};
const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } };
const LABEL_SELECTOR = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: STRING_MAP,
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string' },
          operator: { type: 'string' },
          values: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};
const STRUCTURAL_SCHEMAS: Record<string, Record<string, unknown>> = {
  'monitoring.coreos.com/v1/ServiceMonitor': {
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        additionalProperties: false,
        required: ['selector', 'endpoints'],
        properties: {
          jobLabel: { type: 'string' },
          selector: LABEL_SELECTOR,
          namespaceSelector: {
            type: 'object',
            additionalProperties: false,
            properties: {
              any: { type: 'boolean' },
              matchNames: { type: 'array', items: { type: 'string' } },
            },
          },
          endpoints: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              properties: {
                port: { type: 'string' },
                path: { type: 'string' },
                scheme: { enum: ['http', 'https'] },
                interval: DURATION,
                scrapeTimeout: DURATION,
                honorLabels: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        additionalProperties: false,
        properties: {
          groups: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name'],
              properties: {
                name: { type: 'string', minLength: 1 },
                interval: DURATION,
                rules: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['expr'],
                    oneOf: [{ required: ['alert'] }, { required: ['record'] }],
                    properties: {
                      alert: { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
                      record: { type: 'string' },
                      expr: { type: 'string', minLength: 1 },
                      for: DURATION,
                      keep_firing_for: DURATION,
                      labels: STRING_MAP,
                      annotations: STRING_MAP,
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

export function crdKinds(): string[] {
  return [...loadCrdValidators().keys()];
}

export function hasCrdSchema(obj: K8sObject): boolean {
  return loadCrdValidators().has(`${obj.apiVersion}/${obj.kind}`);
}

/** apiVersion of a core (built-in) kind → kubernetes-models module, e.g. apps/v1 → kubernetes-models/apps/v1. */
function coreModel(obj: K8sObject): (new (data: unknown) => { validate(): void }) | undefined {
  const modulePath = `kubernetes-models/${obj.apiVersion}`;
  let mod: Record<string, unknown>;
  try {
    mod = require(modulePath) as Record<string, unknown>; // eslint-disable-line @typescript-eslint/no-require-imports
  } catch {
    return undefined;
  }
  const model = mod[obj.kind];
  return typeof model === 'function'
    ? (model as new (data: unknown) => { validate(): void })
    : undefined;
}

export type SchemaVerdict =
  { ok: true; via: 'kubernetes-models' | 'crd' } | { ok: false; reason: string };

/** Validates one object; an object of a kind with no known schema is a failure too. */
export function validateObject(obj: K8sObject): SchemaVerdict {
  const crd = loadCrdValidators().get(`${obj.apiVersion}/${obj.kind}`);
  if (crd) {
    // Validated on a copy: useDefaults fills defaults in as the API server would before validating.
    if (crd(structuredClone(obj))) return { ok: true, via: 'crd' };
    const errors = (crd.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    return { ok: false, reason: errors.join('; ') };
  }
  const Model = coreModel(obj);
  if (!Model) return { ok: false, reason: `no schema for ${obj.apiVersion} ${obj.kind}` };
  try {
    new Model(obj).validate();
    return { ok: true, via: 'kubernetes-models' };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
