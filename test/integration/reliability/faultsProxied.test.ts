// Injected faults through the fault proxy at small sizes: a real MediaWiki and the Radiopaedia fixture,
// neither of which has a fault switch of its own. Every item ends done or in attention with its cause.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultsRadiopaedia, faultsWiki } from '../../../bench/reliability/faultsProxied';
import { expectAllHeld, installCourier } from './reliabilityKit';
import type { CourierInstall } from './reliabilityKit';

let courier: CourierInstall;
beforeAll(async () => {
  courier = await installCourier();
});
afterAll(() => courier?.remove());

describe('injected faults through the proxy', () => {
  it('a wiki upload through 5xx, resets, lost answers and stalls loses nothing and sends nothing twice', async () => {
    const result = await faultsWiki(courier, { files: 16, stallMs: 300, seed: 5 });
    expectAllHeld(result);
    expect(result.figures.injected_status).toBeGreaterThan(0);
    expect(result.figures.silent_losses).toBe(0);
    // An upload whose answer was lost is found on the wiki when sent again, not uploaded a second time.
    expect(result.figures.lost_answers).toBeGreaterThanOrEqual(2);
    expect(result.figures.found_already_there).toBeGreaterThanOrEqual(1);
    expect(result.figures).toMatchObject({ done: 16, files_on_wiki: 16 });
  }, 240_000);

  it('a Radiopaedia case through 5xx, resets, lost answers and stalls on pages, data and images loses nothing', async () => {
    const result = await faultsRadiopaedia(courier, { images: 40, stallMs: 300, seed: 5 });
    expectAllHeld(result);
    expect(result.figures.injected_status).toBeGreaterThan(0);
    expect(result.figures.lost_answers).toBeGreaterThanOrEqual(1);
    expect(result.figures.silent_losses).toBe(0);
    // The case page failed as often as listing tries it: the runner read the case again from its case item.
    expect(result.figures.case_items).toBe(1);
  }, 240_000);
});
