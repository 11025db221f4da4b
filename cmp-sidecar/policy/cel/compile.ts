import { Environment } from '@marcbachmann/cel-js';
import { CostLimitError, evaluateMetered } from './meter';
import { registerKubernetesLibraries, RE2_MATCHES } from './libraries';

/**
 * Compiles admission-policy CEL expressions once per process (cached by the variables declared and the text) in
 * an environment with the Kubernetes libraries, and runs them under the active cost meter (./meter.ts).
 *
 * What is declared follows policy-cel.md §A.10: `object`, `oldObject`, `request`, `namespaceObject` and
 * `authorizer` always; `params` only when the policy has a paramKind (or, for Gatekeeper, only in variables);
 * `variables` everywhere but in matchConditions. An undeclared identifier is a compile error.
 */
export interface Declarations {
  readonly params: boolean;
  readonly variables: boolean;
}

export interface Program {
  readonly expression: string;
  /** Evaluates with the given variables; throws on a CEL runtime error (message as cel-go words it). */
  run(activation: Readonly<Record<string, unknown>>): unknown;
}

export type Compiled =
  | { readonly ok: true; readonly program: Program }
  | { readonly ok: false; readonly syntax: boolean; readonly message: string };

/** Why an expression that reads `authorizer` fails at render (it is handled by the policy's failurePolicy). */
export const AUTHORIZER_UNAVAILABLE =
  'authorizer is not available when policies are evaluated at render (there is no requesting user offline)';

let base: Environment | undefined;
const environments = new Map<string, Environment>();
const cache = new Map<string, Compiled>();

interface EvaluatorLike {
  run(ast: AstLike, ctx: unknown): unknown;
}
interface AstLike {
  op: string;
  args: unknown;
  meta?: { alternate?: AstLike };
  evaluate(ev: EvaluatorLike, ast: AstLike, ctx: unknown): unknown;
}

function baseEnvironment(): Environment {
  if (base !== undefined) return base;
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
  });
  registerKubernetesLibraries(env);
  // A macro's evaluate hook is handed the evaluator: meterEvaluator uses it to reach each environment's.
  env.registerFunction('__evaluatorProbe(ast): dyn', (({ args }: { args: unknown[] }) => ({
    typeCheck: (chk: { check(a: unknown, c: unknown): unknown }, _m: unknown, ctx: unknown) =>
      chk.check(args[0], ctx),
    evaluate: () => null,
  })) as never);
  return (base = env);
}

/** The environment for one set of declarations; its evaluator is metered (every node evaluation is charged). */
function environmentFor(decl: Declarations): Environment {
  const key = `${decl.params ? 'p' : ''}${decl.variables ? 'v' : ''}`;
  let env = environments.get(key);
  if (env !== undefined) return env;
  env = baseEnvironment().clone();
  for (const name of ['object', 'oldObject', 'request', 'namespaceObject', 'authorizer'])
    env.registerVariable(name, 'dyn');
  if (decl.params) env.registerVariable('params', 'dyn');
  if (decl.variables) env.registerVariable('variables', 'dyn');
  meterEvaluator(env);
  environments.set(key, env);
  return env;
}

/**
 * Wraps the environment's evaluator so that each node it evaluates is charged, and strings and lists an operation
 * builds are charged by size (as cel-go does for concatenation): the CEL library itself has no cost accounting.
 */
function meterEvaluator(env: Environment): void {
  let evaluator: EvaluatorLike | undefined;
  const probe = env.parse('__evaluatorProbe(0)');
  type Hook = (ev: EvaluatorLike, ...rest: unknown[]) => unknown;
  const ast = probe.ast as unknown as { meta: { macro?: { evaluate: Hook } } };
  const macro = ast.meta.macro;
  if (macro !== undefined) {
    const original = macro.evaluate;
    macro.evaluate = (ev: EvaluatorLike, ...rest: unknown[]) => {
      evaluator = ev;
      return original(ev, ...rest);
    };
  }
  probe({});
  if (evaluator === undefined) throw new Error('cannot meter the CEL evaluator (library changed?)');
  // The library calls it as a method (`ev.run(...)`, `this.run(...)`), so `this` is the evaluator.
  evaluator.run = evaluateMetered;
}

/** Renames receiver-style `matches` to the RE2 version and reports whether `authorizer` is read. */
function rewrite(root: AstLike): { usesAuthorizer: boolean } {
  let usesAuthorizer = false;
  const seen = new Set<unknown>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    const ast = node as Partial<AstLike>;
    if (typeof ast.op === 'string') {
      if (ast.op === 'id' && ast.args === 'authorizer') usesAuthorizer = true;
      if (ast.op === 'rcall' && Array.isArray(ast.args) && ast.args[0] === 'matches')
        (ast.args as unknown[])[0] = RE2_MATCHES;
      visit(ast.args);
      visit(ast.meta?.alternate);
      return;
    }
    for (const v of Object.values(node)) visit(v);
  };
  visit(root);
  return { usesAuthorizer };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(RE2_MATCHES, 'matches');
}

/** The message cel-go would give for an error the CEL library threw. */
export function celErrorMessage(e: unknown): string {
  if (e instanceof CostLimitError) return e.message;
  const text = firstLine(e instanceof Error ? e.message : String(e));
  return text.replace(/^No such key/, 'no such key');
}

export function compileExpression(expression: string, decl: Declarations): Compiled {
  const key = `${decl.params ? 'p' : ''}${decl.variables ? 'v' : ''}\0${expression}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const result = compileUncached(expression, decl);
  cache.set(key, result);
  return result;
}

function compileUncached(expression: string, decl: Declarations): Compiled {
  const env = environmentFor(decl);
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(expression);
  } catch (e) {
    return { ok: false, syntax: true, message: celErrorMessage(e) };
  }
  const { usesAuthorizer } = rewrite(parsed.ast as unknown as AstLike);
  // An authorizer call does not type-check without the Authz library; it fails at evaluation instead, under
  // the policy's failurePolicy, as a live server's would if its authorizer failed.
  if (usesAuthorizer) {
    return {
      ok: true,
      program: {
        expression,
        run: () => {
          throw new Error(AUTHORIZER_UNAVAILABLE);
        },
      },
    };
  }
  const checked = parsed.check();
  if (!checked.valid) return { ok: false, syntax: false, message: celErrorMessage(checked.error) };
  return {
    ok: true,
    program: { expression, run: (activation): unknown => parsed(activation) as unknown },
  };
}
