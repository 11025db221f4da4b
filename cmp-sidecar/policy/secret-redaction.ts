import { inlinedSecretsOf, showsSecret } from '../secrets/inlined-values';
import { BUDGET_MESSAGE } from './cel/meter';
import { splitApiVersion } from './resources';
import { metadataOf } from './subject';
import type { Json, PolicyReport, PolicySet, PolicyViolation, Validation } from './types';

/**
 * Inline secrets mode writes values from AWS Secrets Manager into the objects before policies review them, and a
 * policy's messageExpression (or a CEL error) may quote any field, whole or in part: `substring`, `upperAscii`,
 * base64 of a slice. No scan can recognise every transform, so a violation about an object that holds inlined
 * values (or whose params are such an object) keeps only text the policy wrote: its static `message`, or the
 * default naming the expression. Anything computed is withheld, on stderr, in the error and in the report alike;
 * policy, binding, object and action stay.
 */
export const POLICY_MESSAGE_WITHHELD =
  'denied (message withheld: the object holds inline secret values, written by secrets.mode inline)';

export function withoutSecretValues(
  report: PolicyReport,
  objects: readonly Json[],
  policies: PolicySet,
): PolicyReport {
  const holders = objects.filter((o) => inlinedSecretsOf(o) !== undefined);
  if (holders.length === 0) return report;
  const inlined = holders.map((o) => inlinedSecretsOf(o)!);
  const computedMayShowSecret = (v: PolicyViolation): boolean =>
    holders.some((o) => isViolationObject(v, o)) || paramsMayHoldSecrets(v, policies, holders);
  return {
    ...report,
    violations: report.violations.map((v) => {
      const withheld =
        inlined.some((s) => showsSecret(v.message, s)) ||
        (computedMayShowSecret(v) && !staticMessagesOf(v, policies).has(v.message));
      return withheld ? { ...v, message: POLICY_MESSAGE_WITHHELD } : v;
    }),
  };
}

/** Kind and name decide; the namespace does not (the evaluator may have defaulted it), so a match errs on withholding. */
function isViolationObject(v: PolicyViolation, o: Json): boolean {
  const name = metadataOf(o)['name'];
  return (
    o['apiVersion'] === v.object.apiVersion &&
    o['kind'] === v.object.kind &&
    (typeof name === 'string' ? name : '') === v.object.name
  );
}

/** A ValidatingAdmissionPolicy's params may be rendered objects: one of a paramKind that holds inlined values. */
function paramsMayHoldSecrets(
  v: PolicyViolation,
  policies: PolicySet,
  holders: readonly Json[],
): boolean {
  if (v.engine !== 'ValidatingAdmissionPolicy') return false;
  const pk = policies.vaps.find((p) => p.name === v.policy)?.paramKind;
  if (pk === undefined) return false;
  const group = splitApiVersion(pk.apiVersion).group;
  return holders.some(
    (o) =>
      o['kind'] === pk.kind &&
      splitApiVersion(typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '').group === group,
  );
}

/** The messages the evaluator writes from the policy's own text only: they cannot quote the object. */
function staticMessagesOf(v: PolicyViolation, policies: PolicySet): Set<string> {
  const validations: readonly Validation[] =
    v.engine === 'ValidatingAdmissionPolicy'
      ? (policies.vaps.find((p) => p.name === v.policy)?.validations ?? [])
      : (policies.constraints.find((c) => `${c.kind}/${c.name}` === v.binding)?.template
          .validations ?? []);
  return new Set([
    BUDGET_MESSAGE,
    ...validations.map((x) => x.message?.trim() || `failed expression: ${x.expression.trim()}`),
  ]);
}
