import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  ReviewCounts,
  ReviewFile,
  ReviewGroup,
  ReviewTree,
} from '../../../../shared/commands/xnatUpload';
import { useApi } from '../../api';

function countsText(c: ReviewCounts): string {
  const parts = [`${c.selected.toLocaleString()} to send`];
  if (c.deselected) parts.push(`${c.deselected.toLocaleString()} left out`);
  if (c.keptOut) parts.push(`${c.keptOut.toLocaleString()} kept out by the scan`);
  return parts.join(' · ');
}

/** A checkbox for a group: ticked when every changeable file goes, mixed when some do. */
function GroupCheck({
  counts,
  label,
  disabled,
  onChange,
}: {
  counts: ReviewCounts;
  label: string;
  disabled: boolean;
  onChange(upload: boolean): void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  const mixed = counts.selected > 0 && counts.deselected > 0;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = mixed;
  }, [mixed]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label={label}
      checked={counts.selected > 0 && !mixed}
      disabled={disabled || counts.selected + counts.deselected === 0}
      onChange={() => onChange(mixed || counts.selected === 0)}
    />
  );
}

function DatasetFiles({
  batchId,
  group,
  version,
  onToggle,
}: {
  batchId: number;
  group: Required<ReviewGroup>;
  version: number;
  onToggle(itemIds: number[], upload: boolean): void;
}) {
  const api = useApi();
  const [files, setFiles] = useState<{ files: ReviewFile[]; total: number } | null>(null);
  useEffect(() => {
    void api.call('xnatUpload.reviewFiles', { batchId, ...group, limit: 200 }).then(setFiles);
  }, [api, batchId, group.subject, group.session, group.dataset, version]);
  if (!files) return <div className="muted small">Loading files…</div>;
  return (
    <ul className="xu-files" aria-label={`Files of ${group.dataset}`}>
      {files.files.map((f) => (
        <li key={f.id}>
          <label className="check small">
            <input
              type="checkbox"
              checked={f.selected}
              disabled={!f.changeable}
              aria-label={`Upload file ${f.name}`}
              onChange={(e) => onToggle([f.id], e.target.checked)}
            />{' '}
            {f.name}
            {!f.changeable && f.message ? <span className="muted"> — {f.message}</span> : null}
          </label>
        </li>
      ))}
      {files.total > files.files.length && (
        <li className="muted small">
          …and {(files.total - files.files.length).toLocaleString()} more (leave the whole dataset out above)
        </li>
      )}
    </ul>
  );
}

/**
 * What the scan placed, subject → session → dataset, with counts; unticking a group or a file leaves it
 * out of the upload (recorded as the operator's decision), ticking it again brings it back.
 */
export function ScanReview({
  batchId,
  project,
  onUpload,
  busy,
}: {
  batchId: number;
  project: string;
  onUpload(): void;
  busy: boolean;
}) {
  const api = useApi();
  const [tree, setTree] = useState<ReviewTree | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [version, setVersion] = useState(0);
  const [changing, setChanging] = useState(false);
  const load = useCallback(() => {
    api.call('xnatUpload.review', { batchId }).then(setTree, (e: Error) => setError(e.message));
  }, [api, batchId]);
  useEffect(load, [load]);
  const select = (args: { group?: ReviewGroup; itemIds?: number[] }, upload: boolean) => {
    setChanging(true);
    api
      .call('xnatUpload.select', { batchId, upload, ...args })
      .then(
        () => {
          setVersion((v) => v + 1);
          load();
        },
        (e: Error) => setError(e.message),
      )
      .finally(() => setChanging(false));
  };
  const toggleOpen = (key: string) =>
    setOpen((o) => {
      const next = new Set(o);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  if (error)
    return (
      <div role="alert" className="banner banner-error">
        {error}
      </div>
    );
  if (!tree) return <div className="muted">Loading the scan’s results…</div>;
  const t = tree.totals;
  return (
    <section className="xu-review" aria-labelledby="xu-review-title">
      <h2 id="xu-review-title">Review</h2>
      <p role="status" className="xu-totals">
        <strong>{t.selected.toLocaleString()}</strong> file{t.selected === 1 ? '' : 's'} to send in{' '}
        {tree.subjects.length} subject{tree.subjects.length === 1 ? '' : 's'}
        {t.deselected ? `, ${t.deselected.toLocaleString()} left out` : ''}
        {t.keptOut ? `, ${t.keptOut.toLocaleString()} kept out by the scan` : ''}
        {t.unmatched ? `, ${t.unmatched.toLocaleString()} matched no pattern` : ''}.
      </p>
      <ul className="xu-tree" aria-label="Subjects, sessions and datasets">
        {tree.subjects.map((s) => (
          <li key={s.subject}>
            <div className="xu-node">
              <GroupCheck
                counts={s}
                label={`Upload subject ${s.subject}`}
                disabled={changing}
                onChange={(u) => select({ group: { subject: s.subject } }, u)}
              />
              <span className="xu-node-name">Subject {s.subject}</span>
              <span className="muted small">{countsText(s)}</span>
            </div>
            <ul>
              {s.sessions.map((x) => (
                <li key={x.session}>
                  <div className="xu-node">
                    <GroupCheck
                      counts={x}
                      label={`Upload session ${s.subject} / ${x.session}`}
                      disabled={changing}
                      onChange={(u) => select({ group: { subject: s.subject, session: x.session } }, u)}
                    />
                    <span className="xu-node-name">
                      Session {x.session}
                      {x.experiment ? <span className="muted"> → {x.experiment}</span> : null}
                    </span>
                    <span className="muted small">{countsText(x)}</span>
                  </div>
                  <ul>
                    {x.datasets.map((d) => {
                      const key = `${s.subject}\u0000${x.session}\u0000${d.dataset}`;
                      const group = { subject: s.subject, session: x.session, dataset: d.dataset };
                      const label = `${s.subject} / ${x.session} / ${d.dataset}`;
                      return (
                        <li key={d.dataset}>
                          <div className="xu-node">
                            <GroupCheck
                              counts={d}
                              label={`Upload dataset ${label}`}
                              disabled={changing}
                              onChange={(u) => select({ group }, u)}
                            />
                            <span className="xu-node-name">
                              Dataset {d.dataset}
                              {d.seriesNumber ? (
                                <span className="muted">
                                  {' '}
                                  → scan {d.seriesNumber} ({d.scanType})
                                </span>
                              ) : null}
                            </span>
                            <span className="muted small">{countsText(d)}</span>
                            <button
                              type="button"
                              className="link-button small"
                              aria-expanded={open.has(key)}
                              aria-label={`${open.has(key) ? 'Hide' : 'Show'} files of ${label}`}
                              onClick={() => toggleOpen(key)}
                            >
                              {open.has(key) ? 'Hide files' : 'Files'}
                            </button>
                          </div>
                          {open.has(key) && (
                            <DatasetFiles
                              batchId={batchId}
                              group={group}
                              version={version}
                              onToggle={(ids, u) => select({ itemIds: ids }, u)}
                            />
                          )}
                        </li>
                      );
                    })}
                  </ul>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      <div className="form-actions">
        <button
          type="button"
          className="button primary"
          disabled={busy || changing || t.selected === 0}
          onClick={onUpload}
        >
          {busy
            ? 'Starting…'
            : `Upload ${t.selected.toLocaleString()} file${t.selected === 1 ? '' : 's'} to ${project}`}
        </button>
      </div>
    </section>
  );
}
