import { Environment } from '@marcbachmann/cel-js';
import type { ASTNode } from '@marcbachmann/cel-js';

/**
 * Parses a CEL expression with a real CEL parser and reports what kro's checks need: the free (root)
 * identifiers it reads and the functions it calls. Comprehension variables and `cel.bind` names are locals,
 * which is why this walks the AST instead of matching text.
 */
export interface CelAnalysis {
  /** Root identifiers that are not CEL locals, in order of first use. */
  readonly identifiers: readonly string[];
  /** Functions called, global (`size`) or namespaced (`lists.range`); receiver methods are not listed. */
  readonly functions: readonly string[];
  /** `runtime.newCondition({type: "X", status: "True"})` / `runtime.condition(schema, "X")` literals. */
  readonly conditions: readonly ConditionLiteral[];
  /**
   * Field selections on the instance (`schema.spec.a.b[0]` → ['spec', 'a', 'b', 0]): names for `.x`, `.?x` and
   * `["x"]`, 0 for any other index. Every prefix of a selection is listed too.
   */
  readonly schemaSelections: readonly (readonly (string | number)[])[];
}

export interface ConditionLiteral {
  readonly fn: 'newCondition' | 'condition';
  readonly type?: string;
  readonly status?: string;
}

export type CelParseResult =
  | { readonly ok: true; readonly analysis: CelAnalysis }
  | { readonly ok: false; readonly message: string };

// Optional types (`a.?b`, `[?k]`) are part of kro's CEL environment.
const environment = new Environment({
  unlistedVariablesAreDyn: true,
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
});

/** Namespaces whose members are called like methods on an identifier (`lists.range(3)`), not variables. */
export const FUNCTION_NAMESPACES: ReadonlySet<string> = new Set([
  'cel',
  'lists',
  'strings',
  'base64',
  'json',
  'random',
  'hash',
  'optional',
  'runtime',
  'math',
  'sets',
]);

/** One-variable comprehension macros: `list.all(x, pred)`, `list.map(x, [filter,] expr)`. */
const ONE_VAR_MACROS = new Set([
  'all',
  'exists',
  'exists_one',
  'existsOne',
  'map',
  'filter',
  'sortBy',
]);
/** Two-variable comprehensions (cel-go ext TwoVarComprehensions). */
const TWO_VAR_MACROS = new Set([
  'all',
  'exists',
  'exists_one',
  'existsOne',
  'transformList',
  'transformMap',
  'transformMapEntry',
]);
const OPTIONAL_MACROS = new Set(['optMap', 'optFlatMap']);

export function analyzeCel(expression: string): CelParseResult {
  let ast: ASTNode;
  try {
    ast = environment.parse(expression).ast;
  } catch (e) {
    return { ok: false, message: firstLine(e instanceof Error ? e.message : String(e)) };
  }
  const identifiers: string[] = [];
  const functions: string[] = [];
  const conditions: ConditionLiteral[] = [];
  const schemaSelections: (string | number)[][] = [];
  const addUnique = (list: string[], v: string) => {
    if (!list.includes(v)) list.push(v);
  };
  const visit = (node: ASTNode, locals: ReadonlySet<string>): void => {
    const op: string = node.op;
    if (op === 'value') return;
    if (op === 'id') {
      const name = node.args as string;
      if (!locals.has(name)) addUnique(identifiers, name);
      return;
    }
    if (op === '.' || op === '.?' || op === '[]' || op === '[?]') {
      const selection = schemaSelection(node, locals);
      if (selection) schemaSelections.push(selection);
    }
    if (op === '.' || op === '.?') {
      visit((node.args as [ASTNode, string])[0], locals);
      return;
    }
    if (op === 'call') {
      const [name, args] = node.args as [string, ASTNode[]];
      addUnique(functions, name);
      // has(x.y) reads x; it is no binding.
      for (const a of args) visit(a, locals);
      return;
    }
    if (op === 'rcall') {
      const [name, receiver, args] = node.args as [string, ASTNode, ASTNode[]];
      visitReceiverCall(name, receiver, args, locals);
      return;
    }
    if (op === 'map') {
      for (const [k, v] of node.args as [ASTNode, ASTNode][]) {
        visit(k, locals);
        visit(v, locals);
      }
      return;
    }
    if (op === '!_' || op === '-_') {
      visit(node.args as ASTNode, locals);
      return;
    }
    // lists, binary and ternary operators: every argument is an expression.
    for (const a of node.args as ASTNode[]) visit(a, locals);
  };
  const visitReceiverCall = (
    name: string,
    receiver: ASTNode,
    args: ASTNode[],
    locals: ReadonlySet<string>,
  ): void => {
    if (receiver.op === 'id' && FUNCTION_NAMESPACES.has(receiver.args)) {
      const ns = receiver.args;
      if (!locals.has(ns)) {
        addUnique(functions, `${ns}.${name}`);
        if (ns === 'runtime') conditions.push(conditionLiteral(name, args));
        if (ns === 'cel' && name === 'bind' && args.length === 3) {
          const [v, init, body] = args as [ASTNode, ASTNode, ASTNode];
          visit(init, locals);
          visit(body, withLocals(locals, localName(v)));
          return;
        }
        for (const a of args) visit(a, locals);
        return;
      }
    }
    visit(receiver, locals);
    const first = args[0];
    const second = args[1];
    if (TWO_VAR_MACROS.has(name) && args.length >= 3 && isId(first) && isId(second)) {
      const inner = withLocals(locals, localName(first), localName(second));
      for (const a of args.slice(2)) visit(a, inner);
      return;
    }
    if (
      (ONE_VAR_MACROS.has(name) || OPTIONAL_MACROS.has(name)) &&
      args.length >= 2 &&
      isId(first)
    ) {
      const inner = withLocals(locals, localName(first));
      for (const a of args.slice(1)) visit(a, inner);
      return;
    }
    for (const a of args) visit(a, locals);
  };
  visit(ast, new Set());
  return { ok: true, analysis: { identifiers, functions, conditions, schemaSelections } };
}

/** The path a chain of selections takes from the free identifier `schema`; undefined for anything else. */
function schemaSelection(
  node: ASTNode,
  locals: ReadonlySet<string>,
): (string | number)[] | undefined {
  const path: (string | number)[] = [];
  let n: ASTNode = node;
  for (;;) {
    const op: string = n.op;
    if (op === '.' || op === '.?') {
      const [operand, field] = n.args as [ASTNode, string];
      path.unshift(field);
      n = operand;
    } else if (op === '[]' || op === '[?]') {
      const [operand, index] = n.args as [ASTNode, ASTNode];
      path.unshift(stringLiteral(index) ?? 0);
      n = operand;
    } else if (op === 'id') {
      return n.args === 'schema' && !locals.has('schema') ? path : undefined;
    } else return undefined;
  }
}

function conditionLiteral(name: string, args: readonly ASTNode[]): ConditionLiteral {
  if (name === 'condition') {
    const t = stringLiteral(args[1]);
    return t === undefined ? { fn: 'condition' } : { fn: 'condition', type: t };
  }
  const map = args[0];
  const out: { fn: 'newCondition'; type?: string; status?: string } = { fn: 'newCondition' };
  if (map?.op === 'map') {
    for (const [k, v] of map.args as [ASTNode, ASTNode][]) {
      const key = stringLiteral(k) ?? (k.op === 'id' ? k.args : undefined);
      const value = stringLiteral(v);
      if ((key === 'type' || key === 'status') && value !== undefined) out[key] = value;
    }
  }
  return out;
}

function stringLiteral(n: ASTNode | undefined): string | undefined {
  return n?.op === 'value' && typeof n.args === 'string' ? n.args : undefined;
}

function isId(n: ASTNode | undefined): n is ASTNode {
  return n !== undefined && n.op === 'id';
}

function localName(n: ASTNode): string {
  return n.op === 'id' ? n.args : '';
}

function withLocals(base: ReadonlySet<string>, ...names: string[]): ReadonlySet<string> {
  const s = new Set(base);
  for (const n of names) if (n !== '') s.add(n);
  return s;
}

function firstLine(msg: string): string {
  return msg.split('\n')[0] ?? msg;
}
