import { z } from 'zod';
import { CourierError } from '../../../shared/errors';
import type { ItemDraft } from '../../../electron/engine/ledger/ledger';
import type {
  Delivery,
  SourceAdapter,
  TargetAdapter,
  WorkItem,
} from '../../../electron/engine/runner/adapters';

/** The configuration of an adapter that takes none. */
export const noConfig = z.object({}).strict() as unknown as z.ZodType<Record<string, never>>;

/** A source that lists `count` in-memory items named f0…fN. */
export function listSource(count: number): SourceAdapter<Record<string, never>> {
  return {
    kind: 'list',
    title: 'List',
    configSchema: noConfig,
    label: () => 'list',
    host: () => null,
    async *collect() {
      const drafts: ItemDraft[] = Array.from({ length: count }, (_, i) => ({
        key: `f${i}`,
        path: `mem:${i}`,
        name: `f${i}`,
      }));
      yield drafts;
    },
    async fetch(item) {
      return { path: item.path, size: 1 };
    },
  };
}

type Step = (item: WorkItem, signal: AbortSignal) => Promise<Delivery>;

/**
 * A target whose deliveries are decided by the test: `script` answers each attempt. It remembers
 * what it stored, so tests can check nothing is sent twice; `probe` reports stored items as done.
 */
export function scriptedTarget(script: Step, host: string | null = 'archive.example') {
  const stored = new Map<string, number>();
  const deliveries: string[] = [];
  const target: TargetAdapter<Record<string, never>> = {
    kind: 'scripted',
    title: 'Scripted',
    configSchema: noConfig,
    label: () => 'scripted',
    host: () => host,
    async probe(item) {
      return stored.has(item.name)
        ? { status: 'done', reason: 'already-there', target: `mem://${item.name}` }
        : null;
    },
    async deliver(item, _file, _config, ctx) {
      deliveries.push(item.name);
      const result = await script(item, ctx.signal);
      if (result.status === 'done') stored.set(item.name, (stored.get(item.name) ?? 0) + 1);
      return result;
    },
  };
  return { target, stored, deliveries };
}

export const done = async (): Promise<Delivery> => ({ status: 'done', target: 'mem://x' });

export function retryable(message: string, retryAfterMs?: number): never {
  throw new CourierError({ code: 'http-503', message, retryable: true, retryAfterMs });
}

/** A promise the test resolves by hand. */
export function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
