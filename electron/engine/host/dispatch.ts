import { commandSchemas } from '../../../shared/contract';
import type { CommandFailure, CommandName, WireResponse } from '../../../shared/contract';
import { CourierError } from '../../../shared/errors';
import type { Engine } from '../engine';

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(commandSchemas, name);
}

/** Describes any error as the contract's failure shape, without stack traces or secrets. */
export function toFailure(err: unknown): CommandFailure {
  if (err instanceof CourierError) return { code: err.code, message: err.message };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** Validates a command's arguments with the contract's schema and runs it; never throws. */
export async function dispatch(
  engine: Engine,
  id: number,
  command: string,
  args: unknown,
): Promise<WireResponse> {
  if (!isCommandName(command)) {
    return {
      id,
      ok: false,
      error: { code: 'unknown-command', message: `There is no command '${command}'.` },
    };
  }
  const parsed = commandSchemas[command].safeParse(args ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    return {
      id,
      ok: false,
      error: {
        code: 'bad-arguments',
        message: `Invalid arguments for ${command}: ${issues.map((i) => `${i.path || '(args)'} ${i.message}`).join('; ')}`,
        issues,
      },
    };
  }
  try {
    const handler = engine.handlers[command] as (a: unknown) => unknown;
    const value = await handler(parsed.data);
    return { id, ok: true, value };
  } catch (err) {
    return { id, ok: false, error: toFailure(err) };
  }
}
