import Handlebars from 'handlebars';
import { ConfigError, RenderError } from '../../core/errors';
import { LIMITS, quote } from './limits';
import type { SourceRef } from './types';

/**
 * Strict Handlebars over single string values (never over YAML text, so a value cannot change structure).
 *
 * Helpers (the complete list; anything else is a compile error):
 *   default v fallback · lower s · upper s · trim s · replace s from to · trimPrefix s p · trimSuffix s p ·
 *   json v · b64enc s · b64dec s · eq a b · ne a b · and a b.. · or a b.. · not a ·
 *   int v · number v · bool v (typed output when the whole value is that one expression) ·
 *   built-ins if, unless, each, with.  `lookup` and `log` are disabled.
 * Refused before anything runs: partials, inline partials and decorators, and any path segment naming a member of
 * Object.prototype (`constructor`, `__proto__`, `toString`, ...), `prototype`, `helperMissing` or
 * `blockHelperMissing`. Handlebars' own prototype guard answers such lookups with an empty string, which strict
 * mode does not catch (`'constructor' in {}` is true), so a typo would render "" silently.
 * Bounded: `each` iterations and the characters any helper, loop or value produces (render/limits.ts).
 *
 * Members of strings and lists: strict mode checks only the last segment of a path printed by `{{...}}`; the
 * segments before it, and every segment of a helper argument or block parameter (`{{default a.b "x"}}`,
 * `{{#if a.b}}`), go through Handlebars' lookupProperty, which answers `undefined` for `"prod".lenght` — so a typo
 * such as `{{default cluster.name.lenght "x"}}` rendered "x" silently. Every lookup on the context is therefore
 * compiled through a check (CheckedCompiler): a string, number or boolean has no members, a list only indices and
 * `length`.
 */

export type TemplateScope = Readonly<Record<string, unknown>>;

/** Roots a scope deliberately lacks, with the explanation a template using one of them fails with. */
const absentRoots = new WeakMap<TemplateScope, ReadonlyMap<string, string>>();

/**
 * Marks `root` as absent from `scope` for a reason (the cluster context was not given): any template that uses it
 * fails with a ConfigError carrying `reason`, before it runs — so neither "unknown variable" nor a `default`
 * fallback silently standing in for every cluster.
 */
export function markAbsent(scope: TemplateScope, root: string, reason: string): void {
  absentRoots.set(scope, new Map([...(absentRoots.get(scope) ?? []), [root, reason]]));
}
export type TemplateValue = string | number | boolean;

const TYPED_HELPERS = new Set(['int', 'number', 'bool']);
const HELPER_NAMES = [
  'default',
  'lower',
  'upper',
  'trim',
  'replace',
  'trimPrefix',
  'trimSuffix',
  'json',
  'b64enc',
  'b64dec',
  'eq',
  'ne',
  'and',
  'or',
  'not',
  'int',
  'number',
  'bool',
] as const;

/** Thrown by helpers for a bad argument; turned into a RenderError naming file:line by the caller. */
class HelperArgumentError extends Error {}

/** Thrown when a path reaches for a member of a string, number, boolean or list that it cannot have. */
class MemberError extends Error {
  constructor(
    readonly member: string,
    readonly parentKind: string,
  ) {
    super(`"${member}" is not a member of ${parentKind}`);
  }
}

/**
 * The helper every compiled context lookup goes through (see the header). Its name cannot be written as a helper
 * call: knownHelpersOnly refuses every helper name outside KNOWN_HELPERS, and checkAst refuses it in paths.
 */
const MEMBER_CHECK = 'eks-overlay member check';
const LIST_MEMBER = /^(?:0|[1-9]\d*|length)$/;

function checkMember(parent: unknown, member: string): unknown {
  if (typeof parent === 'string') throw new MemberError(member, 'a string');
  if (typeof parent === 'number' || typeof parent === 'boolean' || typeof parent === 'bigint')
    throw new MemberError(member, `a ${typeof parent}`);
  if (Array.isArray(parent) && !LIST_MEMBER.test(member)) throw new MemberError(member, 'a list');
  return parent;
}

type CodeChunk = string | readonly CodeChunk[];
/** The part of Handlebars' (untyped) JavaScriptCompiler this module overrides or calls. */
interface JavaScriptCompiler {
  nameLookup(parent: CodeChunk, name: string, type: string): CodeChunk;
  quotedString(s: string): string;
  compiler: unknown;
}
interface JavaScriptCompilerClass {
  new (): JavaScriptCompiler;
  prototype: JavaScriptCompiler;
}

/** A private Handlebars environment compiling context lookups through MEMBER_CHECK. */
function withCheckedLookups(hb: typeof Handlebars): void {
  const env = hb as unknown as { JavaScriptCompiler: JavaScriptCompilerClass };
  const Base = env.JavaScriptCompiler;
  class CheckedCompiler extends Base {}
  const base = Base.prototype;
  CheckedCompiler.prototype.nameLookup = function (
    this: JavaScriptCompiler,
    parent: CodeChunk,
    name: string,
    type: string,
  ) {
    if (type !== 'context' && type !== 'data')
      return base.nameLookup.call(this, parent, name, type);
    const checked = [
      `helpers[${JSON.stringify(MEMBER_CHECK)}](`,
      parent,
      ',',
      this.quotedString(name),
      ',{})', // the runtime sets lookupProperty on a helper's last argument (its options object)
    ];
    return base.nameLookup.call(this, checked, name, type);
  };
  // Child programs (block bodies) are compiled by `new this.compiler()`: they must be checked too.
  CheckedCompiler.prototype.compiler = CheckedCompiler;
  env.JavaScriptCompiler = CheckedCompiler;
  hb.registerHelper(MEMBER_CHECK, checkMember);
}

const args = (raw: unknown[]): unknown[] => raw.slice(0, -1); // Handlebars passes its options object last

function asString(v: unknown, helper: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new HelperArgumentError(`${helper} expects a string, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a map' : JSON.stringify(v);
}

function toInt(v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^[-+]?\d+$/.test(v.trim()) && Number.isSafeInteger(Number(v)))
    return Number(v);
  throw new HelperArgumentError(`int expects an integer, got ${describe(v)}`);
}

function toNumber(v: unknown): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n === 'number' && Number.isFinite(n)) return n;
  throw new HelperArgumentError(`number expects a number, got ${describe(v)}`);
}

function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new HelperArgumentError(`bool expects true or false, got ${describe(v)}`);
}

const helpers: Record<(typeof HELPER_NAMES)[number], (...raw: unknown[]) => unknown> = {
  default: (...raw) => {
    const [v, fallback] = args(raw);
    return v === undefined || v === null || v === '' ? fallback : v;
  },
  lower: (...raw) => asString(args(raw)[0], 'lower').toLowerCase(),
  upper: (...raw) => asString(args(raw)[0], 'upper').toUpperCase(),
  trim: (...raw) => asString(args(raw)[0], 'trim').trim(),
  replace: (...raw) => {
    const [s, from, to] = args(raw).map((x) => asString(x, 'replace')) as [string, string, string];
    const parts = s.split(from);
    // Checked before joining: "" as `from` repeats `to` between every character.
    checkLength(s.length + (parts.length - 1) * (to.length - from.length), 'replace');
    return parts.join(to);
  },
  trimPrefix: (...raw) => {
    const [s, p] = args(raw).map((x) => asString(x, 'trimPrefix')) as [string, string];
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  trimSuffix: (...raw) => {
    const [s, p] = args(raw).map((x) => asString(x, 'trimSuffix')) as [string, string];
    return p !== '' && s.endsWith(p) ? s.slice(0, -p.length) : s;
  },
  json: (...raw) => JSON.stringify(args(raw)[0] ?? null),
  b64enc: (...raw) => Buffer.from(asString(args(raw)[0], 'b64enc'), 'utf8').toString('base64'),
  b64dec: (...raw) => Buffer.from(asString(args(raw)[0], 'b64dec'), 'base64').toString('utf8'),
  eq: (...raw) => {
    const [a, b] = args(raw);
    return a === b;
  },
  ne: (...raw) => {
    const [a, b] = args(raw);
    return a !== b;
  },
  and: (...raw) => args(raw).every(Boolean),
  or: (...raw) => args(raw).some(Boolean),
  not: (...raw) => !args(raw)[0],
  int: (...raw) => toInt(args(raw)[0]),
  number: (...raw) => toNumber(args(raw)[0]),
  bool: (...raw) => toBool(args(raw)[0]),
};

function checkLength(length: number, what: string): void {
  if (length > LIMITS.maxTemplateOutput) {
    throw new HelperArgumentError(
      `${what} would produce ${length} characters, over the limit of ${LIMITS.maxTemplateOutput} per template value`,
    );
  }
}

/** Work done while rendering one template value (reset by renderTemplate). */
const spent = { iterations: 0, characters: 0 };

/** Names a path may never use (see the header). */
const FORBIDDEN_NAMES = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
  'helperMissing',
  'blockHelperMissing',
  MEMBER_CHECK,
]);
const REFUSED_NODES: Readonly<Record<string, string>> = {
  PartialStatement: 'partials ({{> name}}) are not allowed',
  PartialBlockStatement: 'partial blocks ({{#> name}}) are not allowed',
  DecoratorBlock: 'decorators and inline partials ({{#*inline}}) are not allowed',
  Decorator: 'decorators ({{* name}}) are not allowed',
};

/** Thrown for a template that uses a refused construct; compile() turns it into "invalid template". */
class TemplateRefusedError extends Error {}

function checkAst(ast: hbs.AST.Program): void {
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as { type?: string; parts?: unknown[]; original?: unknown; loc?: unknown };
    const refused = n.type === undefined ? undefined : REFUSED_NODES[n.type];
    if (refused !== undefined) throw new TemplateRefusedError(refused);
    if (n.type === 'PathExpression') {
      const bad = n.parts?.find((p) => typeof p === 'string' && FORBIDDEN_NAMES.has(p));
      if (bad !== undefined) {
        throw new TemplateRefusedError(
          `${JSON.stringify(bad)} is not allowed in ${JSON.stringify(n.original)} (no prototype or Handlebars internals)`,
        );
      }
    }
    for (const v of Object.values(node)) {
      if (Array.isArray(v)) v.forEach(visit);
      else if (typeof v === 'object' && v !== null && v !== n.loc) visit(v);
    }
  };
  visit(ast);
}

export const TEMPLATE_HELPERS: readonly string[] = HELPER_NAMES;

let env: typeof Handlebars | undefined;
function handlebars(): typeof Handlebars {
  if (env !== undefined) return env;
  // A private environment: nothing registered globally by any other code is visible here.
  const hb = Handlebars.create();
  hb.unregisterHelper('lookup');
  hb.unregisterHelper('log');
  withCheckedLookups(hb);
  for (const [name, fn] of Object.entries(helpers)) {
    hb.registerHelper(name, (...raw: unknown[]) => {
      const out = fn(...raw);
      if (typeof out === 'string') checkLength(out.length, name);
      return out;
    });
  }
  // `each` is the only loop: count its iterations and what they produce, so nested loops over long lists stop.
  const builtinEach = hb.helpers['each'] as Handlebars.HelperDelegate;
  hb.registerHelper(
    'each',
    function (this: unknown, context: unknown, options: Handlebars.HelperOptions) {
      const fn = options.fn;
      const counted = (ctx: unknown, opts?: Handlebars.RuntimeOptions): string => {
        if (++spent.iterations > LIMITS.maxTemplateIterations) {
          throw new HelperArgumentError(
            `each ran more than ${LIMITS.maxTemplateIterations} iterations in one template value`,
          );
        }
        const out = fn(ctx, opts);
        spent.characters += out.length;
        checkLength(spent.characters, 'each');
        return out;
      };
      return builtinEach.call(this, context, { ...options, fn: counted }) as unknown;
    },
  );
  env = hb;
  return hb;
}

const KNOWN_HELPERS: Record<string, boolean> = {
  ...Object.fromEntries(HELPER_NAMES.map((n) => [n, true])),
  if: true,
  unless: true,
  each: true,
  with: true,
  lookup: false,
  log: false,
};

interface Compiled {
  readonly render: (scope: TemplateScope) => string;
  readonly typed: 'int' | 'number' | 'bool' | undefined;
  readonly ast: hbs.AST.Program;
  /** findRootUse's answers for this template, by root. */
  readonly rootUses: Map<string, string | undefined>;
}
/**
 * Compiled templates by their text: the same text always compiles the same, so the cache never changes a result.
 * Bounded, because the warm render server keeps it across renders: when full it starts over.
 */
const cache = new Map<string, Compiled>();
const CACHE_ENTRIES = 20_000;

function compile(text: string): Compiled {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const hb = handlebars();
  const ast = hb.parse(text);
  checkAst(ast);
  const only = ast.body.length === 1 ? ast.body[0] : undefined;
  let typed: Compiled['typed'];
  if (only?.type === 'MustacheStatement') {
    const p = (only as hbs.AST.MustacheStatement).path;
    if (p.type === 'PathExpression' && TYPED_HELPERS.has((p as hbs.AST.PathExpression).original)) {
      typed = (p as hbs.AST.PathExpression).original as Compiled['typed'];
    }
  }
  const fn = hb.compile(ast, {
    strict: true,
    noEscape: true,
    knownHelpersOnly: true,
    knownHelpers: KNOWN_HELPERS,
  });
  const compiled: Compiled = {
    ast,
    typed,
    rootUses: new Map(),
    render: (scope) =>
      fn(scope, {
        allowProtoPropertiesByDefault: false,
        allowProtoMethodsByDefault: false,
        allowCallsToHelperMissing: false,
      }),
  };
  if (cache.size >= CACHE_ENTRIES) cache.clear();
  cache.set(text, compiled);
  return compiled;
}

/** True when a string holds template syntax (plain strings skip Handlebars entirely). */
export function isTemplate(text: string): boolean {
  return text.includes('{{');
}

function at(where: SourceRef): string {
  return where.line === undefined ? where.file : `${where.file}:${where.line}`;
}

/**
 * Renders one value. A whole value that is exactly `{{int ..}}`, `{{number ..}}` or `{{bool ..}}` yields that type;
 * anything else yields a string. Unknown variables, unknown helpers and bad helper arguments throw a RenderError
 * naming `where` and the variable path.
 */
export function renderTemplate(
  text: string,
  scope: TemplateScope,
  where: SourceRef,
): TemplateValue {
  let compiled: Compiled;
  try {
    compiled = compile(text);
  } catch (e) {
    throw new RenderError(`${at(where)}: invalid template ${quote(text)}: ${firstLine(e)}`, {
      cause: e,
      ...where,
    });
  }
  const absent = absentRoots.get(scope);
  if (absent !== undefined) {
    for (const [root, reason] of absent) {
      const path = findRootUse(compiled, root);
      if (path !== undefined)
        throw new ConfigError([`${at(where)}: the template uses ${path}, but ${reason}`]);
    }
  }
  let out: string;
  spent.iterations = 0;
  spent.characters = 0;
  try {
    out = compiled.render(scope);
    checkLength(out.length, 'the template');
    if (out.includes('[object Object]')) {
      throw new HelperArgumentError(
        'a map cannot be rendered as text (use {{json ...}} for its JSON)',
      );
    }
  } catch (e) {
    throw new RenderError(
      `${at(where)}: ${explain(e, compiled.ast, scope)} in template ${quote(text)}`,
      {
        cause: e,
        ...where,
      },
    );
  }
  switch (compiled.typed) {
    case 'int':
      return toIntOrThrow(out, where);
    case 'number':
      return Number(out);
    case 'bool':
      return out === 'true';
    case undefined:
      return out;
  }
}

function toIntOrThrow(out: string, where: SourceRef): number {
  const n = Number(out);
  if (!Number.isSafeInteger(n))
    throw new RenderError(`${at(where)}: int produced ${JSON.stringify(out)}`, where);
  return n;
}

/** Turns Handlebars' runtime errors into "unknown variable cluster.metadata.labels.env" where possible. */
function explain(e: unknown, ast: hbs.AST.Program, scope: TemplateScope): string {
  if (e instanceof HelperArgumentError) return e.message;
  if (e instanceof MemberError) return unknownMember(e, ast);
  const err = e as { message?: string; lineNumber?: number; column?: number };
  const message = firstLine(e);
  const unknownHelper = /unknown helper (\S+)/.exec(message);
  if (unknownHelper !== null) {
    return `unknown helper ${unknownHelper[1]} (helpers: ${HELPER_NAMES.join(', ')}, if, unless, each, with)`;
  }
  const notDefined = /^"(.+)" not defined in/.exec(message);
  if (notDefined !== null) {
    const path = findPathAt(ast, err.lineNumber, err.column);
    return `unknown variable ${path ?? notDefined[1]}`;
  }
  const notAMap = /^Cannot use 'in' operator to search for '(.+)' in /.exec(message);
  if (e instanceof TypeError && notAMap !== null) {
    const path = findPathEndingWith(ast, notAMap[1]!);
    return `unknown variable ${path ?? notAMap[1]!} (its parent is a string or number, not a map)`;
  }
  if (e instanceof TypeError && /Cannot read properties of (undefined|null)/.test(message)) {
    const missing = firstUnresolvable(ast, scope);
    return missing === undefined
      ? `unknown variable (a parent of a path is missing): ${message}`
      : `unknown variable ${missing.path} (${missing.missing} is not defined)`;
  }
  return message;
}

/** A path expression of a template, as Handlebars parses it. */
interface PathNode {
  readonly parts: string[];
  readonly original: string;
  readonly data: boolean;
  readonly loc?: hbs.AST.SourceLocation;
}

/** The first path expression of the template (in source order) for which `match` answers something. */
function findPath<T>(
  ast: hbs.AST.Program,
  match: (path: PathNode) => T | undefined,
): T | undefined {
  let found: T | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined || typeof node !== 'object' || node === null) return;
    const n = node as {
      type?: string;
      parts?: string[];
      data?: boolean;
      original?: string;
      loc?: hbs.AST.SourceLocation;
    };
    if (n.type === 'PathExpression' && n.parts !== undefined) {
      found = match({
        parts: n.parts,
        original: n.original ?? n.parts.join('.'),
        data: n.data === true,
        ...(n.loc === undefined ? {} : { loc: n.loc }),
      });
      if (found !== undefined) return;
    }
    for (const v of Object.values(node)) {
      if (Array.isArray(v)) v.forEach(visit);
      else if (typeof v === 'object' && v !== null && v !== n.loc) visit(v);
    }
  };
  visit(ast);
  return found;
}

/**
 * The first path of the template that starts at `root` (`cluster.x`, `@root.cluster.x`, `../cluster`); asked on
 * every render while a root is absent, so remembered per compiled template.
 */
function findRootUse(compiled: Compiled, root: string): string | undefined {
  if (compiled.rootUses.has(root)) return compiled.rootUses.get(root);
  const use = findPath(compiled.ast, (p) => {
    const first = p.data && p.parts[0] === 'root' ? p.parts[1] : p.parts[0];
    return first === root && (!p.data || p.parts[0] === 'root') ? p.original : undefined;
  });
  compiled.rootUses.set(root, use);
  return use;
}

/** "unknown variable cluster.name.lenght (cluster.name is a string: it has no members)" for a MemberError. */
function unknownMember(e: MemberError, ast: hbs.AST.Program): string {
  const path = findPathWithMember(ast, e.member);
  if (path === undefined) return `unknown variable: ${e.message}`;
  const parent = path.parts.slice(0, path.parts.indexOf(e.member)).join('.');
  const owner = parent !== '' ? parent : path.original.startsWith('this') ? 'this' : 'its parent';
  const has =
    e.parentKind === 'a list'
      ? 'its members are indices such as .[0], and length'
      : 'it has no members';
  return `unknown variable ${path.original} (${owner} is ${e.parentKind}: ${has})`;
}

function findPathWithMember(ast: hbs.AST.Program, member: string): PathNode | undefined {
  // `this.x` has the parts ["x"]: the member may be the first part.
  return findPath(ast, (p) => (p.parts.includes(member) ? p : undefined));
}

/** The first root-relative path of the template whose parent does not resolve (best effort; ignores block scopes). */
function firstUnresolvable(
  ast: hbs.AST.Program,
  scope: TemplateScope,
): { path: string; missing: string } | undefined {
  return findPath(ast, (p) => {
    if (p.data || p.parts.length < 2) return undefined;
    let cur: unknown = scope;
    for (let i = 0; i < p.parts.length - 1; i++) {
      cur =
        typeof cur === 'object' && cur !== null && Object.hasOwn(cur, p.parts[i]!)
          ? (cur as Record<string, unknown>)[p.parts[i]!]
          : undefined;
      if (cur === undefined || cur === null)
        return { path: p.original, missing: p.parts.slice(0, i + 1).join('.') };
    }
    return undefined;
  });
}

function findPathEndingWith(ast: hbs.AST.Program, last: string): string | undefined {
  return findPath(ast, (p) =>
    p.parts.length > 1 && p.parts[p.parts.length - 1] === last ? p.original : undefined,
  );
}

function findPathAt(ast: hbs.AST.Program, line?: number, column?: number): string | undefined {
  if (line === undefined || column === undefined) return undefined;
  return findPath(ast, (p) =>
    p.loc?.start.line === line && p.loc.start.column === column ? p.original : undefined,
  );
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0] ?? m;
}
