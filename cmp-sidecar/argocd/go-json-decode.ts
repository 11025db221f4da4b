/**
 * `json.NewDecoder(body).Decode(&v)` as Argo CD's plugin client uses it: only the FIRST JSON value is read
 * (trailing bytes are ignored), an empty body is io.EOF (which the client ignores), syntax errors carry Go's
 * texts (`invalid character 'w' looking for beginning of value`, `unexpected EOF`), and decoding into the
 * response struct follows Go's rules: struct field names match case-insensitively, `null` leaves a field
 * untouched, and a type mismatch is reported after the whole value was decoded.
 */

/** A decoded JSON value that keeps object entries in document order, duplicates included. */
export type JsonNode =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, JsonNode])[] };

export type FirstValue = { node: JsonNode } | { eof: true } | { error: string };

class GoSyntaxError extends Error {}

/** Go's quoteChar: the offending byte as a Go character literal. */
function quoteChar(byte: number): string {
  if (byte === 0x27) return `'\\''`;
  if (byte === 0x22) return `'"'`;
  const s = JSON.stringify(String.fromCharCode(byte)).slice(1, -1); // close to strconv.Quote for one char
  if (byte === 0x07) return `'\\a'`;
  if (byte === 0x0b) return `'\\v'`;
  if (byte < 0x20 && s.startsWith('\\u')) return `'\\x${byte.toString(16).padStart(2, '0')}'`;
  if (byte === 0x7f) return `'\\x7f'`;
  return `'${s}'`;
}

export function decodeFirstJsonValue(body: Buffer): FirstValue {
  let pos = 0;
  const n = body.length;
  const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  const fail = (context: string): never => {
    if (pos >= n) throw new GoSyntaxError('unexpected EOF');
    throw new GoSyntaxError(`invalid character ${quoteChar(body[pos] ?? 0)} ${context}`);
  };
  const skip = () => {
    while (pos < n && isSpace(body[pos] ?? 0)) pos++;
  };

  const value = (topLevel: boolean): JsonNode => {
    skip();
    const c = body[pos];
    if (c === undefined) throw new GoSyntaxError('unexpected EOF');
    if (c === 0x7b) return object();
    if (c === 0x5b) return array();
    if (c === 0x22) return { kind: 'string', value: string() };
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return number(topLevel);
    if (c === 0x74) return literal('true', { kind: 'bool', value: true });
    if (c === 0x66) return literal('false', { kind: 'bool', value: false });
    if (c === 0x6e) return literal('null', { kind: 'null' });
    return fail('looking for beginning of value');
  };

  const literal = (word: string, node: JsonNode): JsonNode => {
    pos++;
    for (let i = 1; i < word.length; i++) {
      if (body[pos] !== word.charCodeAt(i)) fail(`in literal ${word} (expecting '${word[i]}')`);
      pos++;
    }
    return node;
  };

  const object = (): JsonNode => {
    pos++;
    const entries: [string, JsonNode][] = [];
    skip();
    if (body[pos] === 0x7d) {
      pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      skip();
      if (body[pos] !== 0x22) fail('looking for beginning of object key string');
      const key = string();
      skip();
      if (body[pos] !== 0x3a) fail('after object key');
      pos++;
      entries.push([key, value(false)]);
      skip();
      if (body[pos] === 0x2c) {
        pos++;
        continue;
      }
      if (body[pos] === 0x7d) {
        pos++;
        return { kind: 'object', entries };
      }
      fail('after object key:value pair');
    }
  };

  const array = (): JsonNode => {
    pos++;
    const items: JsonNode[] = [];
    skip();
    if (body[pos] === 0x5d) {
      pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(value(false));
      skip();
      if (body[pos] === 0x2c) {
        pos++;
        continue;
      }
      if (body[pos] === 0x5d) {
        pos++;
        return { kind: 'array', items };
      }
      fail('after array element');
    }
  };

  const string = (): string => {
    const start = ++pos;
    for (;;) {
      const c = body[pos];
      if (c === undefined) throw new GoSyntaxError('unexpected EOF');
      if (c === 0x22) break;
      if (c < 0x20) fail('in string literal');
      if (c === 0x5c) {
        pos++;
        const e = body[pos];
        if (e === undefined) throw new GoSyntaxError('unexpected EOF');
        if (e === 0x75) {
          for (let i = 0; i < 4; i++) {
            pos++;
            const h = body[pos];
            if (h === undefined) throw new GoSyntaxError('unexpected EOF');
            if (!/[0-9a-fA-F]/.test(String.fromCharCode(h))) {
              fail('in \\u hexadecimal character escape');
            }
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) {
          fail('in string escape code');
        }
      }
      pos++;
    }
    const raw = body.subarray(start - 1, pos + 1).toString('utf8'); // invalid UTF-8 becomes U+FFFD, as in Go
    pos++;
    return JSON.parse(raw) as string;
  };

  const number = (topLevel: boolean): JsonNode => {
    const start = pos;
    const digit = () => {
      const c = body[pos];
      return c !== undefined && c >= 0x30 && c <= 0x39;
    };
    const end = (context: string): never => {
      // A top-level number may end at EOF; elsewhere EOF inside a number is unexpected.
      if (pos >= n && topLevel) throw new EndOfNumber();
      return fail(context);
    };
    if (body[pos] === 0x2d) {
      pos++;
      if (!digit()) end('in numeric literal');
    }
    if (body[pos] === 0x30) pos++;
    else while (digit()) pos++;
    if (body[pos] === 0x2e) {
      pos++;
      if (!digit()) end('after decimal point in numeric literal');
      while (digit()) pos++;
    }
    if (body[pos] === 0x65 || body[pos] === 0x45) {
      pos++;
      if (body[pos] === 0x2b || body[pos] === 0x2d) pos++;
      if (!digit()) end('in exponent of numeric literal');
      while (digit()) pos++;
    }
    return { kind: 'number', text: body.subarray(start, pos).toString('latin1') };
  };

  skip();
  if (pos >= n) return { eof: true };
  try {
    return { node: value(true) };
  } catch (e) {
    if (e instanceof EndOfNumber) return { error: 'unexpected EOF' };
    if (e instanceof GoSyntaxError) return { error: e.message };
    throw e;
  }
}

class EndOfNumber extends Error {}

/** The plain JavaScript value of a node as Go decodes it into `any` (objects: last duplicate wins). */
export function nodeToValue(node: JsonNode, typeErrors: string[], field: string): unknown {
  switch (node.kind) {
    case 'string':
      return node.value;
    case 'bool':
      return node.value;
    case 'null':
      return null;
    case 'number': {
      const f = Number(node.text);
      if (!Number.isFinite(f)) {
        typeErrors.push(
          `json: cannot unmarshal number ${node.text} into Go struct field ${field} of type float64`,
        );
        return null;
      }
      return f;
    }
    case 'array':
      return node.items.map((i) => nodeToValue(i, typeErrors, field));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) {
        Object.defineProperty(out, k, {
          value: nodeToValue(v, typeErrors, field),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
  }
}

function kindWord(node: JsonNode): string {
  return node.kind === 'bool' ? 'bool' : node.kind;
}

/**
 * Decodes the plugin reply into Argo CD's `ServiceResponse{Output{Parameters []map[string]any}}`.
 * Returns the parameter objects (missing or null `output`/`parameters` → []) or Go's error text.
 */
export function decodeServiceResponse(node: JsonNode): {
  parameters: Record<string, unknown>[];
  error?: string;
} {
  const typeErrors: string[] = [];
  let parameters: (Record<string, unknown> | null)[] | null = null;
  const matches = (key: string, field: string) => key.toLowerCase() === field; // Go folds ASCII case

  if (node.kind === 'object') {
    for (const [key, outNode] of node.entries) {
      if (!matches(key, 'output')) continue;
      if (outNode.kind === 'null') continue;
      if (outNode.kind !== 'object') {
        typeErrors.push(
          `json: cannot unmarshal ${kindWord(outNode)} into Go struct field ServiceResponse.output of type plugin.Output`,
        );
        continue;
      }
      for (const [k2, paramsNode] of outNode.entries) {
        if (!matches(k2, 'parameters')) continue;
        if (paramsNode.kind === 'null') {
          parameters = null;
          continue;
        }
        if (paramsNode.kind !== 'array') {
          typeErrors.push(
            `json: cannot unmarshal ${kindWord(paramsNode)} into Go struct field Output.output.parameters of type []map[string]interface {}`,
          );
          continue;
        }
        parameters = paramsNode.items.map((item) => {
          if (item.kind === 'null') return null;
          if (item.kind !== 'object') {
            typeErrors.push(
              `json: cannot unmarshal ${kindWord(item)} into Go struct field Output.output.parameters of type map[string]interface {}`,
            );
            return null;
          }
          return nodeToValue(item, typeErrors, 'Output.output.parameters') as Record<
            string,
            unknown
          >;
        });
      }
    }
  } else if (node.kind !== 'null') {
    typeErrors.push(
      `json: cannot unmarshal ${kindWord(node)} into Go value of type plugin.ServiceResponse`,
    );
  }
  // A null element is a nil map: it still yields one (empty) parameter set.
  const result = (parameters ?? []).map((p) => p ?? {});
  const firstError = typeErrors[0];
  return firstError === undefined
    ? { parameters: result }
    : { parameters: result, error: firstError };
}

/** `json.Unmarshal(data, &map[string]any)` succeeds: the whole body is one JSON object or null. */
export function unmarshalObject(body: Buffer): Record<string, unknown> | null | undefined {
  const first = decodeFirstJsonValue(body);
  if (!('node' in first)) return undefined;
  // Unmarshal (unlike Decode) rejects trailing non-space bytes.
  if (body.toString('utf8').trim() === '') return undefined;
  try {
    const whole = JSON.parse(body.toString('utf8')) as unknown;
    if (whole === null) return null;
    if (typeof whole !== 'object' || Array.isArray(whole)) return undefined;
  } catch {
    return undefined;
  }
  const errors: string[] = [];
  const v = nodeToValue(first.node, errors, '');
  return errors.length > 0 ? undefined : (v as Record<string, unknown>);
}
