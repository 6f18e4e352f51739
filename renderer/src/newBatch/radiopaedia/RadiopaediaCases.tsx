import { useCallback, useEffect, useState } from 'react';
import type { RadiopaediaCaseProgress } from '../../../../shared/commands/radiopaedia';
import type { BatchSummary } from '../../../../shared/domain';
import { useApi, useEngineEvent } from '../../api';
import { ProgressBar } from '../../components/ProgressBar';
import './radiopaedia.css';

function caseName(c: RadiopaediaCaseProgress): string {
  if (c.title && c.rid !== null) return `${c.title} (rID ${c.rid})`;
  return c.title ?? c.group;
}

/** Progress of a Radiopaedia batch case by case: a bar per case, its images counted, the one being fetched. */
export function RadiopaediaCases({ batch }: { batch: BatchSummary }) {
  const api = useApi();
  const [cases, setCases] = useState<RadiopaediaCaseProgress[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.call('radiopaedia.progress', { batchId: batch.id }).then(
      (r) => {
        setCases(r.cases);
        setMore(r.more);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api, batch.id]);
  useEffect(load, [load]);
  useEngineEvent('batch.changed', (p) => {
    if (p.batchId === batch.id) load();
  });

  if (error)
    return (
      <div role="alert" className="banner banner-error">
        {error}
      </div>
    );
  return (
    <section className="rp-cases-panel" aria-labelledby={`rp-cases-${batch.id}`}>
      <h2 id={`rp-cases-${batch.id}`}>Cases</h2>
      {cases === null ? (
        <p className="muted" aria-busy="true">
          Loading…
        </p>
      ) : cases.length === 0 ? (
        <p className="muted">
          No case has been read yet{batch.state === 'running' ? '; the first page is loading' : ''}.
        </p>
      ) : (
        <ul className="rp-case-progress" aria-label="Progress per case">
          {cases.map((c) => {
            const settled = c.counts.done + c.counts.skipped + c.counts.duplicate + c.counts.unmatched;
            const problems = c.counts.failed + c.counts.attention + c.counts.interrupted;
            return (
              <li key={c.group}>
                <div className="rp-case-line">
                  <a href={c.url} target="_blank" rel="noreferrer noopener" className="rp-case-title">
                    {caseName(c)}
                  </a>
                  <span className="muted">
                    {c.title === null
                      ? 'case page not read yet'
                      : `${settled} of ${c.total} image${c.total === 1 ? '' : 's'} settled`}
                    {problems > 0 ? `, ${problems} need a decision or retry` : ''}
                  </span>
                </div>
                <ProgressBar counts={c.counts} total={c.total} label={`Progress of ${caseName(c)}`} />
                {c.running && <div className="muted rp-running">Fetching {c.running}</div>}
              </li>
            );
          })}
        </ul>
      )}
      {more && (
        <p className="muted">Only the first 500 cases are listed here; the table below has them all.</p>
      )}
    </section>
  );
}
