// The reliability harness's parts at small sizes, for the test suite (the full sizes run with
// `npm run reliability`).
import { expect } from 'vitest';
import { installCourier } from '../../../bench/reliability/courierProcess';
import type { CourierInstall } from '../../../bench/reliability/courierProcess';
import { failures } from '../../../bench/reliability/report';
import type { PartResult } from '../../../bench/reliability/report';

export { installCourier };
export type { CourierInstall };

/** Every check of the part held; on failure the message lists the failed checks with what was seen. */
export function expectAllHeld(result: PartResult): void {
  expect(result.checks.length).toBeGreaterThan(0);
  expect(failures([result])).toEqual([]);
}
