import { describe, expect, it } from 'vitest';
import { untilAborted } from '../../../electron/engine/runner/abortable';
import { HostLimiter } from '../../../electron/engine/runner/hostLimiter';
import { FakeClock } from '../../support/fakeClock';

describe('untilAborted', () => {
  it('ends the wait for work that ignores the abort at once, and leaves the work to end by itself', async () => {
    let settle!: (value: string) => void;
    const login = new Promise<string>((resolve) => (settle = resolve));
    const controller = new AbortController();
    const waiting = untilAborted(login, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    settle('session');
    await expect(login).resolves.toBe('session');
  });

  it('passes results and errors through when nothing is aborted, and refuses at once when already aborted', async () => {
    const signal = new AbortController().signal;
    await expect(untilAborted(Promise.resolve(42), signal)).resolves.toBe(42);
    await expect(untilAborted(Promise.reject(new Error('503 from a.example')), signal)).rejects.toThrow(
      '503 from a.example',
    );
    await expect(untilAborted(Promise.resolve('no signal'), undefined)).resolves.toBe('no signal');
    const aborted = new AbortController();
    aborted.abort();
    await expect(untilAborted(new Promise(() => undefined), aborted.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('HostLimiter', () => {
  it('keeps at most the host’s number of tasks running, and ends a wait for a slot on abort', async () => {
    const hosts = new HostLimiter(new FakeClock(), () => ({ concurrency: 1, minIntervalMs: 0 }));
    let release!: () => void;
    const first = hosts.run(
      'a.example',
      () => new Promise<string>((resolve) => (release = () => resolve('first'))),
    );
    const controller = new AbortController();
    const second = hosts.run('a.example', async () => 'second', controller.signal);
    controller.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    release();
    await expect(first).resolves.toBe('first');
    await expect(hosts.run('a.example', async () => 'third')).resolves.toBe('third');
  });
});
