// Injected faults at small sizes: every item ends done or in attention with its cause, nothing lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultsIsic, faultsXnat } from '../../../bench/reliability/faults';
import { expectAllHeld, installCourier } from './reliabilityKit';
import type { CourierInstall } from './reliabilityKit';

let courier: CourierInstall;
beforeAll(async () => {
  courier = await installCourier();
});
afterAll(() => courier?.remove());

describe('injected faults', () => {
  it('an XNAT upload through 5xx, resets, stalls and wrong digests loses nothing silently', async () => {
    const result = await faultsXnat(courier, { files: 60, stallMs: 300 });
    expectAllHeld(result);
    expect(result.figures.injected_status).toBeGreaterThan(0);
    expect(result.figures.silent_losses).toBe(0);
    // Wrong digests are sent again: repaired where XNAT then lists the right one, attention where it never does.
    expect(result.figures.repaired_copies).toBeGreaterThan(0);
    expect(result.figures).toMatchObject({ attention: 1, done: 60 });
    expect(result.figures.failed).toBeUndefined();
  }, 240_000);

  it('an ISIC download through 5xx, resets, short and cut bodies loses nothing silently', async () => {
    const result = await faultsIsic(courier, { files: 60, stalls: false });
    expectAllHeld(result);
    expect(result.figures.injected_faults).toBeGreaterThan(0);
    expect(result.figures.silent_losses).toBe(0);
  }, 240_000);
});
