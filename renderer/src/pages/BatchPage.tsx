import { useCallback, useEffect, useState } from 'react';
import type { ItemRow } from '../../../shared/domain';
import type { ItemStatus, OperatorAction } from '../../../shared/status';
import { useApi } from '../api';
import { BatchControls } from '../components/BatchControls';
import { BatchStats } from '../components/BatchStats';
import { BulkBar } from '../components/BulkBar';
import { FilesTable } from '../components/FilesTable';
import { ItemDrawer } from '../components/ItemDrawer';
import { NO_SELECTION } from '../components/selection';
import type { Selection } from '../components/selection';
import { ProgressBar } from '../components/ProgressBar';
import { ReportMenu } from '../components/ReportMenu';
import { StateBadge } from '../components/StatusBadge';
import { StatusChips } from '../components/StatusChips';
import { RadiopaediaCases } from '../newBatch/radiopaedia';
import { useBatch } from '../useBatches';
import { UploadProgress } from '../newBatch/xnatUpload/UploadProgress';
import { ReviewEntry, ScanBadge, ScanPanel } from '../newBatch/xnatUpload/ScanState';
import { isUploadBatch, useScanStatus } from '../newBatch/xnatUpload/useScanStatus';
import type { ItemQuery } from '../useItemWindows';

function statusesFromHash(): ItemStatus[] {
  const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
  return (q.get('status')?.split(',').filter(Boolean) ?? []) as ItemStatus[];
}

export function BatchPage({ batchId }: { batchId: number }) {
  const api = useApi();
  const { batch, error } = useBatch(batchId);
  const [statuses, setStatuses] = useState<ItemStatus[]>(statusesFromHash);
  const [text, setText] = useState('');
  const [debouncedText, setDebouncedText] = useState('');
  const [group, setGroup] = useState<string | undefined>(undefined);
  const [sort, setSort] = useState<ItemQuery['sort']>({ column: 'seq', direction: 'asc' });
  const [notice, setNotice] = useState<string | null>(null);
  const [selection, setSelection] = useState<Selection>(NO_SELECTION);
  const [openItem, setOpenItem] = useState<number | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const [matching, setMatching] = useState<number | null>(null);
  const onTotal = useCallback((t: number | null) => setMatching(t), []);
  // A DICOM folder → XNAT batch not uploading yet: its scan, or the way back into its review (where its
  // upload starts; Start would send whatever the scan had placed so far).
  const beforeUpload = batch !== null && isUploadBatch(batch) && batch.state === 'idle';
  const scan = useScanStatus(batchId, beforeUpload);

  useEffect(() => {
    const t = setTimeout(() => setDebouncedText(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);

  const query: ItemQuery = {
    batchId,
    filter: {
      ...(statuses.length ? { statuses } : {}),
      ...(group !== undefined ? { group } : {}),
      ...(debouncedText ? { text: debouncedText } : {}),
    },
    sort,
  };

  // Another filter selects other files: what was selected is let go.
  const filterKey = JSON.stringify(query.filter);
  useEffect(() => setSelection(NO_SELECTION), [filterKey]);

  const closeDrawer = () => {
    setOpenItem(null);
    setFocusRequest((n) => n + 1);
  };

  const decide = (item: ItemRow, action: OperatorAction) => {
    api.call('items.decide', { batchId, itemIds: [item.id], action }).then(
      (r) => setNotice(r.applied ? null : (r.refused[0]?.reason ?? 'Not possible.')),
      (e: Error) => setNotice(e.message),
    );
  };

  if (error)
    return (
      <div role="alert" className="banner banner-error">
        {error}
      </div>
    );
  if (!batch)
    return (
      <div className="page muted" aria-busy="true">
        Loading…
      </div>
    );
  return (
    <section aria-labelledby="batch-title" className="page page-fill">
      <header className="page-head">
        <div>
          <a href="#/batches" className="crumb">
            Batches
          </a>
          <h1 id="batch-title">
            {batch.name}{' '}
            {scan.status ? <ScanBadge status={scan.status} /> : <StateBadge state={batch.state} />}
          </h1>
          <div className="muted route-line">
            {batch.source.kind}: {batch.source.label} → {batch.target.kind}: {batch.target.label}
          </div>
        </div>
        <BatchControls
          batch={batch}
          startBlocked={beforeUpload}
          onError={setNotice}
          onDeleted={() => {
            location.hash = '#/batches';
          }}
        />
        <ReportMenu batch={batch} />
      </header>
      <div className="batch-summary">
        <ProgressBar counts={batch.counts} total={batch.total} label={`Progress of ${batch.name}`} />
        <UploadProgress batch={batch} />
        <BatchStats batch={batch}>
          {batch.note && <span className="muted note">{batch.note}</span>}
        </BatchStats>
      </div>
      {scan.status?.state === 'scanned' && <ReviewEntry batchId={batchId} toSend={batch.counts.pending} />}
      {scan.status && scan.status.state !== 'scanned' && (
        <ScanPanel batchId={batchId} status={scan.status} onStatus={scan.setStatus} />
      )}
      {batch.source.kind === 'radiopaedia' && <RadiopaediaCases batch={batch} />}
      {notice && (
        <div role="status" className="banner">
          {notice}
        </div>
      )}
      <div className="filters">
        <StatusChips counts={batch.counts} selected={statuses} onChange={setStatuses} />
        <div className="filter-right">
          {group !== undefined && (
            <button
              type="button"
              className="chip"
              aria-pressed="true"
              onClick={() => setGroup(undefined)}
              aria-label={`Remove group filter ${group}`}
            >
              Group: {group} ✕
            </button>
          )}
          <input
            type="search"
            className="search"
            placeholder="Search file names"
            aria-label="Search file names"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
      </div>
      <BulkBar
        batchId={batchId}
        selection={selection}
        matching={matching ?? 0}
        filter={query.filter}
        onSelectAllMatching={() => setSelection({ kind: 'matching' })}
        onClear={() => setSelection(NO_SELECTION)}
        onDone={(message) => {
          setNotice(message);
          setSelection(NO_SELECTION);
        }}
      />
      <div className="batch-body">
        <FilesTable
          query={query}
          onSortChange={setSort}
          onGroup={setGroup}
          onDecide={decide}
          selection={selection}
          onSelectionChange={setSelection}
          onOpen={(item) => setOpenItem(item.id)}
          focusRequest={focusRequest}
          onTotal={onTotal}
        />
        {openItem !== null && <ItemDrawer itemId={openItem} batch={batch} onClose={closeDrawer} />}
      </div>
    </section>
  );
}
