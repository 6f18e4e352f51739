// A separate process that works on a ledger, for crash and concurrency tests.
//   claim FILE BATCH N      claims N items, prints "claimed", then waits to be killed
//   churn FILE BATCH SEED   applies random status changes in 40 transactions, prints "done"
import { Ledger } from '../../electron/engine/ledger/ledger';
import { ITEM_STATUSES } from '../../shared/status';

const [mode, file, batch, arg] = process.argv.slice(2);
const batchId = Number(batch);
if (mode === 'claim') {
  const ledger = Ledger.open(file!);
  ledger.claim(batchId, Number(arg));
  process.stdout.write('claimed\n');
  setInterval(() => undefined, 1_000);
} else if (mode === 'churn') {
  const ledger = Ledger.open(file!, { role: 'reader' });
  let seed = Number(arg);
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const ids = ledger.db.prepare('SELECT id FROM items WHERE batch_id = ?').pluck().all(batchId) as number[];
  for (let t = 0; t < 40; t++) {
    const outcomes = Array.from({ length: 250 }, () => ({
      itemId: ids[Math.floor(random() * ids.length)]!,
      status: ITEM_STATUSES[Math.floor(random() * ITEM_STATUSES.length)]!,
    }));
    ledger.record(batchId, outcomes);
  }
  ledger.close();
  process.stdout.write('done\n');
}
