import { isUtf8 } from 'node:buffer';
import { RenderError } from '../../core/errors';
import type { SourceRef } from './types';

/**
 * Decodes a file of the repository as UTF-8, strictly: Node's lenient decoding would turn invalid bytes into
 * U+FFFD and render them silently. A NUL byte means a binary file. A leading BOM is dropped (YAML allows it).
 * Throws the error `fail` builds, naming file:line.
 */
export function decodeText(
  bytes: Uint8Array,
  file: string,
  fail: (message: string, where: SourceRef) => Error = (m, w) => new RenderError(m, w),
): string {
  const bad = isUtf8(bytes) ? undefined : firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    const line = lineAt(bytes, bad);
    throw fail(`${file}:${line}: not valid UTF-8 (byte ${bad}); refused`, { file, line });
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const line = lineAt(bytes, nul);
    throw fail(`${file}:${line}: contains a NUL byte (a binary file?); refused`, { file, line });
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
export function firstInvalidUtf8(b: Uint8Array): number | undefined {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    if (i + len > n) return i;
    const second = b[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k < len; k++) {
      const cont = b[i + k]!;
      if (cont < 0x80 || cont > 0xbf) return i;
    }
    i += len;
  }
  return undefined;
}
