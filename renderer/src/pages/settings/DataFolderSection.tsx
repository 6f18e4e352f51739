import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { DataFolderCheck, DataFolderInfo } from '../../../../shared/commands/settings';
import { useApi } from '../../api';
import { Field } from '../../components/Field';
import './sections.css';

const OVERRIDE: Record<NonNullable<DataFolderInfo['override']>, string> = {
  COURIER_DB:
    'This run uses the ledger named by $COURIER_DB; the folder chosen here applies when it is not set.',
  '--db': 'This run uses the ledger named by --db; the folder chosen here applies when none is named.',
};

function describeCheck(c: DataFolderCheck): string {
  if (c.ledger) {
    const n = c.ledger.batches;
    return `${c.folder} already holds a ledger with ${n} batch${n === 1 ? '' : 'es'}. Imaging Courier can use that ledger from its next start; the ledger in use stays where it is.`;
  }
  return c.exists
    ? `${c.folder} can be used; it holds no ledger yet. The ledger in use can be copied there.`
    : `${c.folder} does not exist yet; it will be created, and the ledger in use copied there.`;
}

/** Settings → Data folder: where the ledger, reports and work files live; another folder from the next start. */
export function DataFolderSection() {
  const api = useApi();
  const [info, setInfo] = useState<DataFolderInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [folder, setFolder] = useState('');
  const [check, setCheck] = useState<DataFolderCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'check' | 'change' | null>(null);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    api.call('settings.dataFolder', {}).then(setInfo, (e: Error) => setLoadError(e.message));
  }, [api]);

  const runCheck = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('check');
    setCheck(null);
    setError(null);
    setDone(null);
    try {
      setCheck(await api.call('settings.checkDataFolder', { folder }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const change = async (c: DataFolderCheck) => {
    setBusy('change');
    setError(null);
    try {
      const result = await api.call('settings.changeDataFolder', {
        folder: c.folder,
        ledger: c.ledger ? 'use-existing' : 'copy',
      });
      setInfo(result.info);
      setDone(result.message);
      setCheck(null);
      setFolder('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="data-folder-title" className="settings-section data-folder">
      <h2 id="data-folder-title">Data folder</h2>
      <p className="muted settings-intro">
        The ledger (every batch and file), reports, work files and the Radiopaedia browser profile live in
        this folder. Another folder takes effect at the next start.
      </p>
      {loadError && (
        <div role="alert" className="banner banner-error">
          The data folder could not be read: {loadError}
        </div>
      )}
      {info?.problem && (
        <div role="alert" className="banner banner-error">
          {info.problem} Imaging Courier uses the default folder {info.defaultFolder}.
        </div>
      )}
      {info && (
        <dl className="settings-list">
          <dt>Folder in use</dt>
          <dd>
            <code>{info.folder}</code>
          </dd>
          <dt>Ledger file</dt>
          <dd>
            <code>{info.ledgerFile}</code>
          </dd>
          {info.nextStart !== info.folder && (
            <>
              <dt>From the next start</dt>
              <dd>
                <code>{info.nextStart}</code>
              </dd>
            </>
          )}
          {info.override && (
            <>
              <dt>Note</dt>
              <dd>{OVERRIDE[info.override]}</dd>
            </>
          )}
        </dl>
      )}
      <form
        className="form data-folder-form"
        onSubmit={(e) => void runCheck(e)}
        aria-label="Change the data folder"
      >
        <Field
          label="New data folder"
          hint={
            <>
              The full path of a folder; it is created when missing.
              {info && (
                <>
                  {' '}
                  The default is <code>{info.defaultFolder}</code>.
                </>
              )}
            </>
          }
          error={error}
        >
          {(props) => (
            <input
              {...props}
              className="input"
              type="text"
              spellCheck={false}
              autoComplete="off"
              value={folder}
              onChange={(e) => {
                setFolder(e.target.value);
                setCheck(null);
                setError(null);
              }}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy !== null || folder.trim() === ''}>
            {busy === 'check' ? 'Checking…' : 'Check folder'}
          </button>
        </div>
      </form>
      {check && (
        <div className="banner data-folder-check">
          <p role="status">{describeCheck(check)}</p>
          <div className="form-actions">
            <button
              type="button"
              className="button primary"
              disabled={busy !== null}
              onClick={() => void change(check)}
            >
              {busy === 'change'
                ? check.ledger
                  ? 'Switching…'
                  : 'Copying…'
                : check.ledger
                  ? 'Use the ledger there'
                  : 'Copy the ledger there'}
            </button>
            <button type="button" className="button" disabled={busy !== null} onClick={() => setCheck(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {done && (
        <div role="status" className="banner data-folder-done">
          {done}
        </div>
      )}
    </section>
  );
}
