// Crash safety at small sizes: `courier` killed with SIGKILL at random moments and started again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashIsic } from '../../../bench/reliability/crashIsic';
import { crashXnat } from '../../../bench/reliability/crashXnat';
import { expectAllHeld, installCourier } from './reliabilityKit';
import type { CourierInstall } from './reliabilityKit';

let courier: CourierInstall;
beforeAll(async () => {
  courier = await installCourier();
});
afterAll(() => courier?.remove());

describe('crash safety', () => {
  it('an XNAT upload killed twice ends with every file stored once, with its MD5, and done', async () => {
    const result = await crashXnat(courier, { files: 40, kills: 2, seed: 3 });
    expectAllHeld(result);
    expect(result.figures).toMatchObject({ kills: 2, stored: 40, stored_twice: 0, ledger_done: 40 });
  }, 240_000);

  it('an ISIC download killed twice ends with every image once, with its bytes, and done', async () => {
    const result = await crashIsic(courier, { files: 40, kills: 2, seed: 5 });
    expectAllHeld(result);
    expect(result.figures).toMatchObject({ kills: 2, files_in_folder: 40, ledger_done: 40 });
  }, 240_000);
});
