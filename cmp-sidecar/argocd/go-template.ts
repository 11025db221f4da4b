import { createHash } from 'node:crypto';
import { sanitizeName } from '../../core/names';
import {
  RawJson,
  compareGoStrings,
  encodeGoJson,
  formatGoV,
  goQuote,
  isPlainObject,
} from './go-values';

/**
 * A subset of Go's text/template with the sprig functions Argo CD registers, enough to render real
 * ApplicationSet templates (goTemplate: true) exactly as the controller does. Anything outside the subset
 * THROWS {@link UnsupportedTemplateError}; it never renders something Go would render differently.
 *
 * Supported syntax:
 * - text and actions `{{ pipeline }}`, trim markers `{{- ` and ` -}}`, comments `{{/* ... *\/}}`;
 * - operands: `.`, `.a.b` (map keys; missing → `<no value>`, or an error under `missingkey=error`),
 *   `$`, `$var.a`, `(pipeline).a`, string literals ("..." with Go escapes, and `raw`), integer and float
 *   constants, `true`, `false`, `nil`;
 * - pipelines `a | f b` (the previous value becomes the last argument), variables `$x := ...`, `$x = ...`;
 * - `if` / `else if` / `else` / `end`, `with` / `else` / `end`, `range` (arrays, maps in key order,
 *   integers; `$i, $v :=` declarations) / `else` / `end`.
 * Functions: Go builtins `and or not eq ne lt le gt ge index len print printf println`; sprig `default
 * empty coalesce ternary required lower upper title trim trimPrefix trimSuffix replace trunc quote squote
 * contains hasPrefix hasSuffix toJson toString join splitList list dict b64enc b64dec sha256sum`; Argo CD's
 * `normalize` (SanitizeName). `printf` supports the verbs %v %s %d %q %t %%, without flags or widths.
 * Not supported (throws): `template`/`define`/`block`, `break`/`continue`, character and complex constants,
 * other sprig functions, printf flags/widths/other verbs.
 *
 * Types follow Go: data numbers are float64 (JS number), integer constants and `len` are int (JS bigint),
 * so `eq .port 80` with a JSON number fails with Go's "incompatible types for comparison".
 */

export class UnsupportedTemplateError extends Error {
  /** The feature, e.g. `function "toYaml"`; `field` is the template field it sits in, once known. */
  constructor(
    readonly what: string,
    readonly field?: string,
  ) {
    super(
      field === undefined
        ? `go-template emulation: ${what} is not supported`
        : `${field}: go-template emulation: ${what} is not supported`,
    );
  }
}

/** A Go template error, with Go's text (`template: :1:2: executing "" at <.x>: map has no entry ...`). */
export class GoTemplateError extends Error {}

export type MissingKeyOption = 'default' | 'invalid' | 'zero' | 'error';

export interface GoTemplateOptions {
  readonly missingKey?: MissingKeyOption;
}

/** Parses Argo CD's `goTemplateOptions` (`["missingkey=error"]`); other options are Go parse panics. */
export function parseGoTemplateOptions(options: readonly string[]): GoTemplateOptions {
  let missingKey: MissingKeyOption = 'default';
  for (const o of options) {
    const m = /^missingkey=(default|invalid|zero|error)$/.exec(o);
    if (!m) throw new GoTemplateError(`unrecognized option: ${o}`);
    missingKey = m[1] as MissingKeyOption;
  }
  return { missingKey };
}

/** Renders `template` against `data` (the params map) as `template.New("").Funcs(sprig).Parse(...).Execute`. */
export function renderGoTemplate(
  template: string,
  data: unknown,
  options: GoTemplateOptions = {},
): string {
  const tree = parseCached(template);
  const st = new State(template, data, options.missingKey ?? 'default');
  return st.run(tree);
}

/** Parses only (a parse error is thrown as GoTemplateError, unsupported syntax as UnsupportedTemplateError). */
export function parseGoTemplate(template: string): void {
  parse(template);
}

// ---------------------------------------------------------------- lexer

type Tok =
  | { t: 'text'; v: string; pos: number }
  | { t: 'open'; pos: number }
  | { t: 'close'; pos: number }
  | { t: 'space'; pos: number }
  | { t: 'pipe' | 'lparen' | 'rparen' | 'comma' | 'declare' | 'assign'; pos: number }
  | { t: 'string'; v: string; pos: number; src: string }
  | { t: 'number'; v: number | bigint; pos: number; src: string }
  | { t: 'field'; v: string; pos: number } // `.name`
  | { t: 'dot'; pos: number }
  | { t: 'var'; v: string; pos: number } // `$` or `$name`
  | { t: 'ident'; v: string; pos: number }
  | { t: 'eof'; pos: number };

const SPACE = /[ \t\r\n]/;

function lineOf(src: string, pos: number): number {
  return src.slice(0, pos).split('\n').length;
}

function parseError(src: string, pos: number, msg: string): GoTemplateError {
  return new GoTemplateError(`template: :${lineOf(src, pos)}: ${msg}`);
}

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    let text = open < 0 ? src.slice(pos) : src.slice(pos, open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open < 0) {
      if (text !== '') toks.push({ t: 'text', v: text, pos });
      break;
    }
    let p = open + 2;
    if (src[p] === '-' && SPACE.test(src[p + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      p += 2;
    }
    if (text !== '') toks.push({ t: 'text', v: text, pos });
    // Comments: `{{/*` ... `*/}}` (or `{{- /*` ... `*/ -}}`); the `/*` must follow the delimiter directly.
    if (src.startsWith('/*', p)) {
      const cstart = p;
      const cend = src.indexOf('*/', cstart + 2);
      if (cend < 0) throw parseError(src, open, 'unclosed comment');
      let q = cend + 2;
      if (src.startsWith(' -}}', q) || src.startsWith('\t-}}', q) || src.startsWith('\n-}}', q)) {
        trimNext = true;
        q += 4;
      } else if (src.startsWith('}}', q)) {
        q += 2;
      } else {
        throw parseError(src, open, 'comment ends before closing delimiter');
      }
      pos = q;
      continue;
    }
    toks.push({ t: 'open', pos: open });
    // Inside the action.
    for (;;) {
      if (p >= src.length) throw parseError(src, open, 'unclosed action');
      const c = src[p] ?? '';
      if (SPACE.test(c)) {
        let q = p;
        while (q < src.length && SPACE.test(src[q] ?? '')) q++;
        if (src.startsWith('-}}', q) && q > p) {
          trimNext = true;
          toks.push({ t: 'close', pos: q });
          p = q + 3;
          break;
        }
        if (src[q] === '\n' || src.slice(p, q).includes('\n')) {
          // Go allows newlines inside actions since 1.16; treat them as spaces.
        }
        toks.push({ t: 'space', pos: p });
        p = q;
        continue;
      }
      if (src.startsWith('}}', p)) {
        toks.push({ t: 'close', pos: p });
        p += 2;
        break;
      }
      if (c === '|') {
        toks.push({ t: 'pipe', pos: p++ });
        continue;
      }
      if (c === '(') {
        toks.push({ t: 'lparen', pos: p++ });
        continue;
      }
      if (c === ')') {
        toks.push({ t: 'rparen', pos: p++ });
        continue;
      }
      if (c === ',') {
        toks.push({ t: 'comma', pos: p++ });
        continue;
      }
      if (src.startsWith(':=', p)) {
        toks.push({ t: 'declare', pos: p });
        p += 2;
        continue;
      }
      if (c === '=') {
        toks.push({ t: 'assign', pos: p++ });
        continue;
      }
      if (c === '"') {
        let q = p + 1;
        while (q < src.length && src[q] !== '"') {
          if (src[q] === '\\') q++;
          if (src[q] === '\n') throw parseError(src, p, 'unterminated quoted string');
          q++;
        }
        if (q >= src.length) throw parseError(src, p, 'unterminated quoted string');
        const lit = src.slice(p, q + 1);
        toks.push({ t: 'string', v: unquoteGo(lit, src, p), pos: p, src: lit });
        p = q + 1;
        continue;
      }
      if (c === '`') {
        const q = src.indexOf('`', p + 1);
        if (q < 0) throw parseError(src, p, 'unterminated raw quoted string');
        toks.push({ t: 'string', v: src.slice(p + 1, q), pos: p, src: src.slice(p, q + 1) });
        p = q + 1;
        continue;
      }
      if (c === "'") throw new UnsupportedTemplateError('a character constant');
      const num =
        /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?)(i?)/.exec(
          src.slice(p),
        );
      if (num && (c !== '.' || /[0-9]/.test(src[p + 1] ?? ''))) {
        if (num[5] === 'i') throw new UnsupportedTemplateError('a complex constant');
        const text = num[0];
        const clean = text.replace(/_/g, '');
        const isInt = /^[+-]?(0[xXbBoO][0-9a-fA-F]+|[0-9]+)$/.test(clean);
        let v: number | bigint;
        if (isInt) {
          const neg = clean.startsWith('-');
          const body = clean.replace(/^[+-]/, '');
          const big = BigInt(/^0[0-7]+$/.test(body) ? `0o${body.slice(1)}` : body);
          v = neg ? -big : big;
        } else {
          v = Number(clean);
        }
        toks.push({ t: 'number', v, pos: p, src: text });
        p += text.length;
        continue;
      }
      if (c === '.') {
        const m = /^\.([A-Za-z_][A-Za-z0-9_]*)?/.exec(src.slice(p));
        if (m?.[1] !== undefined) toks.push({ t: 'field', v: m[1], pos: p });
        else toks.push({ t: 'dot', pos: p });
        p += m?.[0].length ?? 1;
        continue;
      }
      if (c === '$') {
        const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(p));
        const name = m?.[0] ?? '$';
        toks.push({ t: 'var', v: name, pos: p });
        p += name.length;
        continue;
      }
      const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(p));
      if (id) {
        toks.push({ t: 'ident', v: id[0], pos: p });
        p += id[0].length;
        continue;
      }
      throw parseError(src, p, `unexpected ${goQuote(c)} in command`);
    }
    pos = p;
  }
  toks.push({ t: 'eof', pos: src.length });
  return toks;
}

function unquoteGo(lit: string, src: string, pos: number): string {
  const body = lit.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = body[++i] ?? '';
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
    };
    if (e in simple) {
      out += simple[e];
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) {
        throw parseError(src, pos, `invalid syntax`);
      }
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else {
      throw parseError(src, pos, 'invalid syntax');
    }
  }
  return out;
}

// ---------------------------------------------------------------- parser

type Arg =
  | { k: 'field'; chain: string[]; pos: number; src: string } // `.a.b` on dot
  | { k: 'dot'; pos: number; src: string }
  | { k: 'var'; name: string; chain: string[]; pos: number; src: string }
  | { k: 'pipe'; pipe: Pipe; chain: string[]; pos: number; src: string }
  | { k: 'const'; v: unknown; pos: number; src: string }
  | { k: 'nil'; pos: number; src: string }
  | { k: 'func'; name: string; pos: number; src: string };

interface Command {
  args: Arg[];
  pos: number;
  src: string;
}
interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Command[];
  pos: number;
}

type Node =
  | { k: 'text'; v: string }
  | { k: 'action'; pipe: Pipe }
  | { k: 'if' | 'with'; pipe: Pipe; list: Node[]; elseList: Node[] | undefined }
  | { k: 'range'; pipe: Pipe; list: Node[]; elseList: Node[] | undefined };

const BUILTINS = new Set([
  'and',
  'or',
  'not',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'index',
  'len',
  'print',
  'printf',
  'println',
]);
const UNSUPPORTED_GO_BUILTINS = new Set(['call', 'html', 'js', 'urlquery', 'slice']);

/**
 * Parsed templates by text: an ApplicationSet's template strings are rendered once per parameter set (a thousand
 * clusters, the same few strings), and execution never changes a tree. Bounded; only successful parses are kept.
 */
const parsedTemplates = new Map<string, Node[]>();
const MAX_PARSED_TEMPLATES = 10_000;

function parseCached(src: string): Node[] {
  let tree = parsedTemplates.get(src);
  if (tree === undefined) {
    tree = parse(src);
    if (parsedTemplates.size >= MAX_PARSED_TEMPLATES) parsedTemplates.clear();
    parsedTemplates.set(src, tree);
  }
  return tree;
}

function parse(src: string): Node[] {
  const toks = lex(src);
  let i = 0;
  const peek = () => toks[i] ?? { t: 'eof' as const, pos: src.length };
  const next = () => toks[i++] ?? { t: 'eof' as const, pos: src.length };
  const skipSpace = () => {
    while (peek().t === 'space') i++;
  };

  // Parses a list until one of the stop keywords; returns the keyword met ('end', 'else', or 'eof').
  const list = (inside: string | undefined): { nodes: Node[]; stop: 'end' | 'else' | 'eof' } => {
    const nodes: Node[] = [];
    for (;;) {
      const tk = next();
      if (tk.t === 'eof') {
        if (inside !== undefined) throw parseError(src, tk.pos, `unexpected EOF`);
        return { nodes, stop: 'eof' };
      }
      if (tk.t === 'text') {
        nodes.push({ k: 'text', v: tk.v });
        continue;
      }
      if (tk.t !== 'open') throw parseError(src, tk.pos, 'unexpected token');
      skipSpace();
      const kw = peek();
      if (kw.t === 'ident') {
        switch (kw.v) {
          case 'end':
            i++;
            expectClose();
            if (inside === undefined) throw parseError(src, kw.pos, 'unexpected {{end}}');
            return { nodes, stop: 'end' };
          case 'else':
            i++;
            if (inside === undefined) throw parseError(src, kw.pos, 'unexpected {{else}}');
            return { nodes, stop: 'else' };
          case 'if':
          case 'with':
          case 'range':
            i++;
            nodes.push(control(kw.v, kw.pos));
            continue;
          case 'template':
          case 'define':
          case 'block':
          case 'break':
          case 'continue':
            throw new UnsupportedTemplateError(`{{${kw.v}}}`);
          default:
        }
      }
      const pipe = pipeline(false);
      if (pipe.cmds.length === 0) throw parseError(src, tk.pos, 'missing value for command');
      nodes.push({ k: 'action', pipe });
    }
  };

  const expectClose = () => {
    skipSpace();
    const tk = next();
    if (tk.t !== 'close') throw parseError(src, tk.pos, `unexpected token in action`);
  };

  const control = (kind: 'if' | 'with' | 'range', pos: number): Node => {
    const pipe = pipeline(kind === 'range');
    if (pipe.cmds.length === 0) throw parseError(src, pos, `missing value for ${kind}`);
    const body = list(kind);
    let elseList: Node[] | undefined;
    if (body.stop === 'else') {
      skipSpace();
      const maybeIf = peek();
      if (
        maybeIf.t === 'ident' &&
        (maybeIf.v === 'if' || maybeIf.v === 'with') &&
        kind === maybeIf.v
      ) {
        // `{{else if ...}}` is `{{else}}{{if ...}}...{{end}}` sharing the outer {{end}}.
        i++;
        elseList = [control(maybeIf.v, maybeIf.pos)];
        return { k: kind, pipe, list: body.nodes, elseList };
      }
      expectClose();
      const rest = list(kind);
      if (rest.stop !== 'end') throw parseError(src, pos, `expected end; found else`);
      elseList = rest.nodes;
    }
    return { k: kind, pipe, list: body.nodes, elseList };
  };

  const pipeline = (allowTwoVars: boolean): Pipe => {
    skipSpace();
    const start = peek().pos;
    const decl: string[] = [];
    let assign = false;
    // Variable declarations: `$x :=`, `$x =`, `$i, $v :=` (range).
    const save = i;
    const v1 = peek();
    if (v1.t === 'var') {
      i++;
      skipSpace();
      const op = peek();
      if (op.t === 'declare' || op.t === 'assign') {
        i++;
        decl.push(v1.v);
        assign = op.t === 'assign';
      } else if (op.t === 'comma' && allowTwoVars) {
        i++;
        skipSpace();
        const v2 = next();
        skipSpace();
        const op2 = next();
        if (v2.t !== 'var' || (op2.t !== 'declare' && op2.t !== 'assign')) {
          throw parseError(src, v1.pos, 'bad declaration');
        }
        decl.push(v1.v, v2.v);
        assign = op2.t === 'assign';
      } else {
        i = save;
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      skipSpace();
      const tk = peek();
      if (tk.t === 'close' || tk.t === 'rparen') {
        if (tk.t === 'close') i++;
        break;
      }
      if (tk.t === 'eof') throw parseError(src, tk.pos, 'unclosed action');
      cmds.push(command());
      skipSpace();
      if (peek().t === 'pipe') {
        i++;
        continue;
      }
    }
    if (cmds.length === 0 && decl.length > 0)
      throw parseError(src, start, 'missing value for command');
    return { decl, assign, cmds, pos: start };
  };

  const command = (): Command => {
    const args: Arg[] = [];
    const start = peek().pos;
    for (;;) {
      skipSpace();
      const tk = peek();
      if (tk.t === 'close' || tk.t === 'rparen' || tk.t === 'pipe' || tk.t === 'eof') break;
      args.push(operand());
    }
    if (args.length === 0) throw parseError(src, start, 'empty command');
    const end = peek().pos;
    return { args, pos: start, src: src.slice(start, end).trim() };
  };

  const chainAfter = (): string[] => {
    const chain: string[] = [];
    while (peek().t === 'field') chain.push((next() as { v: string }).v);
    return chain;
  };

  const operand = (): Arg => {
    const tk = next();
    const srcFrom = (pos: number) => src.slice(pos, peek().pos).trim();
    switch (tk.t) {
      case 'field': {
        const chain = [tk.v, ...chainAfter()];
        return { k: 'field', chain, pos: tk.pos, src: srcFrom(tk.pos) };
      }
      case 'dot':
        return { k: 'dot', pos: tk.pos, src: '.' };
      case 'var': {
        const chain = chainAfter();
        return { k: 'var', name: tk.v, chain, pos: tk.pos, src: srcFrom(tk.pos) };
      }
      case 'string':
        return { k: 'const', v: tk.v, pos: tk.pos, src: tk.src };
      case 'number':
        return { k: 'const', v: tk.v, pos: tk.pos, src: tk.src };
      case 'lparen': {
        const pipe = pipeline(false);
        if (peek().t !== 'rparen') throw parseError(src, tk.pos, 'unclosed left paren');
        i++;
        const chain = chainAfter();
        return { k: 'pipe', pipe, chain, pos: tk.pos, src: srcFrom(tk.pos) };
      }
      case 'ident': {
        if (tk.v === 'true' || tk.v === 'false') {
          return { k: 'const', v: tk.v === 'true', pos: tk.pos, src: tk.v };
        }
        if (tk.v === 'nil') return { k: 'nil', pos: tk.pos, src: 'nil' };
        if (BUILTINS.has(tk.v) || Object.hasOwn(SPRIG, tk.v))
          return { k: 'func', name: tk.v, pos: tk.pos, src: tk.v };
        if (UNSUPPORTED_GO_BUILTINS.has(tk.v) || KNOWN_UNSUPPORTED_FUNCS.has(tk.v)) {
          throw new UnsupportedTemplateError(`function "${tk.v}"`);
        }
        throw parseError(src, tk.pos, `function "${tk.v}" not defined`);
      }
      case 'assign':
      case 'close':
      case 'comma':
      case 'declare':
      case 'eof':
      case 'open':
      case 'pipe':
      case 'rparen':
      case 'space':
      case 'text':
        throw parseError(src, tk.pos, `unexpected token in operand`);
    }
  };

  const result = list(undefined);
  return result.nodes;
}

// ---------------------------------------------------------------- execution

/** Go's invalid reflect.Value: what a missing map key yields. Prints as `<no value>`. */
const NO_VALUE = Symbol('no value');
type V = unknown;

class ExecError extends Error {
  constructor(
    message: string,
    readonly pos: number,
    readonly at: string,
  ) {
    super(message);
  }
}

function goTypeName(v: V): string {
  if (v === NO_VALUE) return '<invalid>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof RawJson) return 'v1.JSON';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

function truth(v: V): boolean {
  if (v === NO_VALUE || v === null || v === undefined) return false;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

class State {
  private vars: { name: string; value: V }[] = [];
  private out = '';

  constructor(
    private readonly src: string,
    private readonly data: V,
    private readonly missingKey: MissingKeyOption,
  ) {}

  run(nodes: Node[]): string {
    this.vars = [{ name: '$', value: this.data }];
    try {
      this.walkList(this.data, nodes);
    } catch (e) {
      if (e instanceof ExecError) {
        const before = this.src.slice(0, e.pos);
        const nl = before.lastIndexOf('\n');
        const col = nl < 0 ? e.pos : e.pos - (nl + 1);
        throw new GoTemplateError(
          `template: :${lineOf(this.src, e.pos)}:${col}: executing "" at <${e.at}>: ${e.message}`,
        );
      }
      throw e;
    }
    return this.out;
  }

  private walkList(dot: V, nodes: Node[]): void {
    const mark = this.vars.length;
    for (const n of nodes) this.walk(dot, n);
    this.vars.length = mark;
  }

  private walk(dot: V, n: Node): void {
    switch (n.k) {
      case 'text':
        this.out += n.v;
        return;
      case 'action': {
        const v = this.pipeline(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.out += printValue(v);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.pipeline(dot, n.pipe);
        if (truth(v)) this.walkList(n.k === 'with' ? v : dot, n.list);
        else if (n.elseList) this.walkList(dot, n.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range': {
        const mark = this.vars.length;
        const decl = n.pipe.decl;
        const v = this.pipeline(dot, { ...n.pipe, decl: [] });
        const items: [V, V][] = [];
        if (Array.isArray(v)) v.forEach((x, idx) => items.push([BigInt(idx), x]));
        else if (isPlainObject(v)) {
          for (const k of Object.keys(v).sort(compareGoStrings)) items.push([k, v[k]]);
        } else if (typeof v === 'bigint') {
          for (let k = 0n; k < v; k++) items.push([k, k]);
        } else if (v !== NO_VALUE && v !== null) {
          throw new ExecError(`range can't iterate over ${printValue(v)}`, n.pipe.pos, 'range');
        }
        for (const [key, elem] of items) {
          const inner = this.vars.length;
          if (decl.length === 1) this.vars.push({ name: decl[0] ?? '', value: elem });
          if (decl.length === 2) {
            this.vars.push({ name: decl[0] ?? '', value: key });
            this.vars.push({ name: decl[1] ?? '', value: elem });
          }
          this.walkList(elem, n.list);
          this.vars.length = inner;
        }
        if (items.length === 0 && n.elseList) this.walkList(dot, n.elseList);
        this.vars.length = mark;
        return;
      }
    }
  }

  private pipeline(dot: V, pipe: Pipe): V {
    let value: V = undefined;
    let hasFinal = false;
    for (const cmd of pipe.cmds) {
      value = this.command(dot, cmd, hasFinal ? value : undefined, hasFinal);
      hasFinal = true;
    }
    if (value === null) value = NO_VALUE; // a nil interface{} digs down to an invalid value
    for (const name of pipe.decl) {
      if (pipe.assign) {
        const slot = [...this.vars].reverse().find((x) => x.name === name);
        if (!slot) throw new ExecError(`undefined variable: ${name}`, pipe.pos, name);
        slot.value = value;
      } else {
        this.vars.push({ name, value });
      }
    }
    return value;
  }

  private command(dot: V, cmd: Command, final: V, hasFinal: boolean): V {
    const [first, ...rest] = cmd.args;
    if (first === undefined) throw new ExecError('empty command', cmd.pos, cmd.src);
    if (first.k === 'func') return this.call(dot, first.name, rest, final, hasFinal, cmd);
    if (rest.length > 0 || hasFinal) {
      if (first.k === 'field' || first.k === 'var' || first.k === 'pipe') {
        const name =
          first.k === 'var' && first.chain.length === 0
            ? first.name
            : ((first.k === 'pipe' ? first.chain : first.chain).slice(-1)[0] ?? '');
        throw new ExecError(`${name} is not a method but has arguments`, first.pos, first.src);
      }
      throw new ExecError(`can't give argument to non-function ${first.src}`, first.pos, first.src);
    }
    return this.operand(dot, first);
  }

  private operand(dot: V, a: Arg): V {
    switch (a.k) {
      case 'dot':
        return dot;
      case 'nil':
        throw new ExecError('nil is not a command', a.pos, a.src);
      case 'const':
        return a.v;
      case 'field':
        return this.chain(dot, a.chain, a);
      case 'var': {
        const slot = [...this.vars].reverse().find((x) => x.name === a.name);
        if (!slot) throw new ExecError(`undefined variable: ${a.name}`, a.pos, a.src);
        return this.chain(slot.value, a.chain, a);
      }
      case 'pipe': {
        const v = this.pipeline(dot, a.pipe);
        return this.chain(v, a.chain, a);
      }
      case 'func':
        return this.call(dot, a.name, [], undefined, false, { args: [a], pos: a.pos, src: a.src });
    }
  }

  private chain(receiver: V, chain: string[], a: Arg): V {
    let v = receiver;
    for (const name of chain) v = this.field(v, name, a);
    return v;
  }

  private field(receiver: V, name: string, a: Arg): V {
    if (receiver === NO_VALUE || receiver === undefined) {
      if (this.missingKey === 'error') {
        throw new ExecError(`nil data; no entry for key ${goQuote(name)}`, a.pos, a.src);
      }
      return NO_VALUE;
    }
    if (receiver === null) {
      throw new ExecError(`nil pointer evaluating interface {}.${name}`, a.pos, a.src);
    }
    if (isPlainObject(receiver)) {
      if (Object.prototype.hasOwnProperty.call(receiver, name)) return receiver[name];
      switch (this.missingKey) {
        case 'error':
          throw new ExecError(`map has no entry for key ${goQuote(name)}`, a.pos, a.src);
        case 'zero':
          return null;
        case 'default':
        case 'invalid':
          return NO_VALUE;
      }
    }
    if (receiver instanceof RawJson && name === 'Raw') return [...Buffer.from(receiver.raw)];
    throw new ExecError(
      `can't evaluate field ${name} in type ${receiver instanceof RawJson ? 'v1.JSON' : 'interface {}'}`,
      a.pos,
      a.src,
    );
  }

  private call(
    dot: V,
    name: string,
    argNodes: Arg[],
    final: V,
    hasFinal: boolean,
    cmd: Command,
  ): V {
    const fail = (e: unknown): never => {
      if (e instanceof ExecError || e instanceof UnsupportedTemplateError) throw e;
      // A failed argument conversion is reported by Go before the call, without "error calling".
      if (e instanceof ArgTypeError) throw new ExecError(e.message, cmd.pos, cmd.src);
      const msg = e instanceof Error ? e.message : String(e);
      throw new ExecError(`error calling ${name}: ${msg}`, cmd.pos, cmd.src);
    };
    // and/or short-circuit (Go 1.18+): arguments are evaluated lazily.
    if (name === 'and' || name === 'or') {
      const thunks: (() => V)[] = argNodes.map((n) => () => this.arg(dot, n));
      if (hasFinal) thunks.push(() => final);
      if (thunks.length === 0)
        throw new ExecError(
          `wrong number of args for ${name}: want at least 1 got 0`,
          cmd.pos,
          cmd.src,
        );
      let v: V = NO_VALUE;
      for (const t of thunks) {
        v = t();
        if (name === 'and' ? !truth(v) : truth(v)) return v;
      }
      return v;
    }
    const args = argNodes.map((n) => this.arg(dot, n));
    if (hasFinal) args.push(final);
    const fn = Object.hasOwn(BUILTIN_FUNCS, name)
      ? BUILTIN_FUNCS[name]
      : Object.hasOwn(SPRIG, name)
        ? SPRIG[name]
        : undefined;
    if (!fn) throw new ExecError(`function "${name}" not defined`, cmd.pos, cmd.src);
    if (fn.arity !== undefined) {
      const [min, max] = fn.arity;
      if (args.length < min || (max !== undefined && args.length > max)) {
        const want = max === undefined ? `at least ${min}` : String(min);
        throw new ExecError(
          `wrong number of args for ${name}: want ${want} got ${args.length}`,
          cmd.pos,
          cmd.src,
        );
      }
    }
    try {
      return fn.fn(args.map((x) => (x === undefined ? NO_VALUE : x)));
    } catch (e) {
      return fail(e);
    }
  }

  private arg(dot: V, a: Arg): V {
    if (a.k === 'nil') return null;
    if (a.k === 'func')
      return this.call(dot, a.name, [], undefined, false, { args: [a], pos: a.pos, src: a.src });
    return this.operand(dot, a);
  }
}

function printValue(v: V): string {
  if (v === NO_VALUE || v === null || v === undefined) return '<no value>';
  return formatGoV(v);
}

// ---------------------------------------------------------------- functions

interface Fn {
  /** [min, max] argument count; max undefined = variadic. */
  readonly arity?: readonly [number, number?];
  readonly fn: (args: V[]) => V;
}

class ArgTypeError extends Error {}

/** Go's conversion of an argument to a typed function parameter. */
function asString(v: V): string {
  if (typeof v === 'string') return v;
  if (v === NO_VALUE || v === null) throw new ArgTypeError('invalid value; expected string');
  throw new ArgTypeError(`wrong type for value; expected string; got ${goTypeName(v)}`);
}
function asInt(v: V): bigint {
  if (typeof v === 'bigint') return v;
  if (v === NO_VALUE || v === null) throw new ArgTypeError('invalid value; expected int');
  throw new ArgTypeError(`wrong type for value; expected int; got ${goTypeName(v)}`);
}
function asBool(v: V): boolean {
  if (typeof v === 'boolean') return v;
  if (v === NO_VALUE || v === null) throw new ArgTypeError('invalid value; expected bool');
  throw new ArgTypeError(`wrong type for value; expected bool; got ${goTypeName(v)}`);
}
/** interface{} parameter: an invalid value becomes nil. */
const anyArg = (v: V): V => (v === NO_VALUE ? null : v);

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid' | 'other';
function basicKind(v: V): Kind {
  if (v === NO_VALUE || v === null || v === undefined) return 'invalid';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}

function eq(a: V, others: V[]): boolean {
  const k1 = basicKind(a);
  for (const b of others) {
    const k2 = basicKind(b);
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid')
        throw new Error('incompatible types for comparison');
      continue;
    }
    if (k1 === 'other') throw new Error(`non-comparable type ${formatGoV(a)}: ${goTypeName(a)}`);
    if (k1 === 'invalid' || a === b) return true;
  }
  return false;
}

function lessThan(a: V, b: V): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k1 === 'other' || k1 === 'bool')
    throw new Error('invalid type for comparison');
  if (k1 !== k2) throw new Error('incompatible types for comparison');
  if (typeof a === 'string' && typeof b === 'string') return compareGoStrings(a, b) < 0;
  return (a as number) < (b as number);
}

/** sprig's strval: strings as is, everything else through %v. */
function strval(v: V): string {
  if (typeof v === 'string') return v;
  return formatGoV(v === NO_VALUE ? null : v);
}

/** sprig's empty(): nil, zero numbers, "", false, and empty collections. */
function isEmpty(v: V): boolean {
  return !truth(v) && !(v instanceof RawJson);
}

/** fmt.Sprintf for the verbs %v %s %d %q %t %%. */
export function goSprintf(format: string, args: V[]): string {
  let out = '';
  let argi = 0;
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const verb = format[++i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!'vsdqt'.includes(verb))
      throw new UnsupportedTemplateError(`printf verb or flag "%${verb}"`);
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = anyArg(args[argi++]);
    const bad = () => `%!${verb}(${a === null ? '<nil>' : `${goTypeName(a)}=${formatGoV(a)}`})`;
    switch (verb) {
      case 'v':
        out += formatGoV(a);
        break;
      case 's':
        out +=
          typeof a === 'string' ? a : Array.isArray(a) || isPlainObject(a) ? formatGoV(a) : bad();
        break;
      case 'd':
        out += typeof a === 'bigint' ? a.toString() : bad();
        break;
      case 'q':
        out += typeof a === 'string' ? goQuote(a) : bad();
        break;
      case 't':
        out += typeof a === 'boolean' ? String(a) : bad();
        break;
      default:
    }
  }
  if (argi < args.length) {
    const extra = args.slice(argi).map((a) => {
      const x = anyArg(a);
      return x === null ? '<nil>' : `${goTypeName(x)}=${formatGoV(x)}`;
    });
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: a space between operands when neither is a string. */
function goSprint(args: V[]): string {
  let out = '';
  args.forEach((a, i) => {
    const x = anyArg(a);
    const prev = i > 0 ? anyArg(args[i - 1]) : undefined;
    if (i > 0 && typeof x !== 'string' && typeof prev !== 'string') out += ' ';
    out += formatGoV(x);
  });
  return out;
}

const BUILTIN_FUNCS: Record<string, Fn> = {
  not: { arity: [1, 1], fn: ([a]) => !truth(a) },
  eq: {
    arity: [1],
    fn: ([a, ...rest]) => {
      if (rest.length === 0) throw new Error('missing argument for comparison');
      return eq(anyArg(a), rest.map(anyArg));
    },
  },
  ne: { arity: [2, 2], fn: ([a, b]) => !eq(anyArg(a), [anyArg(b)]) },
  lt: { arity: [2, 2], fn: ([a, b]) => lessThan(a, b) },
  le: { arity: [2, 2], fn: ([a, b]) => lessThan(a, b) || eq(a, [b]) },
  gt: { arity: [2, 2], fn: ([a, b]) => !lessThan(a, b) && !eq(a, [b]) },
  ge: { arity: [2, 2], fn: ([a, b]) => !lessThan(a, b) },
  len: {
    arity: [1, 1],
    fn: ([a]) => {
      if (typeof a === 'string') return BigInt(Buffer.byteLength(a, 'utf8'));
      if (Array.isArray(a)) return BigInt(a.length);
      if (isPlainObject(a)) return BigInt(Object.keys(a).length);
      throw new Error(`len of ${a === NO_VALUE ? 'nil pointer' : `type ${goTypeName(a)}`}`);
    },
  },
  index: {
    arity: [1],
    fn: ([item, ...idx]) => {
      let v = anyArg(item);
      for (const i of idx) {
        if (v === null) throw new Error('index of untyped nil');
        if (Array.isArray(v)) {
          if (typeof i !== 'bigint')
            throw new Error(`cannot index slice/array with type ${goTypeName(i)}`);
          if (i < 0n || i >= BigInt(v.length)) throw new Error(`index out of range: ${i}`);
          v = (v as V[])[Number(i)];
        } else if (isPlainObject(v)) {
          if (typeof i !== 'string') {
            throw new Error(`value has type ${goTypeName(anyArg(i))}; should be string`);
          }
          v = Object.prototype.hasOwnProperty.call(v, i) ? v[i] : null;
        } else if (typeof v === 'string') {
          if (typeof i !== 'bigint')
            throw new Error(`cannot index slice/array with type ${goTypeName(i)}`);
          const bytes = Buffer.from(v, 'utf8');
          if (i < 0n || i >= BigInt(bytes.length)) throw new Error(`index out of range: ${i}`);
          v = BigInt(bytes[Number(i)] ?? 0); // a uint8
        } else {
          throw new Error(`can't index item of type ${goTypeName(v)}`);
        }
      }
      return v;
    },
  },
  print: { fn: (args) => goSprint(args) },
  println: { fn: (args) => `${args.map((a) => formatGoV(anyArg(a))).join(' ')}\n` },
  printf: { arity: [1], fn: ([f, ...args]) => goSprintf(asString(f), args) },
};

const SPRIG: Record<string, Fn> = {
  default: {
    arity: [1],
    fn: ([d, ...given]) => (given.length === 0 || isEmpty(anyArg(given[0])) ? anyArg(d) : given[0]),
  },
  empty: { arity: [1, 1], fn: ([v]) => isEmpty(anyArg(v)) },
  coalesce: { fn: (args) => args.map(anyArg).find((a) => !isEmpty(a)) ?? null },
  ternary: { arity: [3, 3], fn: ([t, f, c]) => (asBool(c) ? anyArg(t) : anyArg(f)) },
  required: {
    arity: [2, 2],
    fn: ([msg, v]) => {
      const x = anyArg(v);
      if (x === null || x === '') throw new Error(asString(msg));
      return x;
    },
  },
  lower: { arity: [1, 1], fn: ([s]) => asString(s).toLowerCase() },
  upper: { arity: [1, 1], fn: ([s]) => asString(s).toUpperCase() },
  title: {
    arity: [1, 1],
    fn: ([s]) =>
      asString(s).replace(
        /(^|[^\p{L}\p{N}_'])(\p{L})/gu,
        (_m, p: string, c: string) => p + c.toUpperCase(),
      ),
  },
  trim: { arity: [1, 1], fn: ([s]) => asString(s).replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '') },
  trimPrefix: {
    arity: [2, 2],
    fn: ([p, s]) => {
      const str = asString(s);
      const pre = asString(p);
      return pre !== '' && str.startsWith(pre) ? str.slice(pre.length) : str;
    },
  },
  trimSuffix: {
    arity: [2, 2],
    fn: ([x, s]) => {
      const str = asString(s);
      const suf = asString(x);
      return suf !== '' && str.endsWith(suf) ? str.slice(0, str.length - suf.length) : str;
    },
  },
  replace: { arity: [3, 3], fn: ([o, n, s]) => asString(s).split(asString(o)).join(asString(n)) },
  trunc: {
    arity: [2, 2],
    fn: ([c, s]) => {
      const n = Number(asInt(c));
      const str = asString(s); // Go slices bytes; ASCII is what templates truncate in practice
      if (n < 0 && str.length + n > 0) return str.slice(str.length + n);
      if (n >= 0 && str.length > n) return str.slice(0, n);
      return str;
    },
  },
  quote: {
    fn: (args) =>
      args
        .map(anyArg)
        .filter((a) => a !== null)
        .map((a) => goQuote(strval(a)))
        .join(' '),
  },
  squote: {
    fn: (args) =>
      args
        .map(anyArg)
        .filter((a) => a !== null)
        .map((a) => `'${strval(a)}'`)
        .join(' '),
  },
  contains: { arity: [2, 2], fn: ([sub, s]) => asString(s).includes(asString(sub)) },
  hasPrefix: { arity: [2, 2], fn: ([p, s]) => asString(s).startsWith(asString(p)) },
  hasSuffix: { arity: [2, 2], fn: ([p, s]) => asString(s).endsWith(asString(p)) },
  toJson: {
    arity: [1, 1],
    fn: ([v]) => {
      try {
        return encodeGoJson(anyArg(v), { escapeHTML: true });
      } catch {
        return '';
      }
    },
  },
  join: {
    arity: [2, 2],
    fn: ([sep, v]) => {
      const x = anyArg(v);
      const items = Array.isArray(x)
        ? x.filter((i) => i !== null).map(strval)
        : x === null
          ? []
          : [strval(x)];
      return items.join(asString(sep));
    },
  },
  splitList: { arity: [2, 2], fn: ([sep, s]) => asString(s).split(asString(sep)) },
  list: { fn: (args) => args.map(anyArg) },
  dict: {
    fn: (args) => {
      const out: Record<string, V> = {};
      for (let i = 0; i < args.length; i += 2) {
        const k = strval(anyArg(args[i]));
        Object.defineProperty(out, k, {
          value: i + 1 < args.length ? anyArg(args[i + 1]) : '',
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    },
  },
  b64enc: { arity: [1, 1], fn: ([s]) => Buffer.from(asString(s), 'utf8').toString('base64') },
  b64dec: { arity: [1, 1], fn: ([s]) => Buffer.from(asString(s), 'base64').toString('utf8') },
  sha256sum: { arity: [1, 1], fn: ([s]) => createHash('sha256').update(asString(s)).digest('hex') },
  normalize: { arity: [1, 1], fn: ([s]) => sanitizeName(asString(s)) },
};

SPRIG['toString'] = { arity: [1, 1], fn: ([v]) => strval(v) };

/** Functions Argo CD has (sprig and its own) that this emulation does not implement. */
const KNOWN_UNSUPPORTED_FUNCS = new Set(
  `abbrev abbrevboth substr repeat trimall trimAll nospace initials randAlphaNum randAlpha randAscii
   randNumeric swapcase shuffle snakecase camelcase kebabcase untitle wrap wrapWith cat indent nindent
   plural sha1sum sha512sum adler32sum atoi int int64 float64 seq toDecimal split splitn toStrings until
   untilStep add add1 sub div mod mul randInt add1f addf subf divf mulf max min maxf minf ceil floor round
   sortAlpha all any compact mustCompact fromJson toPrettyJson toRawJson mustFromJson mustToJson
   mustToPrettyJson mustToRawJson deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual
   base dir clean ext isAbs osBase osClean osDir osExt osIsAbs b32enc b32dec tuple get set unset hasKey
   pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append push mustAppend
   mustPush prepend mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse
   mustReverse uniq mustUniq without mustWithout has mustHas mustSlice concat dig chunk mustChunk bcrypt
   htpasswd genPrivateKey derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert
   genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES uuidv4 semver
   semverCompare fail regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind
   regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit
   mustRegexSplit regexQuoteMeta urlParse urlJoin now ago date dateInZone dateModify duration
   durationRound htmlDate htmlDateInZone mustDateModify mustToDate toDate unixEpoch slugify toYaml
   fromYaml fromYamlArray`
    .split(/\s+/)
    .filter(Boolean),
);
