import { InputError } from '../../core/errors';
import { isMap } from './parse-match';
import type { SubjectInput } from './subject';
import type { Json, Operation, PolicySource } from './types';

/**
 * An object under review, or an `admission.k8s.io` AdmissionReview taken as the request itself (operation,
 * object, oldObject, namespace), as `gator` takes it.
 */
export interface ReviewedDocument {
  readonly input: SubjectInput;
  /** The request's namespace, when an AdmissionReview names one. */
  readonly namespace?: string;
}

const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export function isAdmissionReview(doc: Json): boolean {
  return (
    doc['kind'] === 'AdmissionReview' &&
    typeof doc['apiVersion'] === 'string' &&
    doc['apiVersion'].startsWith('admission.k8s.io/')
  );
}

export function subjectFromDocument(
  doc: Json,
  defaults: { operation: Operation; oldObject: Json | null; source?: PolicySource },
): ReviewedDocument {
  const source = defaults.source === undefined ? {} : { source: defaults.source };
  if (!isAdmissionReview(doc)) {
    return {
      input: {
        object: defaults.operation === 'DELETE' ? null : doc,
        oldObject: defaults.operation === 'DELETE' ? doc : defaults.oldObject,
        operation: defaults.operation,
        ...source,
      },
    };
  }
  const request = isMap(doc['request']) ? doc['request'] : undefined;
  const where = defaults.source === undefined ? 'AdmissionReview' : `${defaults.source.file}`;
  if (request === undefined) throw new InputError(`${where}: an AdmissionReview needs a request`);
  const op = request['operation'] ?? defaults.operation;
  if (!OPERATIONS.includes(op as Operation))
    throw new InputError(
      `${where}: request.operation ${JSON.stringify(op)} is not CREATE, UPDATE, DELETE or CONNECT`,
    );
  const object = isMap(request['object']) ? request['object'] : null;
  const oldObject = isMap(request['oldObject']) ? request['oldObject'] : null;
  if (object === null && oldObject === null)
    throw new InputError(
      `${where}: the AdmissionReview's request has neither object nor oldObject`,
    );
  const namespace = request['namespace'];
  return {
    input: { object, oldObject, operation: op as Operation, ...source },
    ...(typeof namespace === 'string' && namespace !== '' ? { namespace } : {}),
  };
}
