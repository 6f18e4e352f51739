import { useState } from 'react';
import type { BatchSummary } from '../../../shared/domain';
import { BatchControls } from '../components/BatchControls';
import { BatchStats } from '../components/BatchStats';
import { ProgressBar } from '../components/ProgressBar';
import { StateBadge } from '../components/StatusBadge';
import { hrefOf } from '../route';
import { useBatches } from '../useBatches';
import { ScanBadge } from '../newBatch/xnatUpload/ScanState';
import { isUploadBatch, useScanStatus } from '../newBatch/xnatUpload/useScanStatus';
import type { ScanStatus } from '../../../shared/commands/xnatUpload';

/** The batch's state; a DICOM folder → XNAT batch not uploading yet says where its scan stands. */
function StateOfBatch({ batch, scan }: { batch: BatchSummary; scan: ScanStatus | null }) {
  if (!scan) return <StateBadge state={batch.state} />;
  return (
    <>
      <ScanBadge status={scan} />
      {scan.state === 'scanned' && (
        <a
          className="button small primary"
          href={hrefOf({ page: 'batch', batchId: batch.id, view: 'review' })}
          aria-label={`Review and upload ${batch.name}`}
        >
          Review and upload
        </a>
      )}
    </>
  );
}

function BatchCard({ batch: b, onError }: { batch: BatchSummary; onError(message: string): void }) {
  // A DICOM folder → XNAT batch is scanned, then uploaded from its review: not by Start.
  const beforeUpload = isUploadBatch(b) && b.state === 'idle';
  const { status: scan } = useScanStatus(b.id, beforeUpload);
  return (
    <li className="batch-card">
      <div className="batch-card-main">
        <div className="batch-card-title">
          <a href={hrefOf({ page: 'batch', batchId: b.id })} className="batch-name">
            {b.name}
          </a>
          <StateOfBatch batch={b} scan={scan} />
        </div>
        <div className="muted route-line">
          <span title={b.source.label}>
            {b.source.kind}: {b.source.label}
          </span>
          <span aria-hidden="true"> → </span>
          <span title={b.target.label}>
            {b.target.kind}: {b.target.label}
          </span>
        </div>
        <ProgressBar counts={b.counts} total={b.total} label={`Progress of ${b.name}`} />
        <BatchStats batch={b} />
      </div>
      <BatchControls batch={b} startBlocked={beforeUpload} onError={onError} />
    </li>
  );
}

export function BatchesPage() {
  const { batches, error } = useBatches();
  const [actionError, setActionError] = useState<string | null>(null);
  return (
    <section aria-labelledby="batches-title" className="page">
      <header className="page-head">
        <h1 id="batches-title">Batches</h1>
        <a className="button primary" href={hrefOf({ page: 'new' })}>
          New batch
        </a>
      </header>
      {(error ?? actionError) && (
        <div role="alert" className="banner banner-error">
          {error ?? actionError}
        </div>
      )}
      {batches?.length === 0 && (
        <div className="empty">
          <p>No batches yet.</p>
          <p className="muted">
            Choose <a href={hrefOf({ page: 'new' })}>New batch</a>, or start one from the command line, for
            example <code>courier copy --from DIR --to DIR</code>.
          </p>
        </div>
      )}
      <ul className="batch-list" aria-label="Batches">
        {batches?.map((b) => (
          <BatchCard key={b.id} batch={b} onError={setActionError} />
        ))}
      </ul>
    </section>
  );
}
