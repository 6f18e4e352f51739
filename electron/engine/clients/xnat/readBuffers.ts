/**
 * Buffers for reading whole files before a PUT, used again from one file to the next. A fresh buffer per
 * file (hundreds of kilobytes, outside the JavaScript heap) made the runtime collect garbage every few
 * dozen files of an upload; a reused one does not.
 *
 * A buffer is given back only once nothing else holds it: after the server has answered a PUT of it in
 * full. A buffer that is not given back is simply left to the garbage collector.
 */
export class ReadBuffers {
  private readonly free: Buffer[] = [];
  private freeBytes = 0;

  /** @param maxBytes how many bytes of free buffers are kept at most; the rest are dropped. */
  constructor(private readonly maxBytes: number) {}

  /** A buffer of at least `size` bytes (its content is whatever was there before). */
  take(size: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const length = this.free[i]!.length;
      if (length >= size && (best < 0 || length < this.free[best]!.length)) best = i;
    }
    if (best >= 0) {
      const [buffer] = this.free.splice(best, 1);
      this.freeBytes -= buffer!.length;
      return buffer!;
    }
    // Sizes rounded up to a power of two (from 64 KiB), so one buffer serves files of similar sizes.
    const capacity = Math.max(64 * 1024, 2 ** Math.ceil(Math.log2(size)));
    // Its own memory, never a slice of the runtime's shared pool that other buffers also point into.
    return Buffer.allocUnsafeSlow(capacity);
  }

  /** Takes back a buffer from `take` that nothing refers to any more. */
  give(buffer: Buffer): void {
    if (this.freeBytes + buffer.length > this.maxBytes) return;
    this.free.push(buffer);
    this.freeBytes += buffer.length;
  }

  /** Bytes held in free buffers. */
  get heldBytes(): number {
    return this.freeBytes;
  }
}
