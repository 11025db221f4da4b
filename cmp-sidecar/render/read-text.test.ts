import { decodeText, firstInvalidUtf8 } from './read-text';

describe('strict UTF-8 for repository files', () => {
  test.each<[string, number[], number | undefined]>([
    ['ASCII', [0x61, 0x0a], undefined],
    [
      '2-, 3- and 4-byte sequences',
      [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80],
      undefined,
    ],
    ['a Latin-1 byte', [0x61, 0xe9, 0x61], 1],
    ['an overlong "/"', [0xc0, 0xaf], 0],
    ['an overlong 3-byte form', [0xe0, 0x80, 0xaf], 0],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80], 0],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a truncated sequence', [0x61, 0xe2, 0x82], 1],
    ['a stray continuation byte', [0x80], 0],
  ])('%s', (_name, bytes, offset) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(offset);
  });

  test('errors name file:line; a BOM is dropped; NUL bytes are refused', () => {
    expect(() => decodeText(Buffer.from([0x61, 0x0a, 0x62, 0xff]), 'base/x.yaml')).toThrow(
      'base/x.yaml:2: not valid UTF-8 (byte 3); refused',
    );
    expect(() => decodeText(Buffer.from('a\n\nb\u0000'), 'base/x.yaml')).toThrow(
      'base/x.yaml:3: contains a NUL byte',
    );
    expect(decodeText(Buffer.from('\ufeffa: b\r\n'), 'f')).toBe('a: b\r\n');
  });
});
