import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

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
  if (object['apiVersion'] !== 'external-secrets.io/v1') return ['apiVersion must be external-secrets.io/v1'];
  const validate = crdValidator(file);
  return validate(object)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
