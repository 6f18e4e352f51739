import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CourierError } from '../../../shared/errors';
import { Ledger } from '../../../electron/engine/ledger/ledger';
import { AdapterRegistry } from '../../../electron/engine/runner/adapters';
import type { Delivery, WorkItem } from '../../../electron/engine/runner/adapters';
import { backoffDelay } from '../../../electron/engine/runner/backoff';
import { Runner } from '../../../electron/engine/runner/runner';
import { FakeClock, settle, until } from '../../support/fakeClock';
import { tempDir } from '../../support/tempDir';
import { deferred, done, listSource, retryable, scriptedTarget } from './scriptedAdapters';

describe('backoff', () => {
  it('grows exponentially with jitter, is capped, and honours Retry-After', () => {
    expect(backoffDelay(1, undefined, () => 0)).toBe(500);
    expect(backoffDelay(1, undefined, () => 1)).toBe(1000);
    expect(backoffDelay(4, undefined, () => 1)).toBe(8000);
    expect(backoffDelay(30, undefined, () => 1)).toBe(300_000);
    expect(backoffDelay(3, 42_000, () => 0.5)).toBe(42_000);
    expect(backoffDelay(3, 10 * 3_600_000, () => 0.5)).toBe(3_600_000);
  });
});

describe('runner', () => {
  let dir: ReturnType<typeof tempDir>;
  let clock: FakeClock;
  let ledger: Ledger;

  beforeEach(() => {
    dir = tempDir();
    clock = new FakeClock();
    ledger = Ledger.open(join(dir.path, 'l.sqlite'), { now: () => clock.now() });
  });
  afterEach(() => {
    ledger.close();
    dir.cleanup();
  });

  function setup(
    count: number,
    script: (item: WorkItem, signal: AbortSignal) => Promise<Delivery>,
    concurrency = 2,
  ) {
    const scripted = scriptedTarget(script);
    const adapters = new AdapterRegistry().addSource(listSource(count)).addTarget(scripted.target);
    const runner = new Runner({
      ledger,
      adapters,
      clock,
      random: () => 0.5,
      workRoot: join(dir.path, 'work'),
      defaults: { maxAttempts: 4 },
      hostLimit: () => ({ concurrency: 8, minIntervalMs: 0 }),
    });
    const batch = ledger.batches.create({
      name: 'b',
      sourceKind: 'list',
      sourceConfig: {},
      targetKind: 'scripted',
      targetConfig: {},
      settings: { concurrency },
    });
    return { runner, batchId: batch.id, ...scripted };
  }

  it('delivers every item and finishes the batch', async () => {
    const { runner, batchId, stored } = setup(25, done, 4);
    await expect(runner.start(batchId)).resolves.toBe('finished');
    expect(ledger.counts(batchId).done).toBe(25);
    expect(stored.size).toBe(25);
    expect(ledger.batches.require(batchId).state).toBe('finished');
  });

  it('records outcomes that finish close together in shared transactions', async () => {
    let recorded = 0;
    const settle = ledger.settle.bind(ledger);
    ledger.settle = (batchId, outcomes, limit) => {
      if (outcomes.length > 0) recorded += 1;
      return settle(batchId, outcomes, limit);
    };
    // Eight at a time, each finishing a few turns of the event loop after the one before.
    let n = 0;
    const { runner, batchId } = setup(
      64,
      async () => {
        for (let hops = (n++ % 8) * 3; hops > 0; hops--) await new Promise((r) => setImmediate(r));
        return done();
      },
      8,
    );
    await expect(runner.start(batchId)).resolves.toBe('finished');
    expect(ledger.counts(batchId).done).toBe(64);
    expect(recorded).toBeLessThanOrEqual(32);
    expect(recorded).toBeGreaterThan(0);
  });

  it('gives the slot of a delivery waiting for its confirmation to the next item, up to a bound', async () => {
    const checks = deferred();
    const confirmed: string[] = [];
    const { runner, batchId, deliveries } = setup(
      12,
      async (item) => ({
        status: 'done',
        confirm: async () => {
          await checks.promise;
          confirmed.push(item.name);
          if (item.name === 'f3' && item.attempts === 0)
            retryable('the listing read after the upload failed');
          return { status: 'done', target: `mem://${item.name}`, message: 'checked' };
        },
      }),
      1,
    );
    const finished = runner.start(batchId);
    // One slot: eight deliveries wait for their confirmation without it, the ninth keeps it while it waits.
    await until(() => deliveries.length === 9, 'nine deliveries under way');
    await settle();
    expect(deliveries).toHaveLength(9);
    expect(confirmed).toHaveLength(0);
    expect(ledger.counts(batchId).running).toBe(9);
    expect(runner.checking(batchId)).toBe(8);
    checks.resolve();
    await until(() => ledger.counts(batchId).done === 11, 'the confirmed items done');
    const row = (name: string) => ledger.db.prepare('SELECT * FROM items WHERE name = ?').get(name);
    expect(row('f0')).toMatchObject({ status: 'done', target: 'mem://f0', message: 'checked' });
    // A confirmation that fails is the item's failure, retried like any other.
    expect(row('f3')).toMatchObject({ status: 'failed', reason: 'http-503', attempts: 1 });
    clock.advance(60_000);
    await expect(finished).resolves.toBe('finished');
    expect(ledger.counts(batchId).done).toBe(12);
    expect(runner.checking(batchId)).toBe(0);
  });

  it('retries retryable errors with backoff on the clock, then succeeds', async () => {
    let calls = 0;
    const { runner, batchId } = setup(1, async () => {
      calls++;
      if (calls < 3) retryable('busy');
      return done();
    });
    const finished = runner.start(batchId);
    await until(() => ledger.counts(batchId).failed === 1, 'first failure');
    const item = ledger.db.prepare('SELECT * FROM items').get() as {
      attempts: number;
      next_attempt_at: number;
      message: string;
    };
    expect(item.attempts).toBe(1);
    // attempt 1 → delay between 500 and 1000 ms; random 0.5 gives 750.
    expect(item.next_attempt_at - clock.now()).toBe(750);
    expect(item.message).toMatch(/attempt 1 of 4; retrying in 1 s/);
    clock.advance(749);
    await settle();
    expect(calls).toBe(1);
    clock.advance(1);
    await until(() => calls === 2 && ledger.counts(batchId).failed === 1, 'second failure');
    const second = ledger.db.prepare('SELECT next_attempt_at FROM items').pluck().get() as number;
    expect(second - clock.now()).toBe(1500);
    clock.advance(1500);
    await expect(finished).resolves.toBe('finished');
    expect(calls).toBe(3);
    expect(ledger.counts(batchId).done).toBe(1);
  });

  it("waits as long as the server's Retry-After asks", async () => {
    let calls = 0;
    const { runner, batchId } = setup(1, async () => {
      calls++;
      if (calls === 1) retryable('slow down', 30_000);
      return done();
    });
    const finished = runner.start(batchId);
    await until(() => ledger.counts(batchId).failed === 1, 'rate limited');
    expect(clock.nextTimer()! - clock.now()).toBe(30_000);
    clock.advance(29_999);
    await settle();
    expect(calls).toBe(1);
    clock.advance(1);
    await expect(finished).resolves.toBe('finished');
  });

  it('gives up after the last attempt and says so', async () => {
    const { runner, batchId } = setup(1, async () => retryable('always busy'));
    const finished = runner.start(batchId);
    for (let i = 1; i < 4; i++) {
      await until(
        () => clock.nextTimer() !== undefined && ledger.counts(batchId).failed === 1,
        `failure ${i}`,
      );
      clock.advance(clock.nextTimer()! - clock.now());
    }
    await expect(finished).resolves.toBe('finished');
    const item = ledger.db.prepare('SELECT status, attempts, next_attempt_at, message FROM items').get();
    expect(item).toMatchObject({ status: 'failed', attempts: 4, next_attempt_at: null });
    expect((item as { message: string }).message).toMatch(/gave up after 4 attempts/);
  });

  it('retries an error that may pass but needs a person if it stays, then stops it in attention', async () => {
    let calls = 0;
    const { runner, batchId } = setup(2, async (item) => {
      if (item.name !== 'f0') return done();
      calls++;
      throw new CourierError({
        code: 'digest-mismatch',
        message: 'f0: the archive holds MD5 aaa but the file has bbb',
        retryable: true,
        attention: { reason: 'digest-mismatch', actions: ['retry', 'skip'] },
      });
    });
    const finished = runner.start(batchId);
    for (let i = 1; i < 4; i++) {
      await until(
        () => clock.nextTimer() !== undefined && ledger.counts(batchId).failed === 1,
        `retry ${i} scheduled`,
      );
      expect(ledger.counts(batchId).attention).toBe(0);
      clock.advance(clock.nextTimer()! - clock.now());
    }
    await expect(finished).resolves.toBe('finished');
    expect(calls).toBe(4);
    const row = ledger.db
      .prepare("SELECT id, status, reason, attempts, next_attempt_at, message FROM items WHERE name = 'f0'")
      .get() as { id: number; message: string };
    expect(row).toMatchObject({
      status: 'attention',
      reason: 'digest-mismatch',
      attempts: 4,
      next_attempt_at: null,
    });
    expect(row.message).toBe(
      'f0: the archive holds MD5 aaa but the file has bbb — still so after 4 attempts',
    );
    expect(ledger.detail(row.id).item.actions).toEqual(expect.arrayContaining(['retry', 'skip']));
    expect(ledger.counts(batchId)).toMatchObject({ done: 1, attention: 1, failed: 0 });
  });

  it('turns errors that need a person into attention, and resumes after a decision', async () => {
    let approved = false;
    const { runner, batchId } = setup(2, async (item) => {
      if (item.name === 'f1' && !item.meta.approved) {
        throw new CourierError({
          code: 'licence-unexpected',
          message: 'Licence differs',
          attention: { reason: 'licence-unexpected', actions: ['approve', 'skip'] },
        });
      }
      if (item.name === 'f1') approved = true;
      return done();
    });
    await expect(runner.start(batchId)).resolves.toBe('finished');
    const row = ledger.db
      .prepare("SELECT id, status, reason, actions FROM items WHERE name = 'f1'")
      .get() as {
      id: number;
      status: string;
      reason: string;
      actions: string;
    };
    expect(row).toMatchObject({ status: 'attention', reason: 'licence-unexpected' });
    expect(ledger.detail(row.id).item.actions).toEqual(expect.arrayContaining(['approve', 'skip']));
    ledger.decide({ batchId, itemIds: [row.id], action: 'approve', note: 'licence checked', actor: 'op' });
    await expect(runner.start(batchId)).resolves.toBe('finished');
    expect(approved).toBe(true);
    expect(ledger.counts(batchId)).toMatchObject({ done: 2, attention: 0 });
  });

  it('pauses (in-flight items finish, nothing new starts), resumes, and cancels (in-flight become interrupted)', async () => {
    const gates = new Map<string, ReturnType<typeof deferred<Delivery>>>();
    const { runner, batchId } = setup(6, (item, signal) => {
      const gate = deferred<Delivery>();
      gates.set(item.name, gate);
      signal.addEventListener('abort', () => gate.reject(new DOMException('aborted', 'AbortError')));
      return gate.promise;
    });
    const finished = runner.start(batchId);
    await until(() => gates.size === 2, 'two in flight');
    runner.pause(batchId);
    expect(ledger.batches.require(batchId).state).toBe('paused');
    gates.get('f0')!.resolve({ status: 'done' });
    gates.get('f1')!.resolve({ status: 'done' });
    await until(() => ledger.counts(batchId).done === 2, 'in-flight finished');
    await settle();
    expect(gates.size).toBe(2);
    expect(ledger.counts(batchId).running).toBe(0);
    void runner.resume(batchId);
    await until(() => gates.size === 4, 'resumed');
    expect(ledger.batches.require(batchId).state).toBe('running');
    await runner.cancel(batchId);
    await expect(finished).resolves.toBe('cancelled');
    expect(ledger.counts(batchId)).toMatchObject({ done: 2, interrupted: 2, pending: 2, running: 0 });
    expect(ledger.batches.require(batchId).state).toBe('cancelled');
  });

  it('after a crash, resumes where it stopped and sends nothing twice (the target is probed first)', async () => {
    const { runner, batchId, stored, deliveries } = setup(4, done);
    await runner.start(batchId);
    // Make it look as if the process died after the server stored f2 but before the ledger knew.
    ledger.db.prepare("UPDATE items SET status = 'running' WHERE name IN ('f2', 'f3')").run();
    ledger.db.prepare("UPDATE items SET status = 'pending' WHERE name = 'f3'").run();
    ledger.close();
    ledger = Ledger.open(join(dir.path, 'l.sqlite'), { now: () => clock.now() });
    expect(ledger.counts(batchId)).toMatchObject({ pending: 2, running: 0, done: 2 });
    const again = new Runner({
      ledger,
      adapters: new AdapterRegistry()
        .addSource(listSource(4))
        .addTarget(setupTargetWithStore(stored, deliveries)),
      clock,
      workRoot: join(dir.path, 'work'),
    });
    await expect(again.start(batchId)).resolves.toBe('finished');
    expect(ledger.counts(batchId).done).toBe(4);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    expect(deliveries.filter((d) => d === 'f2')).toHaveLength(1);
    const reasons = ledger.db
      .prepare("SELECT reason FROM items WHERE name IN ('f2', 'f3') ORDER BY name")
      .pluck()
      .all();
    expect(reasons).toEqual(['already-there', 'already-there']);
  });

  it('spaces requests to one host by its minimum interval', async () => {
    const starts: number[] = [];
    const scripted = scriptedTarget(async () => {
      starts.push(clock.now());
      return done();
    });
    const runner = new Runner({
      ledger,
      adapters: new AdapterRegistry().addSource(listSource(3)).addTarget(scripted.target),
      clock,
      workRoot: join(dir.path, 'work'),
      hostLimit: () => ({ concurrency: 1, minIntervalMs: 2_000 }),
    });
    const batchId = ledger.batches.create({
      name: 'h',
      sourceKind: 'list',
      sourceConfig: {},
      targetKind: 'scripted',
      targetConfig: {},
      settings: { concurrency: 3 },
    }).id;
    const finished = runner.start(batchId);
    // probe and deliver each take a slot: six requests, two seconds apart.
    while (starts.length < 3) {
      await until(() => clock.nextTimer() !== undefined || starts.length === 3, 'next request');
      if (starts.length < 3) clock.advance(clock.nextTimer()! - clock.now());
    }
    await finished;
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(gaps.every((g) => g >= 2_000)).toBe(true);
  });
});

function setupTargetWithStore(stored: Map<string, number>, deliveries: string[]) {
  const t = scriptedTarget(done);
  const target = {
    ...t.target,
    probe: async (item: WorkItem) =>
      stored.has(item.name) ? ({ status: 'done', reason: 'already-there' } as Delivery) : null,
    deliver: async (item: WorkItem) => {
      deliveries.push(item.name);
      stored.set(item.name, (stored.get(item.name) ?? 0) + 1);
      return { status: 'done' } as Delivery;
    },
  };
  return target;
}
