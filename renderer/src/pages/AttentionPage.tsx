import { useCallback, useEffect, useState } from 'react';
import type { AttentionGroup } from '../../../shared/domain';
import { useApi, useEngineEvent } from '../api';

export function AttentionPage() {
  const api = useApi();
  const [groups, setGroups] = useState<AttentionGroup[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.call('attention.summary', {}).then(setGroups, (e: Error) => setError(e.message));
  }, [api]);
  useEffect(load, [load]);
  useEngineEvent('batch.changed', load);
  return (
    <section aria-labelledby="attention-title" className="page">
      <header className="page-head">
        <h1 id="attention-title">Attention</h1>
      </header>
      <p className="muted">
        Files that wait for a person, grouped by reason. Open a group to decide file by file.
      </p>
      {error && (
        <div role="alert" className="banner banner-error">
          {error}
        </div>
      )}
      {groups?.length === 0 && <div className="empty">Nothing needs attention.</div>}
      <ul className="attention-list" aria-label="Attention groups">
        {groups?.map((g) => (
          <li key={`${g.batchId}-${g.reason}`} className="attention-card">
            <div>
              <div className="attention-reason">{g.reason}</div>
              <div className="muted">{g.sampleMessage}</div>
              <div className="muted small">Possible: {g.actions.join(', ')}</div>
            </div>
            <div className="attention-side">
              <span className="attention-count">{g.count.toLocaleString()}</span>
              <a
                className="button"
                href={`#/batches/${g.batchId}?status=attention`}
                aria-label={`Open ${g.count} files in ${g.batchName} needing ${g.reason}`}
              >
                Open in {g.batchName}
              </a>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
