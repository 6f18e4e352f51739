import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMIT_SETTINGS, settingsCommands } from '../../../shared/commands/settings';
import { Engine } from '../../../electron/engine/engine';
import { Ledger } from '../../../electron/engine/ledger/ledger';
import { AdapterRegistry } from '../../../electron/engine/runner/adapters';
import { LimitSettingsStore } from '../../../electron/engine/runner/limitSettings';
import { Runner } from '../../../electron/engine/runner/runner';
import { FakeClock, until } from '../../support/fakeClock';
import { tempDir } from '../../support/tempDir';
import { deferred, done, listSource, scriptedTarget } from './scriptedAdapters';

describe('limits (Settings → Limits)', () => {
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

  it('are saved in the ledger, survive a reopen, and match hosts with or without port', () => {
    const store = new LimitSettingsStore(ledger.db);
    expect(store.get()).toEqual(DEFAULT_LIMIT_SETTINGS);
    expect(store.defaultConcurrency()).toBeNull();
    const parsed = settingsCommands['settings.save'].parse({
      limits: {
        defaultConcurrency: 6,
        anyHost: { concurrency: 3, minIntervalMs: 250 },
        hosts: [
          { host: 'https://XNAT.example.org/app/template', concurrency: 2, minIntervalMs: 0 },
          { host: '127.0.0.1:8443', concurrency: 1, minIntervalMs: 1_000 },
        ],
      },
    });
    store.save(parsed.limits!);
    ledger.close();
    ledger = Ledger.open(join(dir.path, 'l.sqlite'), { now: () => clock.now() });
    const reopened = new LimitSettingsStore(ledger.db);
    expect(reopened.get().hosts.map((h) => h.host)).toEqual(['xnat.example.org', '127.0.0.1:8443']);
    expect(reopened.defaultConcurrency()).toBe(6);
    expect(reopened.hostLimit('xnat.example.org')).toEqual({ concurrency: 2, minIntervalMs: 0 });
    expect(reopened.hostLimit('xnat.example.org:8080')).toEqual({ concurrency: 2, minIntervalMs: 0 });
    expect(reopened.hostLimit('127.0.0.1:8443')).toEqual({ concurrency: 1, minIntervalMs: 1_000 });
    expect(reopened.hostLimit('127.0.0.1:9000')).toEqual({ concurrency: 3, minIntervalMs: 250 });
  });

  it('refuses a host listed twice and numbers out of range, with the field named', () => {
    const bad = settingsCommands['settings.save'].safeParse({
      limits: {
        defaultConcurrency: 0,
        anyHost: { concurrency: 3, minIntervalMs: 0 },
        hosts: [
          { host: 'a.example', concurrency: 1, minIntervalMs: 0 },
          { host: 'http://A.example/', concurrency: 2, minIntervalMs: 0 },
        ],
      },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('limits.defaultConcurrency');
    expect(bad.error!.issues.some((i) => /only once/.test(i.message))).toBe(true);
  });

  it('are honoured by the runner: the saved pause spaces requests to the host', async () => {
    new LimitSettingsStore(ledger.db).save({
      ...DEFAULT_LIMIT_SETTINGS,
      hosts: [{ host: 'archive.example', concurrency: 1, minIntervalMs: 3_000 }],
    });
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
    });
    const batchId = ledger.batches.create({
      name: 'polite',
      sourceKind: 'list',
      sourceConfig: {},
      targetKind: 'scripted',
      targetConfig: {},
      settings: { concurrency: 3 },
    }).id;
    const finished = runner.start(batchId);
    while (starts.length < 3) {
      await until(() => clock.nextTimer() !== undefined || starts.length === 3, 'next request');
      if (starts.length < 3) clock.advance(clock.nextTimer()! - clock.now());
    }
    await expect(finished).resolves.toBe('finished');
    // Probes and deliveries share the host's turns: no two deliveries closer than the saved pause.
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(gaps.every((g) => g >= 3_000)).toBe(true);
  });

  it('are honoured by the runner: a batch without its own number uses the saved default', async () => {
    new LimitSettingsStore(ledger.db).save({ ...DEFAULT_LIMIT_SETTINGS, defaultConcurrency: 3 });
    const gate = deferred();
    let inFlight = 0;
    let most = 0;
    const scripted = scriptedTarget(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await gate.promise;
      inFlight--;
      return done();
    });
    const runner = new Runner({
      ledger,
      adapters: new AdapterRegistry().addSource(listSource(10)).addTarget(scripted.target),
      clock,
      workRoot: join(dir.path, 'work'),
      defaults: { concurrency: 8 },
    });
    const batchId = ledger.batches.create({
      name: 'default',
      sourceKind: 'list',
      sourceConfig: {},
      targetKind: 'scripted',
      targetConfig: {},
    }).id;
    const finished = runner.start(batchId);
    await until(() => inFlight === 3, 'three deliveries in flight');
    gate.resolve();
    await expect(finished).resolves.toBe('finished');
    expect(most).toBe(3);
    expect(ledger.counts(batchId).done).toBe(10);
  });

  it('settings.get and settings.save go through the engine and reach its runner', async () => {
    ledger.close();
    const engine = new Engine({ dbFile: join(dir.path, 'l.sqlite'), dataDir: dir.path, mode: 'cli' });
    try {
      const limits = {
        defaultConcurrency: 2,
        anyHost: { concurrency: 4, minIntervalMs: 10 },
        hosts: [{ host: 'wiki.example.org', concurrency: 1, minIntervalMs: 500 }],
      };
      expect((await engine.handlers['settings.save']({ limits })).limits).toEqual(limits);
      expect((await engine.handlers['settings.get']({})).limits).toEqual(limits);
    } finally {
      // Let the engine finish its start-up work before it closes.
      await new Promise((r) => setImmediate(r));
      await engine.close();
      ledger = Ledger.open(join(dir.path, 'l.sqlite'), { now: () => clock.now() });
    }
  });
});
