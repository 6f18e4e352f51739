import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { Connection } from '../../../../shared/commands/connections';
import type { WikiDryRun } from '../../../../shared/commands/wiki';
import type { BatchSummary } from '../../../../shared/domain';
import { DEFAULT_PAGE_TEMPLATE, PLACEHOLDERS } from '../../../../shared/wikiPage';
import { useApi } from '../../api';
import { ConnectionPicker } from '../../components/ConnectionPicker';
import { Field, TextField } from '../../components/Field';
import { useCreateBatch } from '../useCreateBatch';
import { DryRunResults } from './DryRunResults';
import { COMMONS_API, composePageTemplate, linesOf, referenceError, templateError } from './pageTemplate';
import './wiki.css';

const DRY_RUN_FILES = 20;

type SourceChoice = 'earlier-batch' | 'sheet';

function useFinishedBatches(): { batches: BatchSummary[] | null; error: string | null } {
  const api = useApi();
  const [batches, setBatches] = useState<BatchSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.call('batches.list', {}).then(
      (all) => setBatches(all.filter((b) => b.state === 'finished' && b.counts.done > 0)),
      (e: Error) => setError(e.message),
    );
  }, [api]);
  return { batches, error };
}

function baseName(path: string): string {
  return (
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? path
  );
}

/** The files of a finished batch or of a spreadsheet, sent to a MediaWiki wiki after an optional dry run. */
function WikiUploadForm() {
  const api = useApi();
  const { batches, error: batchesError } = useFinishedBatches();
  const [choice, setChoice] = useState<SourceChoice>('earlier-batch');
  const [batchName, setBatchName] = useState('');
  const [sheet, setSheet] = useState('');
  const [wiki, setWiki] = useState<Connection | null>(null);
  const [references, setReferences] = useState(COMMONS_API);
  const [licence, setLicence] = useState('');
  const [categories, setCategories] = useState('');
  const [template, setTemplate] = useState(DEFAULT_PAGE_TEMPLATE);
  // The page text starts from Settings → Wiki page text (the built-in default until one is saved there).
  const [settingsTemplate, setSettingsTemplate] = useState(DEFAULT_PAGE_TEMPLATE);
  useEffect(() => {
    void api.call('settings.get', {}).then((s) => {
      setSettingsTemplate(s.wikiPageTemplate);
      setTemplate((t) => (t === DEFAULT_PAGE_TEMPLATE ? s.wikiPageTemplate : t));
    });
  }, [api]);
  const [comment, setComment] = useState('');
  const [name, setName] = useState('');
  const [start, setStart] = useState(true);
  const [dryRun, setDryRun] = useState<WikiDryRun | null>(null);
  const [dryRunBusy, setDryRunBusy] = useState(false);
  const [dryRunError, setDryRunError] = useState<string | null>(null);
  const { create, busy, error } = useCreateBatch();

  useEffect(() => {
    if (!batchName && batches && batches.length > 0) setBatchName(batches[0]!.name);
  }, [batches, batchName]);
  // A dry run describes the settings it ran with: any change makes it stale.
  useEffect(
    () => setDryRun(null),
    [choice, batchName, sheet, wiki, references, licence, categories, template, comment],
  );

  const sheetError =
    choice === 'sheet' && sheet.trim() && !/\.(xlsx|csv)$/i.test(sheet.trim())
      ? 'The spreadsheet must be an .xlsx or .csv file.'
      : null;
  const tplError = templateError(template);
  const refError = referenceError(references);
  const commentError = comment.trim() ? templateError(comment) : null;
  const sourceReady = choice === 'earlier-batch' ? batchName !== '' : sheet.trim() !== '' && !sheetError;
  const ready = sourceReady && wiki !== null && !tplError && !refError && !commentError;

  const source = () =>
    choice === 'earlier-batch'
      ? { kind: 'earlier-batch' as const, config: { batch: batchName } }
      : { kind: 'sheet' as const, config: { file: sheet.trim() } };
  const targetConfig = (): Record<string, unknown> => {
    const pageTemplate = composePageTemplate({ template, licence, categories });
    return {
      api: wiki!.url,
      checkApis: linesOf(references),
      ...(pageTemplate !== undefined ? { pageTemplate } : {}),
      ...(comment.trim() ? { commentTemplate: comment.trim() } : {}),
    };
  };

  const runDry = async () => {
    if (!ready) return;
    setDryRunBusy(true);
    setDryRunError(null);
    try {
      setDryRun(
        await api.call('wiki.dryRun', { source: source(), target: targetConfig(), limit: DRY_RUN_FILES }),
      );
    } catch (e) {
      setDryRun(null);
      setDryRunError((e as Error).message);
    } finally {
      setDryRunBusy(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    const from = choice === 'earlier-batch' ? batchName : baseName(sheet.trim());
    void create({
      name: name.trim() || `${from} → ${new URL(wiki!.url).host}`,
      source: source(),
      target: { kind: 'mediawiki', config: targetConfig() },
      settings: { concurrency: 2 },
      start,
    });
  };

  return (
    <form className="form form-wide" onSubmit={submit} aria-label="Upload to a wiki">
      <fieldset className="wiki-fieldset">
        <legend>Files to upload</legend>
        <label className="check">
          <input
            type="radio"
            name="wiki-source"
            checked={choice === 'earlier-batch'}
            onChange={() => setChoice('earlier-batch')}
          />{' '}
          The files of a finished batch
        </label>
        <label className="check">
          <input
            type="radio"
            name="wiki-source"
            checked={choice === 'sheet'}
            onChange={() => setChoice('sheet')}
          />{' '}
          A spreadsheet (.xlsx or .csv)
        </label>
        {choice === 'earlier-batch' ? (
          <Field
            label="Finished batch"
            error={batchesError}
            hint={
              batches?.length === 0
                ? 'No batch has finished with files yet; archive Radiopaedia or ISIC images first.'
                : 'Its delivered files are sent; a Radiopaedia case’s record and files that went elsewhere are left out.'
            }
          >
            {(props) => (
              <select
                {...props}
                className="input"
                value={batchName}
                onChange={(e) => setBatchName(e.target.value)}
              >
                {batches === null && <option value="">Loading…</option>}
                {batches?.map((b) => (
                  <option key={b.id} value={b.name}>
                    {b.name} — {b.source.label}, {b.counts.done.toLocaleString()} files
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : (
          <TextField
            label="Spreadsheet"
            value={sheet}
            onChange={setSheet}
            error={sheetError}
            placeholder="/data/upload.xlsx"
            hint="One row per file: path, name, description, date, source, author, license, categories (;-separated), comment. Paths may be relative to the sheet."
          />
        )}
      </fieldset>
      <ConnectionPicker kind="mediawiki" value={wiki} onChange={setWiki} label="Wiki" />
      <Field
        label="Reference wikis (duplicate check)"
        error={refError}
        hint="The api.php of each wiki whose files count as duplicates, one per line (checked by SHA-1, anonymously). Empty: only the target is checked."
      >
        {(props) => (
          <textarea
            {...props}
            className="input wiki-mono"
            rows={2}
            value={references}
            onChange={(e) => setReferences(e.target.value)}
          />
        )}
      </Field>
      <TextField
        label="Licence for every file"
        value={licence}
        onChange={setLicence}
        placeholder="From each file’s source (Radiopaedia: CC-BY-NC-SA-3.0)"
        hint="A licence template name, e.g. CC-BY-4.0; leave empty to use each file’s own licence."
      />
      <Field
        label="Extra categories"
        hint="One per line, added to every file’s page besides its own categories."
      >
        {(props) => (
          <textarea
            {...props}
            className="input"
            rows={2}
            value={categories}
            placeholder="Uploads of the teaching collection"
            onChange={(e) => setCategories(e.target.value)}
          />
        )}
      </Field>
      <details className="wiki-advanced">
        <summary>Page text and upload comment</summary>
        <Field
          label="Page text template"
          error={tplError}
          hint={`Placeholders: ${PLACEHOLDERS.map((p) => `\${${p}}`).join(' ')}`}
        >
          {(props) => (
            <textarea
              {...props}
              className="input wiki-mono"
              rows={14}
              value={template}
              spellCheck={false}
              onChange={(e) => setTemplate(e.target.value)}
            />
          )}
        </Field>
        <button type="button" className="button small" onClick={() => setTemplate(settingsTemplate)}>
          Restore the page text from Settings
        </button>
        <TextField
          label="Upload comment"
          value={comment}
          onChange={setComment}
          error={commentError}
          placeholder="Default: rID:${rid} (batch #${batch}-${imageNo} ${stackRef}${position}) for Radiopaedia files"
        />
      </details>
      <TextField label="Batch name" value={name} onChange={setName} placeholder="<files> → <wiki>" />
      <label className="check">
        <input type="checkbox" checked={start} onChange={(e) => setStart(e.target.checked)} /> Start at once
      </label>
      {(error ?? dryRunError) && (
        <div role="alert" className="banner banner-error">
          {error ?? dryRunError}
        </div>
      )}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={!ready || dryRunBusy}
          onClick={() => void runDry()}
        >
          {dryRunBusy ? 'Checking…' : `Dry run (first ${DRY_RUN_FILES} files)`}
        </button>
        <button type="submit" className="button primary" disabled={busy || !ready}>
          {busy ? 'Creating…' : 'Upload'}
        </button>
      </div>
      {dryRun && <DryRunResults result={dryRun} />}
    </form>
  );
}

export default WikiUploadForm;
