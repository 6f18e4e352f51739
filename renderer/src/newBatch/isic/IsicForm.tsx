import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { Connection } from '../../../../shared/commands/connections';
import type { IsicPreview, IsicSelectCounts } from '../../../../shared/commands/isic';
import { useApi } from '../../api';
import { ConnectionPicker } from '../../components/ConnectionPicker';
import { Field, TextField } from '../../components/Field';
import { useCreateBatch } from '../useCreateBatch';
import { CollectionPicker } from './CollectionPicker';
import { FilterBuilder, criterionText } from './FilterBuilder';
import type { CriterionRow } from './FilterBuilder';
import { PreviewPanel } from './PreviewPanel';
import { QueryHelp } from './QueryHelp';
import './isic.css';

interface Search {
  connectionId?: string;
  query?: string;
  collections?: number[];
  limit: number;
}

function wholeNumber(text: string, fallback: number): number {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : fallback;
}

/** "ISIC Archive": a search, previewed with counts and thumbnails, narrowed locally, downloaded to a folder. */
function IsicForm() {
  const api = useApi();
  const [connection, setConnection] = useState<Connection | null>(null);
  const [query, setQuery] = useState('');
  const [collections, setCollections] = useState<number[]>([]);
  const [limitText, setLimitText] = useState('0');
  const [showHelp, setShowHelp] = useState(false);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ key: string; search: Search; value: IsicPreview } | null>(null);
  const [rows, setRows] = useState<CriterionRow[]>([]);
  const [counts, setCounts] = useState<IsicSelectCounts | null>(null);
  const [countsError, setCountsError] = useState<string | null>(null);
  const [counting, setCounting] = useState(false);
  const [out, setOut] = useState('');
  const [concurrencyText, setConcurrencyText] = useState('8');
  const [name, setName] = useState('');
  const [start, setStart] = useState(true);
  const { create, busy, error } = useCreateBatch();
  const countSeq = useRef(0);

  const current: Search = {
    ...(connection ? { connectionId: connection.id } : {}),
    ...(query.trim() ? { query: query.trim() } : {}),
    ...(collections.length ? { collections } : {}),
    limit: wholeNumber(limitText, 0),
  };
  const currentKey = JSON.stringify(current);
  const stale = preview !== null && preview.key !== currentKey;

  const runSearch = () => {
    const search = current;
    const key = currentKey;
    setSearching(true);
    setSearchError(null);
    api.call('isic.preview', { ...search, thumbnails: 12 }).then(
      (value) => {
        setPreview({ key, search, value });
        setSearching(false);
      },
      (e: Error) => {
        setSearchError(e.message);
        setPreview(null);
        setSearching(false);
      },
    );
  };

  const texts = rows.map(criterionText).filter((t): t is string => t !== null);
  const textsKey = JSON.stringify(texts);
  // Live counts: every change of the rows (or a new search) asks the engine again; the latest answer wins.
  useEffect(() => {
    if (!preview) {
      setCounts(null);
      return;
    }
    const seq = ++countSeq.current;
    setCounting(true);
    api.call('isic.selectCounts', { ...preview.search, criteria: texts }).then(
      (value) => {
        if (seq !== countSeq.current) return;
        setCounts(value);
        setCountsError(null);
        setCounting(false);
      },
      (e: Error) => {
        if (seq !== countSeq.current) return;
        setCountsError(e.message);
        setCounting(false);
      },
    );
  }, [api, preview, textsKey]);

  const criteriaOk =
    counts !== null && counts.criteria.length === texts.length && counts.criteria.every((c) => c.ok);
  const concurrency = wholeNumber(concurrencyText, 0);
  const concurrencyError = concurrency >= 1 && concurrency <= 64 ? null : 'A whole number from 1 to 64.';
  const ready =
    preview !== null &&
    !stale &&
    !counting &&
    (texts.length === 0 || criteriaOk) &&
    out.trim() !== '' &&
    !concurrencyError;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!preview || !ready) return;
    const s = preview.search;
    void create({
      name: name.trim() || `isic-${new Date().toISOString().slice(0, 10)}`,
      source: {
        kind: 'isic',
        config: {
          apiUrl: preview.value.apiUrl,
          ...(s.query ? { query: s.query } : {}),
          ...(s.collections ? { collections: s.collections } : {}),
          limit: s.limit,
          ...(texts.length ? { select: texts } : {}),
        },
      },
      target: { kind: 'folder', config: { dir: out.trim() } },
      settings: { concurrency },
      start,
    });
  };

  return (
    <form className="form form-wide isic-form" onSubmit={submit} aria-label="Download from the ISIC Archive">
      <ConnectionPicker
        kind="isic"
        value={connection}
        onChange={setConnection}
        label="Archive (saved ISIC connection)"
      />
      {!connection && (
        <p className="field-hint muted">None chosen: the public ISIC Archive (api.isic-archive.com).</p>
      )}

      <div className="isic-search-row">
        <div className="isic-search-main">
          <Field
            label="Search query"
            error={searchError}
            hint={
              <>
                The archive’s query language; empty finds every image.{' '}
                <button
                  type="button"
                  className="link-button"
                  aria-expanded={showHelp}
                  onClick={() => setShowHelp(!showHelp)}
                >
                  {showHelp ? 'Hide query help' : 'Query help and examples'}
                </button>
              </>
            }
          >
            {(props) => (
              <input
                {...props}
                className="input isic-query"
                value={query}
                placeholder="age_approx:[20 TO 40] AND sex:male"
                onChange={(e) => setQuery(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    runSearch();
                  }
                }}
              />
            )}
          </Field>
          <CollectionPicker connectionId={connection?.id} value={collections} onChange={setCollections} />
          <div className="isic-inline">
            <TextField
              label="Limit"
              type="number"
              value={limitText}
              onChange={setLimitText}
              hint="At most this many images; 0 means all of them."
            />
            <button
              type="button"
              className="button primary isic-search-button"
              onClick={runSearch}
              disabled={searching}
            >
              {searching ? 'Searching…' : 'Search the archive'}
            </button>
          </div>
        </div>
        {showHelp && <QueryHelp onUse={(q) => setQuery(q)} />}
      </div>

      {stale && (
        <div className="banner" role="status">
          The search changed since the counts below: search again before creating the batch.
        </div>
      )}
      {preview && <PreviewPanel preview={preview.value} />}
      {preview && (
        <FilterBuilder
          rows={rows}
          onChange={setRows}
          counts={counts}
          countsError={countsError}
          counting={counting}
        />
      )}

      <TextField
        label="Output folder"
        value={out}
        onChange={setOut}
        required
        placeholder="/data/isic"
        hint="The images, metadata.csv, attribution.txt and licenses/ arrive here; created when missing."
      />
      <TextField
        label="Downloads at the same time"
        type="number"
        value={concurrencyText}
        onChange={setConcurrencyText}
        error={concurrencyError}
      />
      <TextField label="Batch name" value={name} onChange={setName} placeholder="isic-<date>" />
      <label className="check">
        <input type="checkbox" checked={start} onChange={(e) => setStart(e.target.checked)} /> Start at once
      </label>
      {!preview && (
        <p className="muted">Search the archive first: the batch takes the search whose counts you saw.</p>
      )}
      {error && (
        <div role="alert" className="banner banner-error">
          {error}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy || !ready}>
          {busy ? 'Creating…' : 'Create batch'}
        </button>
      </div>
    </form>
  );
}

export default IsicForm;
