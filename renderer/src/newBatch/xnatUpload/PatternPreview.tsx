import { useMemo } from 'react';
import { compilePatterns, matchPath, validatePatterns } from '../../../../shared/pathPattern';
import type { PathPattern } from '../../../../shared/pathPattern';

const DICOM_PREFIX = 'DICOM:';

function namesIn(cell: string): string[] {
  return [...cell.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1] ?? '');
}

function mappedValue(sources: string[], values: Record<string, string>): string {
  return sources
    .map((s) => (s.startsWith(DICOM_PREFIX) ? `‹${s}›` : (values[s] ?? `‹${s}?›`)))
    .join(' ')
    .replace(/ /g, '_');
}

/**
 * The patterns tried on the folder's real paths, as the scan will: for a match, the values each cell
 * captured and where the file goes; for a path no pattern matches, each pattern's failing cell and why.
 */
export function PatternPreview({
  patterns,
  mappings,
  paths,
  total,
  truncated,
}: {
  patterns: PathPattern[];
  mappings: Record<string, string[]>;
  paths: string[];
  total: number;
  truncated: boolean;
}) {
  const problems = useMemo(() => validatePatterns(patterns), [patterns]);
  const results = useMemo(() => {
    const compiled = compilePatterns(patterns);
    const all = paths.map((path) => ({ path, result: matchPath(compiled, path.split('/')) }));
    // Paths that do not match come first: they are what the archivist has to look at.
    return [...all.filter((r) => !r.result.matched), ...all.filter((r) => r.result.matched)];
  }, [patterns, paths]);
  const matched = results.filter((r) => r.result.matched).length;
  const hierarchy = ['Subject', 'Session', 'Dataset'].filter((m) => mappings[m]);
  return (
    <section className="xu-preview" aria-labelledby="xu-preview-title">
      <h3 id="xu-preview-title">Preview on this folder</h3>
      <p className="muted" role="status" aria-live="polite">
        {matched} of {paths.length} sample path{paths.length === 1 ? '' : 's'} match
        {truncated ? ` (a sample: ${total.toLocaleString()} files seen so far, the scan looks at all)` : ''}.
        Values in ‹…› are read from each file’s DICOM header during the scan.
      </p>
      {problems.length > 0 && (
        <ul className="xu-problems" aria-label="Problems in the patterns">
          {problems.map((p) => (
            <li key={`${p.label}-${p.cellIndex}`} className="text-problem">
              Pattern “{p.label}”{p.cellIndex >= 0 ? `, cell ${p.cellIndex + 1} “${p.cell}”` : ''}: {p.reason}
            </li>
          ))}
        </ul>
      )}
      <div className="xu-preview-scroll">
        <table className="xu-table" aria-label="Pattern preview">
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Result</th>
              <th scope="col">Captured per cell</th>
              {hierarchy.map((h) => (
                <th scope="col" key={h}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {results.map(({ path, result }) => {
              if (result.matched) {
                const row = patterns.find((p) => p.label === result.label);
                return (
                  <tr key={path} data-match="yes">
                    <td className="xu-path">{path}</td>
                    <td>
                      <span className="badge status-done">Pattern {result.label}</span>
                    </td>
                    <td>
                      <ol className="xu-cells">
                        {(row?.cells ?? []).map((cell, i) => {
                          const names = namesIn(cell);
                          return (
                            <li key={i}>
                              <code>{cell}</code>{' '}
                              {names.length === 0 ? (
                                <span className="muted">
                                  {cell === '**' || cell === '*' ? 'folders' : 'text'}
                                </span>
                              ) : (
                                names.map((n) => (
                                  <span key={n} className="xu-capture">
                                    {n} = <strong>{result.values[n]}</strong>
                                  </span>
                                ))
                              )}
                            </li>
                          );
                        })}
                      </ol>
                    </td>
                    {hierarchy.map((h) => (
                      <td key={h}>{mappedValue(mappings[h] ?? [], result.values)}</td>
                    ))}
                  </tr>
                );
              }
              return (
                <tr key={path} data-match="no">
                  <td className="xu-path">{path}</td>
                  <td>
                    <span className="badge status-failed">No match</span>
                  </td>
                  <td colSpan={1 + hierarchy.length}>
                    <ul className="xu-failures">
                      {result.failures.map((f) => (
                        <li key={f.label}>
                          Pattern “{f.label}”:{' '}
                          {f.cellIndex < (patterns.find((p) => p.label === f.label)?.cells.length ?? 0) ? (
                            <>
                              cell {f.cellIndex + 1} <code>{f.cell}</code>
                              {f.component ? (
                                <>
                                  {' '}
                                  on <code>{f.component}</code>
                                </>
                              ) : null}
                            </>
                          ) : (
                            'after the last cell'
                          )}
                          : {f.reason}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
