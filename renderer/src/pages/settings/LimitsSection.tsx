import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { LimitSettings } from '../../../../shared/commands/settings';
import { normalizeHost } from '../../../../shared/commands/settings';
import { useApi } from '../../api';
import { Field } from '../../components/Field';
import './LimitsSection.css';

interface HostRow {
  key: number;
  host: string;
  concurrency: string;
  minIntervalMs: string;
}

interface Draft {
  defaultConcurrency: string;
  anyConcurrency: string;
  anyMinIntervalMs: string;
  hosts: HostRow[];
}

let nextKey = 1;

function toDraft(l: LimitSettings): Draft {
  return {
    defaultConcurrency: String(l.defaultConcurrency),
    anyConcurrency: String(l.anyHost.concurrency),
    anyMinIntervalMs: String(l.anyHost.minIntervalMs),
    hosts: l.hosts.map((h) => ({
      key: nextKey++,
      host: h.host,
      concurrency: String(h.concurrency),
      minIntervalMs: String(h.minIntervalMs),
    })),
  };
}

/** Checks a draft and says, for each wrong field, what is expected; returns the limits when all is well. */
function check(d: Draft): { limits?: LimitSettings; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const whole = (field: string, text: string, min: number, max: number, what: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max)
      errors[field] = `${what} must be a whole number from ${min} to ${max.toLocaleString('en')}.`;
    return n;
  };
  const defaultConcurrency = whole(
    'defaultConcurrency',
    d.defaultConcurrency,
    1,
    64,
    'Files at the same time',
  );
  const anyHost = {
    concurrency: whole('anyConcurrency', d.anyConcurrency, 1, 64, 'Requests at the same time'),
    minIntervalMs: whole('anyMinIntervalMs', d.anyMinIntervalMs, 0, 600_000, 'The pause'),
  };
  const seen = new Set<string>();
  const hosts = d.hosts.map((row) => {
    const host = normalizeHost(row.host);
    if (!host) errors[`host-${row.key}`] = 'Type a host name such as xnat.example.org (or paste an address).';
    else if (seen.has(host)) errors[`host-${row.key}`] = `${host} is listed twice; keep one line per host.`;
    seen.add(host);
    return {
      host,
      concurrency: whole(`conc-${row.key}`, row.concurrency, 1, 64, 'Requests at the same time'),
      minIntervalMs: whole(`gap-${row.key}`, row.minIntervalMs, 0, 600_000, 'The pause'),
    };
  });
  if (Object.keys(errors).length > 0) return { errors };
  return { limits: { defaultConcurrency, anyHost, hosts }, errors };
}

/** Settings → Limits: files in flight per batch, and how many requests (how often) each archive gets. */
export function LimitsSection() {
  const api = useApi();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    api.call('settings.get', {}).then(
      (s) => setDraft(toDraft(s.limits)),
      (e: Error) => setStatus({ text: `The limits could not be read: ${e.message}`, error: true }),
    );
  }, [api]);

  if (!draft)
    return (
      <section aria-labelledby="limits-title" className="settings-section">
        <h2 id="limits-title">Limits</h2>
        {status ? (
          <div role="alert" className="banner banner-error">
            {status.text}
          </div>
        ) : (
          <p className="muted" aria-busy="true">
            Loading…
          </p>
        )}
      </section>
    );

  const update = (patch: Partial<Draft>) => {
    setDraft({ ...draft, ...patch });
    setStatus(null);
  };
  const updateRow = (key: number, patch: Partial<HostRow>) =>
    update({ hosts: draft.hosts.map((r) => (r.key === key ? { ...r, ...patch } : r)) });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checked = check(draft);
    setErrors(checked.errors);
    if (!checked.limits) {
      setStatus({ text: 'Nothing was saved: correct the fields marked below.', error: true });
      return;
    }
    setSaving(true);
    try {
      const saved = await api.call('settings.save', { limits: checked.limits });
      setDraft(toDraft(saved.limits));
      setStatus({ text: 'Limits saved. Running batches use them from their next request.', error: false });
    } catch (err) {
      setStatus({ text: `The limits were not saved: ${(err as Error).message}`, error: true });
    } finally {
      setSaving(false);
    }
  };

  const cell = (id: string, label: string, value: string, onChange: (v: string) => void, wide = false) => (
    <>
      <input
        type={wide ? 'text' : 'number'}
        inputMode={wide ? undefined : 'numeric'}
        className={wide ? 'input limits-host' : 'input limits-number'}
        aria-label={label}
        aria-invalid={errors[id] ? true : undefined}
        aria-describedby={errors[id] ? `${id}-error` : undefined}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      {errors[id] && (
        <div id={`${id}-error`} className="field-error">
          {errors[id]}
        </div>
      )}
    </>
  );

  return (
    <section aria-labelledby="limits-title" className="settings-section limits">
      <h2 id="limits-title">Limits</h2>
      <p className="muted limits-intro">
        How hard Imaging Courier works each archive. Lower numbers are kinder to a busy server; a pause
        between requests keeps within a site’s rate limit.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate aria-label="Limits">
        <Field
          label="Files a new batch sends at the same time"
          hint="Used when a batch does not set its own number."
          error={errors.defaultConcurrency}
        >
          {(p) => (
            <input
              {...p}
              type="number"
              inputMode="numeric"
              min={1}
              max={64}
              className="input limits-number"
              value={draft.defaultConcurrency}
              onChange={(e) => update({ defaultConcurrency: e.target.value })}
            />
          )}
        </Field>
        <table className="limits-table">
          <caption>Requests per archive</caption>
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Requests at the same time</th>
              <th scope="col">Pause between requests (ms)</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {draft.hosts.map((row, i) => {
              const name = normalizeHost(row.host) || `host ${i + 1}`;
              return (
                <tr key={row.key}>
                  <td>
                    {cell(
                      `host-${row.key}`,
                      `Host ${i + 1}`,
                      row.host,
                      (v) => updateRow(row.key, { host: v }),
                      true,
                    )}
                  </td>
                  <td>
                    {cell(`conc-${row.key}`, `Requests at the same time to ${name}`, row.concurrency, (v) =>
                      updateRow(row.key, { concurrency: v }),
                    )}
                  </td>
                  <td>
                    {cell(
                      `gap-${row.key}`,
                      `Pause between requests to ${name}, in milliseconds`,
                      row.minIntervalMs,
                      (v) => updateRow(row.key, { minIntervalMs: v }),
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button small"
                      aria-label={`Remove the limits for ${name}`}
                      onClick={() => update({ hosts: draft.hosts.filter((r) => r.key !== row.key) })}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
            <tr className="limits-any">
              <th scope="row">Any other host</th>
              <td>
                {cell(
                  'anyConcurrency',
                  'Requests at the same time to any other host',
                  draft.anyConcurrency,
                  (v) => update({ anyConcurrency: v }),
                )}
              </td>
              <td>
                {cell(
                  'anyMinIntervalMs',
                  'Pause between requests to any other host, in milliseconds',
                  draft.anyMinIntervalMs,
                  (v) => update({ anyMinIntervalMs: v }),
                )}
              </td>
              <td />
            </tr>
          </tbody>
        </table>
        <div className="limits-actions">
          <button
            type="button"
            className="button"
            onClick={() =>
              update({
                hosts: [
                  ...draft.hosts,
                  { key: nextKey++, host: '', concurrency: draft.anyConcurrency, minIntervalMs: '1000' },
                ],
              })
            }
          >
            Add host
          </button>
          <button type="submit" className="button primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save limits'}
          </button>
          <div role="status" className={status?.error ? 'text-problem' : 'muted'}>
            {status?.text}
          </div>
        </div>
      </form>
    </section>
  );
}
