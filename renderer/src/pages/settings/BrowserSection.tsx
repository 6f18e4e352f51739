import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { BrowserCheck } from '../../../../shared/commands/settings';
import { useApi } from '../../api';
import { Field } from '../../components/Field';
import { TestOutcome } from '../../components/TestOutcome';
import './sections.css';

/** Settings → Browser: the Chrome, Edge or Chromium program that reads Radiopaedia pages, with a test. */
export function BrowserSection() {
  const api = useApi();
  const [saved, setSaved] = useState<string | null>(null);
  const [path, setPath] = useState('');
  const [result, setResult] = useState<BrowserCheck | 'testing' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    api.call('settings.get', {}).then(
      (s) => {
        setSaved(s.browserPath);
        setPath(s.browserPath);
      },
      (e: Error) => setError(`The browser setting could not be read: ${e.message}`),
    );
  }, [api]);

  const test = () => {
    setResult('testing');
    api
      .call('settings.checkBrowser', { path })
      .then(setResult, (e: Error) => setResult({ ok: false, path: null, version: null, message: e.message }));
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    setStatus(null);
    try {
      const s = await api.call('settings.save', { browserPath: path });
      setSaved(s.browserPath);
      setPath(s.browserPath);
      setStatus(
        s.browserPath
          ? 'Saved. New Radiopaedia batches use this browser.'
          : 'Saved. New Radiopaedia batches use the browser found automatically.',
      );
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section aria-labelledby="browser-title" className="settings-section">
      <h2 id="browser-title">Browser</h2>
      <p className="muted settings-intro">
        The Chrome, Edge or Chromium program that reads Radiopaedia case pages. Leave it empty to use the one
        found automatically.
      </p>
      <form className="form" onSubmit={(e) => void save(e)} aria-label="Browser for Radiopaedia">
        <Field
          label="Browser program"
          hint="Its full path, e.g. /usr/bin/chromium or C:\Program Files\Google\Chrome\Application\chrome.exe."
          error={error}
        >
          {(props) => (
            <input
              {...props}
              className="input"
              type="text"
              spellCheck={false}
              autoComplete="off"
              placeholder="Found automatically (Chrome, Edge or Chromium)"
              value={path}
              onChange={(e) => {
                setPath(e.target.value);
                setResult(null);
                setStatus(null);
                setError(null);
              }}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="button" className="button" disabled={result === 'testing'} onClick={test}>
            {result === 'testing' ? 'Testing…' : 'Test browser'}
          </button>
          <button
            type="submit"
            className="button primary"
            disabled={saving || saved === null || path === saved}
          >
            {saving ? 'Saving…' : 'Save browser'}
          </button>
          {status && (
            <span role="status" className="muted">
              {status}
            </span>
          )}
        </div>
        {result && <TestOutcome result={result} pending="Asking the browser its version…" />}
      </form>
    </section>
  );
}
