import { CommanderError } from 'commander';

/** Exit status for usage, configuration and connection errors. */
export const USAGE_EXIT = 2;

/** Parses a whole number ≥ 1 for an option, refusing anything else as a usage error. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new CommanderError(
      USAGE_EXIT,
      'courier.invalidNumber',
      `'${value}' is not a positive whole number`,
    );
  }
  return n;
}
