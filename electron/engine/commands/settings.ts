import type { settingsCommands } from '../../../shared/commands/settings';
import { LimitSettingsStore } from '../runner/limitSettings';
import type { CommandContext, HandlersFor } from './context';

export function settingsHandlers(ctx: CommandContext): HandlersFor<typeof settingsCommands> {
  const limits = new LimitSettingsStore(ctx.ledger.db);
  return {
    'settings.get': () => ({ limits: limits.get() }),
    'settings.save': (args) => {
      const saved = limits.save(args.limits);
      // Batches already running pick the new limits up on their next request; wake them to refill slots.
      for (const batch of ctx.ledger.batches.list()) ctx.runner?.wake(batch.id);
      return { limits: saved };
    },
  };
}
