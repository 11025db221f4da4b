/**
 * Builds one Buffer from many JSON fragments without first joining them into one string: a fleet-sized reply
 * would otherwise exist as a string and as a Buffer at once, and the string would
 * stay on the V8 heap until the next major GC.
 */
export class JsonBufferBuilder {
  private readonly chunks: Buffer[] = [];
  private chunk: Buffer;
  private used = 0;
  private total = 0;

  constructor(private readonly chunkSize = 256 * 1024) {
    this.chunk = Buffer.allocUnsafe(chunkSize);
  }

  append(text: string): void {
    const length = Buffer.byteLength(text);
    if (length > this.chunk.length - this.used) {
      this.seal();
      this.chunk = Buffer.allocUnsafe(Math.max(this.chunkSize, length));
    }
    this.used += this.chunk.write(text, this.used);
    this.total += length;
  }

  /** The bytes appended so far, in one Buffer of exactly that length. */
  finish(): Buffer {
    this.seal();
    const out = Buffer.concat(this.chunks, this.total);
    this.chunks.length = 0;
    return out;
  }

  private seal(): void {
    if (this.used > 0) this.chunks.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(0);
    this.used = 0;
  }
}
