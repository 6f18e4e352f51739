import type { Ledger } from '../../electron/engine/ledger/ledger';

/** A folder-to-folder batch with empty settings, for tests of the ledger itself; returns its id. */
export function folderBatch(ledger: Ledger, name: string): number {
  return ledger.batches.create({
    name,
    sourceKind: 'folder',
    sourceConfig: {},
    targetKind: 'folder',
    targetConfig: {},
  }).id;
}
