import { gunzipSync } from 'node:zlib';
import { createResponseCache, type Compress } from './response-cache';

const body = (text: string) => () => Buffer.from(text);

/** A compressor the test finishes by hand, counting calls. */
function manualCompress() {
  const calls: { input: Buffer; finish(out?: Buffer): void; fail(e: Error): void }[] = [];
  const compress: Compress = (input) =>
    new Promise((resolve, reject) => {
      calls.push({
        input,
        finish: (out = Buffer.from(`gz(${input.toString()})`)) => resolve(out),
        fail: reject,
      });
    });
  return { compress, calls };
}

describe('createResponseCache', () => {
  test('hits only for the same snapshot version and parameters', () => {
    const c = createResponseCache(10);
    expect(c.lookup(1, '{}', body('body-1')).hit).toBe(false);
    const again = c.lookup(1, '{}', () => {
      throw new Error('must not recompute');
    });
    expect(again.hit).toBe(true);
    expect(again.reply.identity?.toString()).toBe('body-1');
    expect(c.lookup(2, '{}', body('body-2')).hit).toBe(false);
    expect(c.lookup(2, '{"x":1}', body('body-3')).hit).toBe(false);
  });

  test('a newer version drops every older reply; an older version is answered but not cached', () => {
    const c = createResponseCache(10);
    c.lookup(1, 'a', body('x'));
    c.lookup(1, 'b', body('y'));
    c.lookup(2, 'a', body('z'));
    expect(c.size).toBe(1);
    expect(c.bytes).toBe(1);
    const late = c.lookup(1, 'c', body('late body of an old snapshot'));
    expect(late.reply.identity?.toString()).toBe('late body of an old snapshot');
    expect(c.lookup(1, 'c', body('again')).hit).toBe(false);
    expect(c.size).toBe(1);
  });

  test('bounded by entries: the least recently used entry goes first', () => {
    const c = createResponseCache(2);
    c.lookup(1, 'a', body('A'));
    c.lookup(1, 'b', body('B'));
    expect(c.lookup(1, 'a', body('A2')).hit).toBe(true);
    c.lookup(1, 'c', body('C'));
    expect(c.lookup(1, 'a', body('A3')).hit).toBe(true);
    expect(c.lookup(1, 'c', body('C3')).hit).toBe(true);
    expect(c.lookup(1, 'b', body('B3')).hit).toBe(false);
  });

  test('bounded by bytes: least recently used replies go until the total fits', () => {
    const c = createResponseCache(100, { maxBytes: 10 });
    c.lookup(1, 'a', body('aaaa'));
    c.lookup(1, 'b', body('bbbb'));
    c.lookup(1, 'a', body('unused')); // a is now the most recently used
    expect(c.bytes).toBe(8);
    c.lookup(1, 'c', body('cccc')); // 12 bytes > 10: b goes
    expect(c.size).toBe(2);
    expect(c.bytes).toBe(8);
    expect(c.lookup(1, 'a', body('x')).hit).toBe(true);
    expect(c.lookup(1, 'c', body('x')).hit).toBe(true);
    expect(c.lookup(1, 'b', body('bbbb')).hit).toBe(false);
  });

  test('a reply larger than the byte bound is served but not cached', () => {
    const c = createResponseCache(100, { maxBytes: 10 });
    c.lookup(1, 'small', body('s'));
    const big = c.lookup(1, 'big', body('0123456789-too-big'));
    expect(big.reply.identity?.toString()).toBe('0123456789-too-big');
    expect(c.size).toBe(1);
    expect(c.bytes).toBe(1);
    expect(c.lookup(1, 'big', body('0123456789-too-big')).hit).toBe(false);
    expect(c.lookup(1, 'small', body('s')).hit).toBe(true);
  });

  test('gzip encodings count towards the byte bound once they land', async () => {
    const { compress, calls } = manualCompress();
    const c = createResponseCache(100, { maxBytes: 12, compress });
    c.lookup(1, 'a', body('aaaa'));
    const b = c.lookup(1, 'b', body('bbbb')).reply;
    const gz = b.gzipped();
    expect(c.bytes).toBe(8);
    calls[0]?.finish(Buffer.from('GGGGGG')); // 8 + 6 = 14 > 12: a (least recently used) goes
    await expect(gz).resolves.toEqual(Buffer.from('GGGGGG'));
    expect(c.size).toBe(1);
    expect(c.bytes).toBe(10);
    expect(c.lookup(1, 'b', body('x')).reply.gzip).toEqual(Buffer.from('GGGGGG'));
  });

  test('an entry whose gzip pushes it over the bound keeps its place (others go first)', async () => {
    const { compress, calls } = manualCompress();
    const c = createResponseCache(100, { maxBytes: 10, compress });
    const big = c.lookup(1, 'big', body('bbbbbbbb')).reply;
    const gz = big.gzipped();
    calls[0]?.finish(Buffer.from('GGGG')); // 8 + 4 = 12 > 10, but evicting it would recompute it every time
    await gz;
    const again = c.lookup(1, 'big', body('recomputed'));
    expect(again.hit).toBe(true);
    expect(again.reply.gzip).toEqual(Buffer.from('GGGG'));
    c.lookup(1, 'small', body('s')); // the next insert restores the bound, least recently used first
    expect(c.bytes).toBeLessThanOrEqual(10);
  });

  test('concurrent lookups of one key compute once and share one compression', async () => {
    const { compress, calls } = manualCompress();
    const c = createResponseCache(10, { compress });
    let computed = 0;
    const compute = () => {
      computed++;
      return Buffer.from('{"output":{"parameters":[]}}');
    };
    const first = c.lookup(1, 'k', compute);
    const waiting = [first.reply.gzipped()];
    for (let i = 0; i < 5; i++) {
      const again = c.lookup(1, 'k', compute);
      expect(again.hit).toBe(true);
      expect(again.reply.gzip).toBeUndefined();
      waiting.push(again.reply.gzipped());
    }
    expect(computed).toBe(1);
    expect(calls).toHaveLength(1);
    calls[0]?.finish();
    const outs = await Promise.all(waiting);
    for (const out of outs) expect(out.toString()).toBe('gz({"output":{"parameters":[]}})');
    expect(c.lookup(1, 'k', compute).reply.gzip?.toString()).toBe(
      'gz({"output":{"parameters":[]}})',
    );
    expect(calls).toHaveLength(1);
  });

  test('a failed compression is retried by the next caller', async () => {
    const { compress, calls } = manualCompress();
    const c = createResponseCache(10, { compress });
    const { reply } = c.lookup(1, 'k', body('B'));
    const failed = reply.gzipped();
    calls[0]?.fail(new Error('zlib broke'));
    await expect(failed).rejects.toThrow('zlib broke');
    const retried = reply.gzipped();
    expect(calls).toHaveLength(2);
    calls[1]?.finish();
    await expect(retried).resolves.toEqual(Buffer.from('gz(B)'));
  });

  test('the default compressor writes real gzip of the identity bytes', async () => {
    const c = createResponseCache();
    const text = JSON.stringify({ output: { parameters: [{ name: 'ünïcode', n: '1' }] } });
    const { reply } = c.lookup(1, 'k', body(text));
    const gz = await reply.gzipped();
    expect(gunzipSync(gz).equals(Buffer.from(text))).toBe(true);
    expect(reply.gzip).toBe(gz);
    // Small replies keep their JSON body too.
    expect(reply.identity?.toString()).toBe(text);
  });

  test('a large cached reply keeps only its gzip once made, and still answers the same JSON bytes', async () => {
    const c = createResponseCache(100, { keepPlainBelow: 1000 });
    const text = JSON.stringify({
      output: { parameters: Array.from({ length: 200 }, (_, i) => ({ name: `c-${i}` })) },
    });
    const { reply } = c.lookup(1, 'k', body(text));
    expect(c.bytes).toBe(Buffer.byteLength(text));
    const gz = await reply.gzipped();
    expect(reply.identity).toBeUndefined();
    expect(c.bytes).toBe(gz.length);
    // An identity request inflates it once (concurrent ones share that) and keeps it, as before the drop.
    const [first, second] = await Promise.all([reply.plain(), reply.plain()]);
    expect(first?.equals(Buffer.from(text))).toBe(true);
    expect(second).toBe(first);
    expect(reply.identity).toBe(first);
    expect(c.bytes).toBe(gz.length + Buffer.byteLength(text));
    // A reply not kept in the cache is not shrunk (it is gone after this request anyway).
    const uncached = createResponseCache(0, { keepPlainBelow: 1000 }).lookup(1, 'k', body(text));
    await uncached.reply.gzipped();
    expect(uncached.reply.identity?.toString()).toBe(text);
  });

  test('a throwing compute caches nothing', () => {
    const c = createResponseCache(10);
    expect(() =>
      c.lookup(1, 'k', () => {
        throw new Error('bad input');
      }),
    ).toThrow('bad input');
    expect(c.size).toBe(0);
    expect(c.lookup(1, 'k', body('ok')).hit).toBe(false);
  });

  test('0 entries disables caching', () => {
    const c = createResponseCache(0);
    c.lookup(1, 'a', body('A'));
    expect(c.lookup(1, 'a', body('A')).hit).toBe(false);
    expect(c.size).toBe(0);
  });
});
