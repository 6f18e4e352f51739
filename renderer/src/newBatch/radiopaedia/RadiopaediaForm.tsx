import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { RadiopaediaParsedCases } from '../../../../shared/commands/radiopaedia';
import { useApi } from '../../api';
import { Field, TextField } from '../../components/Field';
import { useCreateBatch } from '../useCreateBatch';
import { defaultBatchName, delayError, POLITE_DELAY_S } from './radiopaediaForm';
import './radiopaedia.css';

const DEFAULT_SITE = 'https://radiopaedia.org';

/** The cases as the engine reads them, asked again while the person types (nothing is fetched). */
function useParsedCases(
  text: string,
  site: string,
): { parsed: RadiopaediaParsedCases | null; error: string | null } {
  const api = useApi();
  const [parsed, setParsed] = useState<RadiopaediaParsedCases | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      api.call('radiopaedia.parseCases', { text, site: site.trim() || undefined }).then(
        (p) => {
          if (!live) return;
          setParsed(p);
          setError(null);
        },
        (e: Error) => {
          if (!live) return;
          setParsed(null);
          setError(e.message);
        },
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [api, text, site]);
  return { parsed, error };
}

/** The browser saved in Settings → Browser ('' while unknown or when none is saved). */
function useSavedBrowser(): string {
  const api = useApi();
  const [saved, setSaved] = useState('');
  useEffect(() => {
    api.call('settings.get', {}).then(
      (s) => setSaved(s.browserPath),
      () => undefined,
    );
  }, [api]);
  return saved;
}

/** Radiopaedia cases a person names, archived into a folder through the embedded browser. */
function RadiopaediaForm() {
  const [text, setText] = useState('');
  const [out, setOut] = useState('');
  const [name, setName] = useState('');
  const [site, setSite] = useState(DEFAULT_SITE);
  const [delay, setDelay] = useState(String(POLITE_DELAY_S));
  const [browserPath, setBrowserPath] = useState('');
  const savedBrowser = useSavedBrowser();
  const [start, setStart] = useState(true);
  const { create, busy, error } = useCreateBatch();
  const { parsed, error: siteError } = useParsedCases(text, site);
  const cases = parsed?.cases ?? [];
  const delayProblem = delayError(delay, parsed?.site ?? site);
  const rejected = parsed?.rejected ?? [];
  const casesError =
    rejected.length > 0
      ? `Not a Radiopaedia case URL or rID: ${rejected.map((r) => `“${r}”`).join(', ')}. Use addresses like https://radiopaedia.org/cases/70432, or just the number 70432.`
      : null;
  const ready = cases.length > 0 && !casesError && !delayProblem && !siteError && out.trim() !== '';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready || !parsed) return;
    void create({
      name: name.trim() || defaultBatchName(cases, new Date()),
      source: {
        kind: 'radiopaedia',
        config: {
          site: parsed.site,
          cases: cases.map((c) => c.url),
          delayMs: Math.round(Number(delay) * 1000),
          // The browser typed here, else the one saved in Settings → Browser, else the one found.
          ...(browserPath.trim() || savedBrowser ? { browserPath: browserPath.trim() || savedBrowser } : {}),
        },
      },
      target: { kind: 'folder', config: { dir: out.trim() } },
      start,
    });
  };

  return (
    <form className="form form-wide" onSubmit={submit} aria-label="Archive Radiopaedia cases">
      <div className="banner rp-polite" role="note" aria-label="Politeness towards Radiopaedia">
        <strong>Only the cases you name.</strong> Radiopaedia’s terms forbid bulk downloading by robots.
        Imaging Courier loads one case page at a time, waits at least {POLITE_DELAY_S} seconds between page
        loads, and names itself to the site in its User-Agent (ImagingCourier). Ask Radiopaedia before
        archiving many cases.
      </div>
      <Field
        label="Case URLs or rIDs"
        error={casesError}
        hint={
          parsed && cases.length > 0
            ? `${cases.length} case${cases.length === 1 ? '' : 's'} to archive${
                parsed.duplicates.length ? `; ${parsed.duplicates.length} repeated line(s) left out` : ''
              }.`
            : 'One per line: a case address (https://radiopaedia.org/cases/70432), a DOI, “rID: 70432” or just 70432.'
        }
      >
        {(props) => (
          <textarea
            {...props}
            className="input rp-cases"
            rows={6}
            value={text}
            spellCheck={false}
            placeholder={'https://radiopaedia.org/cases/70432\n70433'}
            onChange={(e) => setText(e.target.value)}
          />
        )}
      </Field>
      {cases.length > 0 && (
        <ul className="rp-case-list" aria-label="Cases to archive">
          {cases.map((c) => (
            <li key={c.url}>
              {c.rid !== null ? `rID ${c.rid}` : 'Case'} — <span className="muted">{c.url}</span>
            </li>
          ))}
        </ul>
      )}
      <TextField
        label="Output folder"
        value={out}
        onChange={setOut}
        required
        placeholder="/data/radiopaedia"
        hint="The images and one JSON file per case (metadata, licence, attribution) go here; created when missing."
      />
      <TextField
        label="Batch name"
        value={name}
        onChange={setName}
        placeholder={defaultBatchName(cases, new Date())}
      />
      <details className="rp-advanced">
        <summary>Site, pause and browser</summary>
        <TextField
          label="Site"
          value={site}
          onChange={setSite}
          error={siteError}
          hint="The site rIDs refer to. Change it only for a mirror of your own."
        />
        <TextField
          label="Pause between page loads (seconds)"
          type="number"
          value={delay}
          onChange={setDelay}
          error={delayProblem}
          hint={`At least ${POLITE_DELAY_S} s for radiopaedia.org.`}
        />
        <TextField
          label="Browser program"
          value={browserPath}
          onChange={setBrowserPath}
          placeholder={
            savedBrowser
              ? `As in Settings: ${savedBrowser}`
              : 'Found automatically (Chrome, Edge or Chromium)'
          }
          hint="The Chromium-family browser that reads the case pages, if not the one set in Settings → Browser."
        />
      </details>
      <label className="check">
        <input type="checkbox" checked={start} onChange={(e) => setStart(e.target.checked)} /> Start at once
      </label>
      {error && (
        <div role="alert" className="banner banner-error">
          {error}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy || !ready}>
          {busy ? 'Creating…' : 'Archive cases'}
        </button>
      </div>
    </form>
  );
}

export default RadiopaediaForm;
