import type { Environment } from '@marcbachmann/cel-js';

/**
 * cel-go's two-variable comprehensions (Kubernetes 1.32 runtime, policy-cel.md §A.11) as CEL-library macros:
 * `all(i, v, p)`, `exists(i, v, p)`, `existsOne`/`exists_one(i, v, p)`, `transformList(i, v, [filter,] e)`,
 * `transformMap(k, v, [filter,] e)`, `transformMapEntry(k, v, [filter,] e)`. Over a list the first variable is the
 * index, over a map the key. As in cel-go, `all` is false and `exists` true as soon as one element decides it, even
 * if another errored; every evaluated node is charged by the metered evaluator.
 */
type Kind = 'all' | 'exists' | 'existsOne' | 'transformList' | 'transformMap' | 'transformMapEntry';

interface Checker {
  check(ast: unknown, ctx: unknown): unknown;
  registry: { getType(name: string): unknown };
}
interface Ctx {
  forkWithVariable(name: string, type: unknown): Ctx;
  reuse(parent: unknown): Ctx;
  setIterValue(v: unknown, ev: unknown): Ctx;
}
interface Evaluator {
  run(ast: unknown, ctx: unknown): unknown;
}
interface Macro {
  readonly names: readonly [string, string];
  readonly exprs: readonly unknown[];
  readonly receiver: unknown;
  first?: Ctx;
  second?: Ctx;
}

function entries(coll: unknown): [unknown, unknown][] {
  if (Array.isArray(coll)) return coll.map((v, i) => [BigInt(i), v]);
  if (coll instanceof Map) return [...(coll as Map<unknown, unknown>).entries()];
  if (coll !== null && typeof coll === 'object') return Object.entries(coll);
  throw new Error('a two-variable comprehension ranges over a list or a map');
}

function toMap(pairs: readonly [unknown, unknown][]): unknown {
  if (pairs.every(([k]) => typeof k === 'string')) return Object.fromEntries(pairs);
  return new Map(pairs);
}

function evaluate(kind: Kind, ev: Evaluator, m: Macro, ctx: unknown): unknown {
  const first = m.first!.reuse(ctx);
  const second = m.second!.reuse(first);
  const [filter, expr] = m.exprs.length === 2 ? m.exprs : [undefined, m.exprs[0]];
  const run = (ast: unknown): unknown => ev.run(ast, second);
  let error: unknown;
  let count = 0;
  const list: unknown[] = [];
  const pairs: [unknown, unknown][] = [];
  for (const [i, v] of entries(ev.run(m.receiver, ctx))) {
    first.setIterValue(i, ev);
    second.setIterValue(v, ev);
    if (kind === 'all' || kind === 'exists') {
      let r: unknown;
      try {
        r = run(expr);
      } catch (e) {
        error ??= e;
        continue;
      }
      if (kind === 'all' && r !== true) {
        if (r === false) return false;
        error ??= new Error('all(i, v, predicate): predicate must return bool');
      }
      if (kind === 'exists' && r === true) return true;
      continue;
    }
    if (kind === 'existsOne') {
      if (run(expr) === true) count++;
      continue;
    }
    if (filter !== undefined && run(filter) !== true) continue;
    const out = run(expr);
    if (kind === 'transformList') list.push(out);
    else if (kind === 'transformMap') pairs.push([i, out]);
    else pairs.push(...entries(out));
  }
  if (error !== undefined)
    throw error instanceof Error ? error : new Error('two-variable comprehension failed');
  if (kind === 'all') return true;
  if (kind === 'exists') return false;
  if (kind === 'existsOne') return count === 1;
  return kind === 'transformList' ? list : toMap(pairs);
}

function macro(kind: Kind) {
  return ({
    args,
    receiver,
  }: {
    args: { op: string; args: unknown }[];
    receiver: unknown;
  }): object => {
    const [a, b, ...exprs] = args;
    if (a?.op !== 'id' || b?.op !== 'id')
      throw new Error(`${kind}(i, v, ...): the first two arguments must be identifiers`);
    const m: Macro & { typeCheck: unknown; evaluate: unknown } = {
      names: [a.args as string, b.args as string],
      exprs,
      receiver,
      typeCheck: (chk: Checker, self: Macro, ctx: Ctx) => {
        chk.check(self.receiver, ctx);
        const dyn = chk.registry.getType('dyn');
        self.first = ctx.forkWithVariable(self.names[0], dyn);
        self.second = self.first.forkWithVariable(self.names[1], dyn);
        for (const e of self.exprs) chk.check(e, self.second);
        return chk.registry.getType(
          kind === 'transformList' ? 'list' : kind.startsWith('transformMap') ? 'map' : 'bool',
        );
      },
      evaluate: (ev: Evaluator, self: Macro, ctx: unknown) => evaluate(kind, ev, self, ctx),
    };
    return m;
  };
}

export function registerTwoVariableComprehensions(env: Environment): void {
  const quantifiers: [string, Kind][] = [
    ['all', 'all'],
    ['exists', 'exists'],
    ['existsOne', 'existsOne'],
    ['exists_one', 'existsOne'],
  ];
  for (const [name, kind] of quantifiers)
    env.registerFunction(`dyn.${name}(ast, ast, ast): bool`, macro(kind) as never);
  for (const kind of ['transformList', 'transformMap', 'transformMapEntry'] as const) {
    const result = kind === 'transformList' ? 'list<dyn>' : 'map<dyn, dyn>';
    env.registerFunction(`dyn.${kind}(ast, ast, ast): ${result}`, macro(kind) as never);
    env.registerFunction(`dyn.${kind}(ast, ast, ast, ast): ${result}`, macro(kind) as never);
  }
}
