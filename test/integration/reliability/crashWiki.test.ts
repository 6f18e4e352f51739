// Crash safety against a real MediaWiki at a small size: one SIGKILL, then the upload finishes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crashWiki } from '../../../bench/reliability/crashWiki';
import { expectAllHeld, installCourier } from './reliabilityKit';
import type { CourierInstall } from './reliabilityKit';

let courier: CourierInstall;
beforeAll(async () => {
  courier = await installCourier();
});
afterAll(() => courier?.remove());

it('a wiki upload killed once ends with one version per title, the right SHA-1, and done', async () => {
  const result = await crashWiki(courier, { files: 6, kills: 1, seed: 11 });
  expectAllHeld(result);
  expect(result.figures).toMatchObject({ kills: 1, files_on_wiki: 6, file_versions: 6, ledger_done: 6 });
}, 240_000);
