import { dirname, join } from 'node:path';
import { CourierError } from '../../../../shared/errors';
import type { CredentialSource } from '../../credentials';
import type { Ledger } from '../../ledger/ledger';
import type { AdapterRegistry, StepContext } from '../../runner/adapters';
import { systemClock } from '../../runner/clock';
import { HostLimiter } from '../../runner/hostLimiter';
import { settledItems } from '../../runner/settledItems';

export interface ListingPassOptions {
  signal?: AbortSignal;
  /** Files looked at so far (and the total, when known). */
  onProgress?: (done: number, total: number | null) => void;
  credentials?: CredentialSource;
}

/** The work folder a listing pass gives the source: where a cancelled scan keeps what it read. */
export function listingWorkDir(ledger: Ledger, batchId: number): string {
  return join(dirname(ledger.db.name), 'work', `batch-${batchId}`);
}

const noCredentials: CredentialSource = () =>
  Promise.reject(
    new CourierError({ code: 'no-credentials', message: 'This listing was started without a login.' }),
  );

/**
 * Pass 1 of a two-pass batch: runs only the source's listing, so every file is in the ledger (pending,
 * skipped or unmatched) and nothing is sent. The batch is then marked listed; starting it later delivers
 * the files without listing again. Returns how many new items were added.
 */
export async function runListingPass(
  ledger: Ledger,
  adapters: AdapterRegistry,
  batchId: number,
  options: ListingPassOptions = {},
): Promise<number> {
  const batch = ledger.batches.require(batchId);
  const source = adapters.source(batch.sourceKind);
  if (!source) {
    throw new CourierError({
      code: 'unknown-source',
      message: `This build cannot read sources of kind '${batch.sourceKind}'.`,
    });
  }
  const parsed = source.configSchema.safeParse(batch.sourceConfig);
  if (!parsed.success) {
    throw new CourierError({
      code: 'bad-config',
      message: `The source of batch '${batch.name}' is not valid: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    });
  }
  const signal = options.signal ?? new AbortController().signal;
  const ctx: StepContext = {
    signal,
    clock: systemClock,
    hosts: new HostLimiter(systemClock),
    workDir: listingWorkDir(ledger, batchId),
    credentials: options.credentials ?? noCredentials,
    progress: (done, total) => options.onProgress?.(done, total),
    batchItems: (name) => settledItems(ledger, ledger.batches.requireByName(name).id),
    addItems: (drafts) => ledger.addItems(batchId, drafts),
  };
  let added = 0;
  for await (const chunk of source.collect(parsed.data, ctx)) {
    added += ledger.addItems(batchId, chunk);
    if (signal.aborted) throw new CourierError({ code: 'cancelled', message: 'The listing was cancelled.' });
  }
  ledger.batches.markCollected(batchId, `The source listed ${added} new file(s).`);
  return added;
}
