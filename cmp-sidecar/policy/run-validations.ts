import type { Compiled } from './cel/compile';
import { celErrorMessage } from './cel/compile';
import {
  BUDGET_MESSAGE,
  COST_LIMIT_MESSAGE,
  CostLimitError,
  exhausted,
  MATCH_CONDITIONS_BUDGET,
  PER_CALL_LIMIT,
  withMeter,
} from './cel/meter';
import type { FailurePolicy, NamedExpression, Validation } from './types';

/**
 * One evaluation of a policy for one (binding, param) — or of a Gatekeeper constraint — as Kubernetes' validator
 * does it (policy-cel.md §A.4, §A.6–A.8, §A.12): matchConditions, then the validations with lazily evaluated,
 * composing variables, then messages; errors handled by failurePolicy; every step metered.
 */
export interface EvaluationSpec {
  readonly failurePolicy: FailurePolicy;
  readonly matchConditions: readonly NamedExpression[];
  readonly variables: readonly NamedExpression[];
  readonly validations: readonly Validation[];
  /** Total cost for the validations (and the variables they pull in); messages get what is left. */
  readonly budget: number;
  /** Computed before the declared variables (Gatekeeper's `anyObject` and `params`). */
  readonly builtinVariables?: Readonly<Record<string, unknown>>;
  /** Extra names visible to variable expressions only (Gatekeeper: `params` = the constraint). */
  readonly variableScope?: Readonly<Record<string, unknown>>;
  /** `namespaceObject` inside matchConditions (null for a ValidatingAdmissionPolicy). */
  readonly namespaceObjectInConditions: unknown;
  /** Performance.now() deadline shared by the whole render's evaluation. */
  readonly deadline: number;
}

/** A deny decision: the message, the reason, and whether it came from an error (failurePolicy Fail). */
export interface DenyDecision {
  readonly message: string;
  readonly reason?: string;
}

const MAX_MESSAGE_BYTES = 5120;
const NO_VARIABLES: Readonly<Record<string, unknown>> = Object.freeze({});

/** Why an omitted field errors offline although the live server might pass: defaulting runs there first. */
const DEFAULTING_HINT =
  " (the object is evaluated as rendered, without the API server's defaulting: the field may be defaulted when applied live; guard it with has())";

type Result =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

function run(
  compiled: Compiled,
  activation: Readonly<Record<string, unknown>>,
  limit: number,
  deadline: number,
): { result: Result; cost: number } {
  if (!compiled.ok)
    return { result: { ok: false, error: `compilation error: ${compiled.message}` }, cost: 0 };
  const meter = { cost: 0, limit, message: COST_LIMIT_MESSAGE, deadline };
  let result: Result;
  try {
    const value = withMeter(meter, () => compiled.program.run(activation));
    // `||` and `&&` absorb errors in CEL: a cost error they swallowed still ends the evaluation.
    result = exhausted(meter) ? { ok: false, error: COST_LIMIT_MESSAGE } : { ok: true, value };
  } catch (e) {
    result = { ok: false, error: e instanceof CostLimitError ? e.message : celErrorMessage(e) };
  }
  return { result, cost: meter.cost };
}

function runtimeErrorMessage(expression: string, error: string): string {
  const hint = /no such key/.test(error) ? DEFAULTING_HINT : '';
  return `expression '${expression}' resulted in error: ${error}${hint}`;
}

/**
 * The deny decisions of one evaluation: [] when everything passed, the policy did not apply (a matchCondition
 * false) or errors were ignored (failurePolicy Ignore).
 */
export function evaluateOnce(
  spec: EvaluationSpec,
  activation: Readonly<Record<string, unknown>>,
): DenyDecision[] {
  const fail = spec.failurePolicy === 'Fail';

  // matchConditions: any false → skip; otherwise errors → failurePolicy.
  if (spec.matchConditions.length > 0) {
    let left = MATCH_CONDITIONS_BUDGET;
    const errors: string[] = [];
    const conditionScope = { ...activation, namespaceObject: spec.namespaceObjectInConditions };
    const scope =
      spec.builtinVariables === undefined
        ? conditionScope
        : scopeWithVariables(spec, conditionScope);
    for (const c of spec.matchConditions) {
      const { result, cost } = run(
        c.compiled,
        scope,
        Math.min(PER_CALL_LIMIT, left),
        spec.deadline,
      );
      left -= cost;
      if (result.ok && result.value === false) return [];
      if (!result.ok)
        errors.push(`expression '${c.expression}' resulted in error: ${result.error}`);
      else if (result.value !== true)
        errors.push(`matchCondition '${c.name}' did not evaluate to a bool`);
    }
    if (errors.length > 0) return fail ? [{ message: errors.join(', ') }] : [];
  }

  const scope = scopeWithVariables(spec, activation);
  let left = spec.budget;
  const decisions: (DenyDecision & { fromFalse?: Validation })[] = [];
  for (const v of spec.validations) {
    if (left <= 0) return fail ? [{ message: BUDGET_MESSAGE }] : [];
    const { result, cost } = run(v.compiled, scope, Math.min(PER_CALL_LIMIT, left), spec.deadline);
    left -= cost;
    if (left < 0) return fail ? [{ message: BUDGET_MESSAGE }] : [];
    if (result.ok && result.value === true) continue;
    if (!result.ok) {
      if (fail) decisions.push({ message: runtimeErrorMessage(v.expression, result.error) });
      continue;
    }
    decisions.push({
      message: '',
      fromFalse: v,
      ...(v.reason === undefined ? {} : { reason: v.reason }),
    });
  }
  if (decisions.length === 0) return [];
  // Messages for the validations that returned false, with their own variable cache and the budget left.
  const messageScope = scopeWithVariables(spec, activation);
  return decisions.map((d) => {
    if (d.fromFalse === undefined) return d;
    const v = d.fromFalse;
    let message: string | undefined;
    if (v.messageExpression !== undefined && left > 0) {
      const { result, cost } = run(
        v.messageExpression.compiled,
        messageScope,
        Math.min(PER_CALL_LIMIT, left),
        spec.deadline,
      );
      left -= cost;
      if (result.ok && typeof result.value === 'string') {
        const text = result.value.trim();
        if (text !== '' && !text.includes('\n') && Buffer.byteLength(text) <= MAX_MESSAGE_BYTES)
          message = text;
      }
    }
    message ??= v.message?.trim() || `failed expression: ${v.expression.trim()}`;
    return { message, reason: v.reason ?? 'Invalid' };
  });
}

/**
 * `activation` with `variables` for one evaluation pass: each declared variable is computed the first time an
 * expression reads it and cached for the pass; an error becomes the referring expression's error (Kubernetes'
 * composition.go). Variables see the same names plus `spec.variableScope`.
 */
function scopeWithVariables(
  spec: EvaluationSpec,
  activation: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  if (spec.variables.length === 0 && spec.builtinVariables === undefined)
    return { ...activation, variables: NO_VARIABLES };
  const vars: Record<string, unknown> = { ...(spec.builtinVariables ?? {}) };
  const scope = { ...activation, variables: vars };
  // Without names of their own, variables evaluate in the very scope they are part of: one object less per pass.
  const variableScope =
    spec.variableScope === undefined
      ? scope
      : { ...activation, ...spec.variableScope, variables: vars };
  if (spec.variables.length > 0) defineLazyVariables(vars, spec.variables, variableScope);
  return scope;
}

function defineLazyVariables(
  vars: Record<string, unknown>,
  definitions: readonly NamedExpression[],
  scope: Readonly<Record<string, unknown>>,
): void {
  const cache = new Map<string, Result>();
  for (const def of definitions) {
    Object.defineProperty(vars, def.name, {
      enumerable: true,
      configurable: true,
      get: () => {
        let r = cache.get(def.name);
        if (r === undefined) {
          if (!def.compiled.ok)
            r = { ok: false, error: `fails to compile: ${def.compiled.message}` };
          else {
            try {
              // Charged to the meter of the expression that reads it.
              r = { ok: true, value: def.compiled.program.run(scope) };
            } catch (e) {
              if (e instanceof CostLimitError) throw e;
              r = { ok: false, error: `fails to evaluate: ${celErrorMessage(e)}` };
            }
          }
          cache.set(def.name, r);
        }
        if (!r.ok) throw new Error(`composited variable "${def.name}" ${r.error}`);
        return r.value;
      },
    });
  }
}
