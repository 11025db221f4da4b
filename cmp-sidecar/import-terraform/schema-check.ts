import { InputError, ValidationError } from '../../core/errors';
import { createAjv, describeAjvErrors } from '../kro/crd/ajv-errors';
import { toValidationSchema } from '../kro/crd/openapi-to-json-schema';
import { createSchemaLookup, loadCrdDirectory } from '../kro/crd/schema-lookup';
import type { JsonObject } from './types';

export interface SchemaCheck {
  /** `<kind>/<name>` of the objects checked against a CRD. */
  readonly checked: readonly string[];
  /** `<kind>/<name>` of objects whose kind no given CRD defines. */
  readonly unchecked: readonly string[];
}

/**
 * Checks every object against the openAPIV3Schema of its CRD in `crdDirs` (the same reading of CRDs as the kro
 * stage: unknown fields are errors, ACK's enums added). Every violation of every object is reported at once.
 */
export function checkAgainstCrds(
  objects: readonly JsonObject[],
  crdDirs: readonly string[],
): SchemaCheck {
  const loaded = crdDirs.map(loadCrdDirectory);
  const unreadable = loaded.flatMap((d) => d.problems);
  if (unreadable.length > 0) throw new InputError(`--crd-dir: ${unreadable.join('; ')}`);
  const lookup = createSchemaLookup(
    loaded.flatMap((d) => d.entries),
    loaded.flatMap((d) => d.lazy),
  );
  const ajv = createAjv(false);
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  const checked: string[] = [];
  const unchecked: string[] = [];
  const problems: string[] = [];
  for (const o of objects) {
    const id = `${String(o['kind'])}/${String((o['metadata'] as JsonObject)['name'])}`;
    const found = lookup.find(String(o['apiVersion']), String(o['kind']));
    if (!found) {
      unchecked.push(id);
      continue;
    }
    const key = `${String(o['apiVersion'])}/${String(o['kind'])}`;
    let validate = validators.get(key);
    if (!validate) {
      const schema = toValidationSchema(found.schema, { rejectUnknownFields: true });
      // metadata is the API server's to check, not the CRD's.
      validate = ajv.compile({
        ...schema,
        properties: { ...(schema['properties'] as JsonObject), metadata: { type: 'object' } },
      });
      validators.set(key, validate);
    }
    if (!validate(o)) {
      for (const v of describeAjvErrors('', validate.errors ?? [], o))
        problems.push(`${id}: ${v.message}`);
    }
    checked.push(id);
  }
  if (problems.length > 0)
    throw new ValidationError(
      `${problems.length} schema problem(s) against the CRDs of --crd-dir:\n  - ${problems.join('\n  - ')}`,
    );
  return { checked, unchecked };
}
