import { JsonBufferBuilder } from './json-buffer';

describe('JsonBufferBuilder', () => {
  test.each([1, 3, 8, 1024])(
    'chunk size %p: the bytes of the joined string, multi-byte characters included',
    (chunkSize) => {
      const parts = ['{"a":', '"ünï', 'cødé ✓ 🚀"', ',"b":[', '', '1,2', ']}'];
      const b = new JsonBufferBuilder(chunkSize);
      for (const p of parts) b.append(p);
      const out = b.finish();
      expect(out.equals(Buffer.from(parts.join('')))).toBe(true);
      expect(out.length).toBe(Buffer.byteLength(parts.join('')));
    },
  );

  test('nothing appended → empty buffer', () => {
    expect(new JsonBufferBuilder().finish().length).toBe(0);
  });
});
