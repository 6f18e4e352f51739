import { useState } from 'react';
import { useApi } from '../../api';
import { hrefOf } from '../../route';
import { useBatch } from '../../useBatches';
import { ScanPanel } from './ScanState';
import { ScanReview } from './ScanReview';
import { isUploadBatch, useScanStatus } from './useScanStatus';
import './xnatUpload.css';

/**
 * `#/batches/<id>/review`: a DICOM folder → XNAT batch between its scan and its upload. Shows the scan
 * while it runs (it can be cancelled, and continued later), then the review by subject, session and
 * dataset, where what the operator left out stays left out (decisions in the ledger), then the upload.
 */
export function ReviewPage({ batchId }: { batchId: number }) {
  const api = useApi();
  const { batch, error } = useBatch(batchId);
  const applies = batch !== null && isUploadBatch(batch) && batch.state === 'idle';
  const scan = useScanStatus(batchId, applies);
  const [busy, setBusy] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const batchHref = hrefOf({ page: 'batch', batchId });

  const upload = () => {
    setBusy(true);
    setUploadError(null);
    api.call('batches.start', { batchId }).then(
      () => {
        location.hash = batchHref;
      },
      (e: Error) => {
        setUploadError(e.message);
        setBusy(false);
      },
    );
  };

  const problem = error ?? scan.error ?? uploadError;
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <a href={hrefOf({ page: 'batches' })} className="crumb">
            Batches
          </a>
          {batch && (
            <>
              <span className="crumb" aria-hidden="true">
                {' / '}
              </span>
              <a href={batchHref} className="crumb">
                {batch.name}
              </a>
            </>
          )}
          <h1>Review and upload</h1>
          {batch && (
            <div className="muted route-line">
              {batch.source.label} → {batch.target.label}
            </div>
          )}
        </div>
      </header>
      {problem && (
        <div role="alert" className="banner banner-error">
          {problem}
        </div>
      )}
      {!batch && !error && <div className="muted">Loading…</div>}
      {batch && !isUploadBatch(batch) && (
        <div role="status" className="banner">
          “{batch.name}” is not a DICOM folder going to XNAT: it has no scan to review.{' '}
          <a href={batchHref}>Open the batch</a>.
        </div>
      )}
      {batch && isUploadBatch(batch) && batch.state !== 'idle' && (
        <div role="status" className="banner">
          The upload of “{batch.name}” has started; what was left out in the review stays out.{' '}
          <a href={batchHref}>Follow it on the batch’s page</a>.
        </div>
      )}
      {applies && scan.status && scan.status.state !== 'scanned' && (
        <ScanPanel batchId={batchId} status={scan.status} onStatus={scan.setStatus} />
      )}
      {applies && scan.status?.state === 'scanned' && (
        <div className="xu-flow">
          <ScanReview batchId={batchId} project={scan.status.project} busy={busy} onUpload={upload} />
        </div>
      )}
    </div>
  );
}
