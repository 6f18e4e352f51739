// Fuzzed DICOM headers and hostile archives and names, at small sizes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzDicom } from '../../../bench/reliability/fuzzDicom';
import { hostileInputs } from '../../../bench/reliability/hostileInputs';
import { expectAllHeld, installCourier } from './reliabilityKit';
import type { CourierInstall } from './reliabilityKit';

let courier: CourierInstall;
beforeAll(async () => {
  courier = await installCourier();
});
afterAll(() => courier?.remove());

describe('fuzzed and hostile inputs', () => {
  it('300 mutated headers: no hang, no crash, each classified; the scan lists each with a reason', async () => {
    const result = await fuzzDicom(courier, { mutations: 300, capMs: 5_000, seed: 77 });
    expectAllHeld(result);
    expect(result.figures).toMatchObject({ files: 300, hangs: 0, crashes: 0, escaped_exceptions: 0 });
  }, 240_000);

  it('hostile zips are refused with nothing written; hostile local names never reach XNAT unsafe', async () => {
    const result = await hostileInputs(courier, { zips: 5 });
    expectAllHeld(result);
    expect(result.figures.hostile_zips_refused).toBe(5);
  }, 240_000);
});
