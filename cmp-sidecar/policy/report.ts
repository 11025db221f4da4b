import { PolicyDeniedError } from '../../core/errors';
import type { PolicySource, PolicyViolation } from './types';

/**
 * How violations read, on stderr and in the error that fails a render: the policy (and its binding or
 * constraint) with where it is written, the object with the file:line it came from, the message, the reason.
 */
function at(src: PolicySource | undefined): string {
  if (src === undefined) return '';
  return src.line === undefined ? src.file : `${src.file}:${src.line}`;
}

export function describeViolation(v: PolicyViolation): string {
  const o = v.object;
  const objectName = `${o.kind} ${o.namespace === undefined ? '' : `${o.namespace}/`}${o.name}`;
  const objectAt = o.source === undefined ? '' : ` (${at(o.source)})`;
  const policy =
    v.engine === 'ValidatingAdmissionPolicy'
      ? `ValidatingAdmissionPolicy '${v.policy}' with binding '${v.binding ?? ''}'`
      : `Gatekeeper constraint ${v.binding ?? ''} (template ${v.policy})`;
  const reason = v.reason === undefined ? '' : ` [reason: ${v.reason}]`;
  return `${objectName}${objectAt}: ${policy} (${at(v.policySource)}): ${v.message}${reason}`;
}

/** One error listing every Deny violation of the render at once. */
export function denialError(denied: readonly PolicyViolation[]): PolicyDeniedError {
  const lines = denied.map((v) => `  - ${describeViolation(v)}`);
  return new PolicyDeniedError(
    `admission policies denied the render (${denied.length} violation(s)); Argo CD keeps the live resources until this is fixed:\n${lines.join('\n')}`,
    denied.map((v) => ({
      policy: v.policy,
      ...(v.binding === undefined ? {} : { binding: v.binding }),
      message: v.message,
      ...(v.reason === undefined ? {} : { reason: v.reason }),
      object: v.object,
    })),
  );
}
