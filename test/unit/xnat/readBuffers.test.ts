import { describe, expect, it } from 'vitest';
import { ReadBuffers } from '../../../electron/engine/clients/xnat/readBuffers';

describe('read buffers kept from one file to the next', () => {
  it('gives a buffer of at least the size asked, with memory of its own', () => {
    const pool = new ReadBuffers(1 << 20);
    const small = pool.take(10);
    expect(small.length).toBe(64 * 1024);
    const odd = pool.take(300_001);
    expect(odd.length).toBe(512 * 1024);
    // Not a slice of the runtime's shared pool: writing into it cannot touch any other buffer.
    for (const b of [small, odd]) {
      expect(b.byteOffset).toBe(0);
      expect(b.buffer.byteLength).toBe(b.length);
    }
  });

  it('hands a returned buffer out again, the smallest that fits', () => {
    const pool = new ReadBuffers(4 << 20);
    const big = pool.take(1_000_000);
    const small = pool.take(100_000);
    pool.give(big);
    pool.give(small);
    expect(pool.heldBytes).toBe(big.length + small.length);
    expect(pool.take(90_000)).toBe(small);
    expect(pool.take(900_000)).toBe(big);
    expect(pool.take(900_000)).not.toBe(big);
    expect(pool.heldBytes).toBe(0);
  });

  it('keeps no more free bytes than its limit', () => {
    const pool = new ReadBuffers(200 * 1024);
    const a = pool.take(100_000);
    const b = pool.take(100_000);
    const c = pool.take(100_000);
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect(pool.heldBytes).toBe(a.length);
    expect(pool.take(100_000)).toBe(a);
    expect(pool.take(100_000)).not.toBe(b);
  });
});
