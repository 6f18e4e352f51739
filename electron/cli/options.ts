import { InvalidArgumentError } from 'commander';

/** Exit status for usage, configuration and connection errors. */
export const USAGE_EXIT = 2;

/** Parses a whole number ≥ 1 for an option; anything else is a usage error that names the value. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`'${value}' is not a positive whole number.`);
  return n;
}
