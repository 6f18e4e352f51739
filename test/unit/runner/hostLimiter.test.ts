import { describe, expect, it } from 'vitest';
import { HostLimiter } from '../../../electron/engine/runner/hostLimiter';
import { FakeClock } from '../../support/fakeClock';

/** A task that settles only when told: a request to a server that never answers until then. */
function hanging<T>(): { task: () => Promise<T>; settle(value: T): void } {
  let settle!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (settle = resolve));
  return { task: () => promise, settle };
}

describe('HostLimiter', () => {
  it('ends the wait for a task that ignores the abort at once, and frees its slot only when it settles', async () => {
    const hosts = new HostLimiter(new FakeClock(), () => ({ concurrency: 1, minIntervalMs: 0 }));
    const stuck = hanging<string>();
    const controller = new AbortController();
    const first = hosts.run('silent.example', stuck.task, controller.signal);
    let secondStarted = false;
    const second = hosts.run('silent.example', async () => {
      secondStarted = true;
      return 'second';
    });
    controller.abort();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    // The abandoned request still holds the host's only slot: politeness counts what is really open.
    await Promise.resolve();
    expect(secondStarted).toBe(false);
    stuck.settle('late answer');
    await expect(second).resolves.toBe('second');
    expect(secondStarted).toBe(true);
  });

  it('passes results and errors through when nothing is aborted, with or without a host', async () => {
    const hosts = new HostLimiter(new FakeClock());
    const signal = new AbortController().signal;
    await expect(hosts.run('a.example', async () => 42, signal)).resolves.toBe(42);
    await expect(hosts.run(null, async () => 'local', signal)).resolves.toBe('local');
    await expect(
      hosts.run('a.example', () => Promise.reject(new Error('503 from a.example')), signal),
    ).rejects.toThrow('503 from a.example');
    const aborted = new AbortController();
    aborted.abort();
    await expect(hosts.run(null, () => new Promise(() => undefined), aborted.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
