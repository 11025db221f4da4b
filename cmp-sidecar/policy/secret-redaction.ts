import { inlinedSecretsOf, showsSecret } from '../secrets/inlined-values';
import type { Json, PolicyReport } from './types';

/**
 * Inline secrets mode writes values from AWS Secrets Manager into the objects before policies review them, and a
 * policy's messageExpression may quote any field. A violation whose message shows such a value keeps its policy,
 * object and action but loses its message, on stderr, in the error and in the report alike.
 */
export const POLICY_MESSAGE_WITHHELD =
  'denied (message withheld: it shows a value from AWS Secrets Manager, written by secrets.mode inline)';

export function withoutSecretValues(report: PolicyReport, objects: readonly Json[]): PolicyReport {
  const inlined = objects.flatMap((o) => {
    const s = inlinedSecretsOf(o);
    return s === undefined ? [] : [s];
  });
  if (inlined.length === 0) return report;
  return {
    ...report,
    violations: report.violations.map((v) =>
      inlined.some((s) => showsSecret(v.message, s))
        ? { ...v, message: POLICY_MESSAGE_WITHHELD }
        : v,
    ),
  };
}
