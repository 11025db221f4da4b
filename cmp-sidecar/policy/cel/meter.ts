/**
 * Cost accounting for CEL evaluation. The CEL library has no runtime cost limit, so every node it evaluates is
 * charged here (1 per node, plus the size of strings and lists an operation produces), in the spirit of cel-go's
 * runtime cost: a hostile expression (nested comprehensions over large lists, strings doubled in a loop) stops with
 * a clear error instead of hanging the render. A wall-clock deadline backs the meter up.
 */

/** Kubernetes' per-expression limit (`PerCallLimit`, policy-cel.md §A.12). */
export const PER_CALL_LIMIT = 1_000_000;
/** Kubernetes' budget for all validations of one (policy, binding, param) evaluation (`RuntimeCELCostBudget`). */
export const VALIDATION_BUDGET = 10_000_000;
/** Kubernetes' budget for all matchConditions of one evaluation. */
export const MATCH_CONDITIONS_BUDGET = 2_500_000;
/** Gatekeeper's in-process budget for all validations of one constraint (§B.5). */
export const GATEKEEPER_BUDGET = 1_000_000;

/** cel-go's message when one expression runs out of its limit. */
export const COST_LIMIT_MESSAGE = 'operation cancelled: actual cost limit exceeded';
export const BUDGET_MESSAGE =
  'validation failed due to running out of cost budget, no further validation rules will be run';

export class CostLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostLimitError';
  }
}

export interface Meter {
  /** Cost charged so far against this meter. */
  cost: number;
  /** Stops the evaluation when `cost` passes it. */
  readonly limit: number;
  readonly message: string;
  /** `performance.now()` value after which evaluation stops, whatever the cost. */
  readonly deadline: number;
}

let active: Meter | undefined;
let ticks = 0;

/** The meter the running evaluation charges, if any. */
export function activeMeter(): Meter | undefined {
  return active;
}

/** Runs `fn` charging `meter`; restores the previous meter after (nested evaluations share their caller's). */
export function withMeter<T>(meter: Meter, fn: () => T): T {
  const previous = active;
  active = meter;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

/** Charges one evaluation step; throws when the active meter's limit or deadline is passed. */
export function charge(units: number): void {
  const m = active;
  if (m === undefined) return;
  m.cost += units;
  if (m.cost > m.limit) throw new CostLimitError(m.message);
  if ((++ticks & 0x3fff) === 0 && performance.now() > m.deadline) {
    throw new CostLimitError(`${m.message} (evaluation deadline passed)`);
  }
}

interface MeteredNode {
  readonly op: string;
  evaluate(ev: unknown, node: MeteredNode, ctx: unknown): unknown;
}

/**
 * Evaluates one node of a CEL expression, charged as `charge(1)` would (the same counts and checks, written out:
 * it runs for every node, hundreds of thousands of times in a render), plus the size of a long string or list an
 * operation built. Reading a field or a variable builds nothing.
 */
export function evaluateMetered(this: unknown, node: MeteredNode, ctx: unknown): unknown {
  const m = active;
  if (m !== undefined) {
    if (++m.cost > m.limit) throw new CostLimitError(m.message);
    if ((++ticks & 0x3fff) === 0 && performance.now() > m.deadline)
      throw new CostLimitError(`${m.message} (evaluation deadline passed)`);
  }
  // `this` is the evaluator: this function replaces its `run` method.
  const result = node.evaluate(this, node, ctx);
  if (typeof result === 'string') {
    if (result.length > 100 && !isAccess(node.op)) charge(result.length >> 4);
  } else if (Array.isArray(result) && result.length > 10 && !isAccess(node.op)) {
    charge(result.length);
  }
  return result;
}

function isAccess(op: string): boolean {
  return op === 'id' || op === '.' || op === '[]';
}

/** True when the meter went over its limit, even if CEL's error absorption (`||`, `&&`) hid the error. */
export function exhausted(meter: Meter): boolean {
  // The deadline is checked while charging; only a long evaluation can have passed it unnoticed.
  return meter.cost > meter.limit || (meter.cost > 0x3fff && performance.now() > meter.deadline);
}
