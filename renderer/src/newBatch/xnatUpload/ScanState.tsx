import { useState } from 'react';
import type { ScanStatus } from '../../../../shared/commands/xnatUpload';
import { useApi } from '../../api';
import { hrefOf } from '../../route';
import './xnatUpload.css';

const LABEL: Record<ScanStatus['state'], string> = {
  'not-started': 'Not scanned yet',
  scanning: 'Scanning…',
  scanned: 'Scanned — waiting for review',
  cancelled: 'Scan cancelled',
  interrupted: 'Scan stopped',
  failed: 'Scan failed',
};

const BADGE_CLASS: Record<ScanStatus['state'], string> = {
  'not-started': '',
  scanning: 'state-running',
  scanned: 'state-paused',
  cancelled: 'state-cancelled',
  interrupted: 'state-cancelled',
  failed: 'state-cancelled',
};

/** Where a batch that is not uploading yet stands: scanning, scanned and waiting for review, cancelled… */
export function ScanBadge({ status }: { status: ScanStatus }) {
  return <span className={`badge ${BADGE_CLASS[status.state]}`.trim()}>{LABEL[status.state]}</span>;
}

const files = (n: number) => `${n.toLocaleString()} file${n === 1 ? '' : 's'}`;

/**
 * The scan while it runs (with a Cancel that asks first) and once it stopped short (with the way to
 * continue it). A scanned batch is not shown here: the review is.
 */
export function ScanPanel({
  batchId,
  status,
  onStatus,
}: {
  batchId: number;
  status: ScanStatus;
  onStatus(s: ScanStatus): void;
}) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = (command: 'xnatUpload.scan' | 'xnatUpload.cancelScan') => {
    setBusy(true);
    setError(null);
    api
      .call(command, { batchId })
      .then(onStatus, (e: Error) => setError(e.message))
      .finally(() => setBusy(false));
  };
  const cancel = () => {
    if (
      !window.confirm(
        `Cancel the scan of ${status.dir}? Nothing has been sent. The headers read so far are kept: scanning again later continues from them.`,
      )
    )
      return;
    act('xnatUpload.cancelScan');
  };
  const errorBanner = error && (
    <div role="alert" className="banner banner-error">
      {error}
    </div>
  );

  if (status.state === 'scanning') {
    return (
      <section aria-labelledby="xu-scan-title" className="xu-scan xu-panel">
        <h2 id="xu-scan-title">Scanning {status.dir}</h2>
        <div
          className="progress"
          role="progressbar"
          aria-label="Scan progress"
          aria-valuemin={0}
          aria-valuetext={`${status.seen.toLocaleString()} files looked at`}
        >
          <span className="progress-running xu-indeterminate" />
        </div>
        <p className="muted">
          {status.seen.toLocaleString()} files looked at…
          {status.kept > 0 &&
            ` The headers of ${files(status.kept)} read by an earlier scan are not read again.`}
        </p>
        {errorBanner}
        <div className="form-actions">
          <button type="button" className="button danger" disabled={busy} onClick={cancel}>
            {busy ? 'Cancelling…' : 'Cancel scan'}
          </button>
        </div>
      </section>
    );
  }
  if (status.state === 'scanned') return null;

  const stopped = status.state === 'cancelled' || status.state === 'interrupted';
  const title = stopped ? LABEL[status.state] : status.state === 'failed' ? 'Scan failed' : 'Not scanned yet';
  const action = stopped ? 'Continue scan' : status.state === 'failed' ? 'Scan again' : 'Scan the folder';
  return (
    <section aria-labelledby="xu-scan-title" className="xu-scan xu-panel">
      <h2 id="xu-scan-title">{title}</h2>
      {status.state === 'failed' ? (
        <div role="alert" className="banner banner-error">
          {status.error}
        </div>
      ) : (
        <p role="status">
          {stopped &&
            (status.seen > 0
              ? `The scan of ${status.dir} stopped after ${files(status.seen)} looked at. `
              : `The scan of ${status.dir} stopped before the end. `)}
          {stopped &&
            (status.kept > 0
              ? `The headers of ${files(status.kept)} are kept; continuing reads only the rest. Nothing has been sent.`
              : 'Nothing has been sent; scanning again lists the folder from the start.')}
          {status.state === 'not-started' &&
            `The files of ${status.dir} have not been looked at yet. The scan reads every file’s header; nothing is sent before you review and upload.`}
        </p>
      )}
      {errorBanner}
      <div className="form-actions">
        <button
          type="button"
          className="button primary"
          disabled={busy}
          onClick={() => act('xnatUpload.scan')}
        >
          {busy ? 'Starting the scan…' : action}
        </button>
      </div>
    </section>
  );
}

/** On the batch page of a scanned batch that has not been uploaded: the way back into its review. */
export function ReviewEntry({ batchId, toSend }: { batchId: number; toSend: number }) {
  return (
    <section aria-labelledby="xu-entry-title" className="xu-panel">
      <h2 id="xu-entry-title">Scanned — waiting for review</h2>
      <p className="muted">
        The scan placed the folder’s files; nothing has been sent yet ({files(toSend)} selected to send).
        Review what goes to which subject, session and dataset, leave out what should not go, then upload.
      </p>
      <div className="form-actions">
        <a className="button primary" href={hrefOf({ page: 'batch', batchId, view: 'review' })}>
          Review and upload
        </a>
      </div>
    </section>
  );
}
