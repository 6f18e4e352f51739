import type { WikiDryRun } from '../../../../shared/commands/wiki';

const OUTCOME_NAMES = { 'would-send': 'Checked', 'not-sent': 'Left out', failed: 'Not checked' } as const;

/** What a dry run found, file by file: the title on the wiki, the verdict, the checks and the page text. */
export function DryRunResults({ result }: { result: WikiDryRun }) {
  return (
    <section className="wiki-dry-run" aria-labelledby="wiki-dry-run-title">
      <h2 id="wiki-dry-run-title">Dry run: nothing was uploaded</h2>
      {result.rows.length === 0 && <p className="muted">The source has no files to send.</p>}
      <ol className="wiki-dry-rows" aria-label="Dry run files">
        {result.rows.map((row, i) => (
          <li key={`${i}-${row.name}`} className={`wiki-dry-row wiki-${row.outcome}`}>
            <article aria-label={row.title ? `File:${row.title}` : row.name}>
              <h3>{row.title ? `File:${row.title}` : row.name}</h3>
              <p>
                <span className="wiki-outcome">{OUTCOME_NAMES[row.outcome]}:</span> {row.verdict}
              </p>
              {row.checks.length > 0 && (
                <ul className="wiki-checks" aria-label={`Checks of ${row.title ?? row.name}`}>
                  {row.checks.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              )}
              {row.comment && (
                <p className="muted">
                  Upload comment: <code>{row.comment}</code>
                </p>
              )}
              {row.pageText && (
                <pre className="wiki-page-text" aria-label={`Page text of File:${row.title ?? row.name}`}>
                  {row.pageText}
                </pre>
              )}
            </article>
          </li>
        ))}
      </ol>
      {result.more && <p className="muted">Only the first {result.rows.length} files are shown.</p>}
    </section>
  );
}
