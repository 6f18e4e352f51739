import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES, commandSchemas } from '../../../shared/contract';
import { Engine } from '../../../electron/engine/engine';
import { dispatch } from '../../../electron/engine/host/dispatch';
import { registerCommands } from '../../../electron/shell/commandRouting';
import type { InvokeEventLike } from '../../../electron/shell/commandRouting';
import { tempDir } from '../../support/tempDir';

describe('contract validation', () => {
  const dir = tempDir();
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ dbFile: join(dir.path, 'l.sqlite'), dataDir: dir.path, mode: 'web' });
    engine.ledger.batches.create({
      name: 'b',
      sourceKind: 'folder',
      sourceConfig: { dir: '/x' },
      targetKind: 'folder',
      targetConfig: { dir: '/y' },
    });
  });
  afterAll(async () => {
    await engine.close();
    dir.cleanup();
  });

  it('has a schema and a handler for every command', () => {
    for (const name of COMMAND_NAMES) {
      expect(commandSchemas[name]).toBeDefined();
      expect(typeof engine.handlers[name]).toBe('function');
    }
  });

  it.each([
    ['unknown command', 'items.delete', {}, 'unknown-command'],
    ['missing field', 'items.window', { batchId: 1, offset: 0 }, 'bad-arguments'],
    ['wrong type', 'items.window', { batchId: '1', offset: 0, limit: 10 }, 'bad-arguments'],
    ['negative offset', 'items.window', { batchId: 1, offset: -5, limit: 10 }, 'bad-arguments'],
    ['window too large', 'items.window', { batchId: 1, offset: 0, limit: 100_000 }, 'bad-arguments'],
    [
      'unknown sort column',
      'items.window',
      { batchId: 1, offset: 0, limit: 10, sort: { column: 'sha1', direction: 'asc' } },
      'bad-arguments',
    ],
    [
      'unknown status',
      'items.window',
      { batchId: 1, offset: 0, limit: 10, filter: { statuses: ['lost'] } },
      'bad-arguments',
    ],
    ['extra key', 'batches.get', { batchId: 1, drop: true }, 'bad-arguments'],
    [
      'rename without a name',
      'items.decide',
      { batchId: 1, itemIds: [1], action: 'rename' },
      'bad-arguments',
    ],
    ['unknown action', 'items.decide', { batchId: 1, itemIds: [1], action: 'delete' }, 'bad-arguments'],
    ['not an object', 'batches.list', 'all', 'bad-arguments'],
    ['prototype key', 'batches.get', JSON.parse('{"batchId":1,"__proto__":{"x":1}}'), 'bad-arguments'],
  ])('refuses %s', async (_label, command, args, code) => {
    const response = await dispatch(engine, 7, command, args);
    expect(response).toMatchObject({ id: 7, ok: false, error: { code } });
  });

  it('accepts well-formed arguments and reports engine errors by code', async () => {
    await expect(dispatch(engine, 1, 'batches.get', { batchId: 1 })).resolves.toMatchObject({
      ok: true,
      value: { name: 'b' },
    });
    await expect(dispatch(engine, 2, 'batches.get', { batchId: 99 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'batch-not-found' },
    });
    await expect(
      dispatch(engine, 3, 'batches.create', {
        name: 'c',
        source: { kind: 'folder', config: {} },
        target: { kind: 'folder', config: { dir: '/t' } },
      }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'bad-config' } });
  });
});

describe('desktop IPC routing', () => {
  function fakeIpc() {
    const handlers = new Map<string, (event: InvokeEventLike, args: unknown) => Promise<unknown>>();
    return {
      handlers,
      handle: (channel: string, l: (event: InvokeEventLike, args: unknown) => Promise<unknown>) =>
        handlers.set(channel, l),
    };
  }
  const trusted: InvokeEventLike = { sender: { id: 1 }, senderFrame: { url: 'app://courier/index.html' } };
  const stranger: InvokeEventLike = {
    sender: { id: 2 },
    senderFrame: { url: 'https://radiopaedia.org/cases/1' },
  };

  it('registers one channel per command, checks the sender and validates before forwarding', async () => {
    const ipc = fakeIpc();
    const forwarded: [string, unknown][] = [];
    const channels = registerCommands(ipc, {
      isTrusted: (e) => e.sender.id === 1,
      forward: async (command, args) => {
        forwarded.push([command, args]);
        return { ok: true, value: 'ok' };
      },
    });
    expect(channels.sort()).toEqual(COMMAND_NAMES.map((n) => `courier:${n}`).sort());
    const get = ipc.handlers.get('courier:batches.get')!;
    await expect(get(stranger, { batchId: 1 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'untrusted-sender' },
    });
    await expect(get(trusted, { batchId: 'x' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'bad-arguments' },
    });
    await expect(get(trusted, { batchId: 3 })).resolves.toEqual({ ok: true, value: 'ok' });
    expect(forwarded).toEqual([['batches.get', { batchId: 3 }]]);
  });
});
