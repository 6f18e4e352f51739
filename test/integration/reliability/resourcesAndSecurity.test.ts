// Resources running out (disk full, read-only destination, locked ledger) and the security checks.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { resources } from '../../../bench/reliability/resources';
import { security } from '../../../bench/reliability/security';
import { expectAllHeld, installCourier } from './reliabilityKit';
import type { CourierInstall } from './reliabilityKit';

let courier: CourierInstall;
beforeAll(async () => {
  courier = await installCourier();
});
afterAll(() => courier?.remove());

describe('resources and security', () => {
  it('disk full, read-only destination and a locked ledger: clear errors, nothing lost', async () => {
    expectAllHeld(await resources(courier, { images: 120, silentServer: false }));
  }, 240_000);

  it('Electron checklist, web mode guards, and no password in logs, ledger, events or exports', async () => {
    expectAllHeld(await security(courier));
  }, 240_000);
});
