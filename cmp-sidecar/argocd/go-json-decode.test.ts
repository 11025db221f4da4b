import fc from 'fast-check';
import {
  decodeFirstJsonValue,
  decodeServiceResponse,
  nodeToValue,
  unmarshalObject,
} from './go-json-decode';
import { encodeGoJson } from './go-values';

const first = (s: string) => decodeFirstJsonValue(Buffer.from(s, 'utf8'));

describe('decodeFirstJsonValue: Go json.Decoder syntax errors', () => {
  test.each([
    ['wrong body ...', "invalid character 'w' looking for beginning of value"],
    ['<html>', "invalid character '<' looking for beginning of value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['{1:2}', "invalid character '1' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
    ['{"a":nul', 'unexpected EOF'],
    ['{"a":"x', 'unexpected EOF'],
    ['{"a":-}', "invalid character '}' in numeric literal"],
    ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
    ['{"a":1e}', "invalid character '}' in exponent of numeric literal"],
    ['{"a":"\\q"}', "invalid character 'q' in string escape code"],
    ['{"a":"\t"}', "invalid character '\\t' in string literal"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['{"output":', 'unexpected EOF'],
  ])('%p → %s', (body, error) => {
    expect(first(body)).toEqual({ error });
  });

  test('empty or blank body is io.EOF (Argo CD ignores it: zero params)', () => {
    expect(first('')).toEqual({ eof: true });
    expect(first(' \n')).toEqual({ eof: true });
  });

  test('only the first value is read; trailing bytes are ignored', () => {
    expect('node' in first('{"output":{}}{garbage')).toBe(true);
    expect('node' in first('123')).toBe(true);
  });
});

describe('decodeServiceResponse: into ServiceResponse{Output{Parameters []map[string]any}}', () => {
  const decode = (s: string) => {
    const f = first(s);
    if (!('node' in f)) throw new Error('no value');
    return decodeServiceResponse(f.node);
  };
  test('missing or null output / parameters → zero sets, no error', () => {
    expect(decode('{}')).toEqual({ parameters: [] });
    expect(decode('{"output":null}')).toEqual({ parameters: [] });
    expect(decode('{"output":{"parameters":null}}')).toEqual({ parameters: [] });
    expect(decode('{"parameters":[{"a":"b"}]}')).toEqual({ parameters: [] });
    expect(decode('null')).toEqual({ parameters: [] });
  });
  test('field names match case-insensitively, as Go does', () => {
    expect(decode('{"Output":{"PARAMETERS":[{"a":"b"}]}}')).toEqual({ parameters: [{ a: 'b' }] });
  });
  test('numbers are float64; a null item is an empty parameter set', () => {
    expect(decode('{"output":{"parameters":[{"n":123456789012},null]}}')).toEqual({
      parameters: [{ n: 123456789012 }, {}],
    });
  });
  test('type mismatches carry Go UnmarshalTypeError texts', () => {
    expect(decode('[]').error).toBe(
      'json: cannot unmarshal array into Go value of type plugin.ServiceResponse',
    );
    expect(decode('{"output":"x"}').error).toBe(
      'json: cannot unmarshal string into Go struct field ServiceResponse.output of type plugin.Output',
    );
    expect(decode('{"output":{"parameters":{}}}').error).toBe(
      'json: cannot unmarshal object into Go struct field Output.output.parameters of type []map[string]interface {}',
    );
    expect(decode('{"output":{"parameters":["x"]}}').error).toBe(
      'json: cannot unmarshal string into Go struct field Output.output.parameters of type map[string]interface {}',
    );
  });
});

test('unmarshalObject: what CheckResponse can read a message from', () => {
  expect(unmarshalObject(Buffer.from('{"message":"m"}'))).toEqual({ message: 'm' });
  expect(unmarshalObject(Buffer.from('null'))).toBeNull();
  expect(unmarshalObject(Buffer.from('"just a string"'))).toBeUndefined();
  expect(unmarshalObject(Buffer.from('{"a":1} x'))).toBeUndefined();
  expect(unmarshalObject(Buffer.from(''))).toBeUndefined();
});

describe('properties', () => {
  const json = fc.jsonValue({ maxDepth: 4 });

  test('any JSON text decodes to what JSON.parse gives (Go decodes numbers to float64 like JS)', () => {
    fc.assert(
      fc.property(json, (v) => {
        const text = JSON.stringify(v);
        const f = decodeFirstJsonValue(Buffer.from(text));
        if (!('node' in f)) return false;
        expect(nodeToValue(f.node, [], '')).toEqual(JSON.parse(text));
        return true;
      }),
    );
  });

  test('Go encoding of any JSON value parses back to the same value', () => {
    fc.assert(
      fc.property(json, (v) => {
        const value = JSON.parse(JSON.stringify(v)) as unknown; // no -0
        expect(JSON.parse(encodeGoJson(value, { escapeHTML: true }))).toEqual(value);
        expect(JSON.parse(encodeGoJson(value, { escapeHTML: false }))).toEqual(value);
      }),
    );
  });
});
