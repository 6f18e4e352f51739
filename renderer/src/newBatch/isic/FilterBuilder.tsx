import { useId } from 'react';
import type { IsicSelectCounts } from '../../../../shared/commands/isic';
import { SELECT_OPERATORS } from '../../../../shared/isicSelect';

export interface CriterionRow {
  key: number;
  path: string;
  op: string;
  value: string;
}

/** The `'path op value'` text of a row, or null while its path is still empty. */
export function criterionText(row: CriterionRow): string | null {
  if (!row.path.trim()) return null;
  return `${row.path.trim()} ${row.op} ${row.value.trim()}`;
}

/**
 * Local selection: rows of `path op value` over the search results' metadata, with the number of
 * sampled results each row keeps and the number all rows keep together (counted by the engine).
 */
export function FilterBuilder({
  rows,
  onChange,
  counts,
  countsError,
  counting,
}: {
  rows: CriterionRow[];
  onChange(rows: CriterionRow[]): void;
  /** Results for the rows that have a path, in order. */
  counts: IsicSelectCounts | null;
  countsError: string | null;
  counting: boolean;
}) {
  const listId = useId();
  const set = (key: number, patch: Partial<CriterionRow>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const add = () =>
    onChange([...rows, { key: Math.max(0, ...rows.map((r) => r.key)) + 1, path: '', op: '==', value: '' }]);
  let sent = 0;
  const fields = counts?.fields ?? [];
  return (
    <fieldset className="isic-fieldset" aria-describedby={`${listId}-summary`}>
      <legend>Local selection (optional)</legend>
      <p className="field-hint muted">
        Keeps only the listed images whose metadata meets every row; the others are recorded as skipped. Paths
        name the image’s JSON, e.g. <code>metadata.clinical.diagnosis_1</code>.
      </p>
      <datalist id={`${listId}-paths`}>
        {fields.map((f) => (
          <option key={f.path} value={f.path}>
            {f.kind}, in {f.present}
          </option>
        ))}
      </datalist>
      {rows.map((row, index) => {
        const text = criterionText(row);
        const result = text === null ? undefined : counts?.criteria[sent++];
        const field = fields.find((f) => f.path === row.path.trim());
        const n = index + 1;
        return (
          <div key={row.key} className="isic-criterion" role="group" aria-label={`Criterion ${n}`}>
            <input
              className="input isic-path"
              aria-label={`Field of criterion ${n}`}
              list={`${listId}-paths`}
              placeholder="metadata.clinical.sex"
              value={row.path}
              onChange={(e) => set(row.key, { path: e.target.value })}
            />
            <select
              className="input"
              aria-label={`Operator of criterion ${n}`}
              value={row.op}
              onChange={(e) => set(row.key, { op: e.target.value })}
            >
              {SELECT_OPERATORS.map((o) => (
                <option key={o.op} value={o.op} title={o.help}>
                  {o.op}
                </option>
              ))}
            </select>
            <input
              className="input isic-value"
              aria-label={`Value of criterion ${n}`}
              list={field ? `${listId}-values-${row.key}` : undefined}
              placeholder={placeholderFor(row.op)}
              value={row.value}
              aria-invalid={result && !result.ok ? true : undefined}
              onChange={(e) => set(row.key, { value: e.target.value })}
            />
            {field && field.values.length > 0 && (
              <datalist id={`${listId}-values-${row.key}`}>
                {field.values.map((v) => (
                  <option key={v} value={/\s/.test(v) ? `"${v}"` : v} />
                ))}
              </datalist>
            )}
            <button
              type="button"
              className="button small"
              aria-label={`Remove criterion ${n}`}
              onClick={() => onChange(rows.filter((r) => r.key !== row.key))}
            >
              Remove
            </button>
            <output className="isic-count" aria-label={`Count of criterion ${n}`}>
              {result?.ok
                ? `${result.count.toLocaleString('en')} of ${counts!.sampled.toLocaleString('en')}`
                : ''}
            </output>
            {result && !result.ok && (
              <div className="field-error isic-criterion-error" role="alert">
                {result.error}
              </div>
            )}
          </div>
        );
      })}
      <div className="isic-builder-foot">
        <button type="button" className="button small" onClick={add}>
          Add criterion
        </button>
        <span id={`${listId}-summary`} role="status" className="isic-selected">
          {countsError ? (
            <span className="text-problem">{countsError}</span>
          ) : counting && !counts ? (
            'Counting…'
          ) : counts ? (
            summary(counts)
          ) : (
            ''
          )}
        </span>
      </div>
      <details className="isic-operators">
        <summary>The operators</summary>
        <dl>
          {SELECT_OPERATORS.map((o) => (
            <div key={o.op}>
              <dt>
                <code>{o.op}</code>
              </dt>
              <dd>{o.help}</dd>
            </div>
          ))}
        </dl>
      </details>
    </fieldset>
  );
}

function placeholderFor(op: string): string {
  if (op === 'in' || op === 'not in') return '[a, b, c]';
  if (op === 'is' || op === 'not is') return 'true, false or null';
  if (op === 'match' || op === 'not match') return '/^melanoma/i';
  return 'value';
}

function summary(c: IsicSelectCounts): string {
  const base = c.complete
    ? `all ${c.sampled.toLocaleString('en')} images the batch would list`
    : `a sample: the first ${c.sampled.toLocaleString('en')} results of the search`;
  return `${c.selected.toLocaleString('en')} of ${c.sampled.toLocaleString('en')} selected — counted by the engine over ${base}.`;
}
