import { createAjv, describeAjvErrors, type SchemaViolation } from '../crd/ajv-errors';
import { isMap, type JsonMap } from '../types';
import { toValidationSchema } from '../crd/openapi-to-json-schema';

/**
 * Checks an instance `spec` against the OpenAPI schema compiled from its RGD's SimpleSchema and applies the
 * schema's defaults, as the apiserver would once the instance CRD exists.
 */
export interface InstanceCheck {
  /** The spec with defaults applied (a copy; the input is not changed). */
  readonly spec: JsonMap;
  readonly violations: readonly SchemaViolation[];
}

const ajv = createAjv(true);

export function checkInstanceSpec(
  specSchema: JsonMap,
  spec: unknown,
  basePath = 'spec',
): InstanceCheck {
  const data: unknown = spec === undefined || spec === null ? {} : structuredClone(spec);
  if (!isMap(data)) {
    return { spec: {}, violations: [{ path: basePath, message: `${basePath} must be a map` }] };
  }
  const validate = ajv.compile(toValidationSchema(specSchema, { rejectUnknownFields: true }));
  const ok = validate(data);
  return {
    spec: data,
    violations: ok ? [] : describeAjvErrors(basePath, validate.errors ?? [], data),
  };
}
