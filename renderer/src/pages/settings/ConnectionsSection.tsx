import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { Connection, ConnectionKind, ConnectionTest } from '../../../../shared/commands/connections';
import { useApi } from '../../api';
import { Field, TextField } from '../../components/Field';
import { TestOutcome } from '../../components/TestOutcome';

const KINDS: { kind: ConnectionKind; name: string; urlHint: string; placeholder: string }[] = [
  {
    kind: 'xnat',
    name: 'XNAT server',
    urlHint: 'The address of the XNAT site, as in the browser (without /data).',
    placeholder: 'https://xnat.example.org',
  },
  {
    kind: 'mediawiki',
    name: 'Wiki (MediaWiki)',
    urlHint: 'The wiki’s api.php address. For a bot password, the user name is “Name@BotName”.',
    placeholder: 'https://commons.example.org/w/api.php',
  },
  {
    kind: 'isic',
    name: 'ISIC Archive',
    urlHint: 'The API’s address; the public archive needs no login.',
    placeholder: 'https://api.isic-archive.com/api/v2/',
  },
];

const PASSWORD_STATE: Record<Connection['password'], string> = {
  saved: 'password saved (encrypted)',
  'this-session': 'password kept until the app closes',
  none: 'no password',
};

interface Draft {
  id?: string;
  kind: ConnectionKind;
  label: string;
  url: string;
  username: string;
  password: string;
}

const EMPTY: Draft = { kind: 'xnat', label: '', url: '', username: '', password: '' };

/** Saved XNAT servers, wikis and ISIC Archive addresses: add, edit, test, delete. */
export function ConnectionsSection() {
  const api = useApi();
  const [connections, setConnections] = useState<Connection[] | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, ConnectionTest | 'testing'>>({});

  const reload = useCallback(() => {
    api.call('connections.list', {}).then(setConnections, (e: Error) => setError(e.message));
  }, [api]);
  useEffect(reload, [reload]);

  const test = (id: string) => {
    setTests((t) => ({ ...t, [id]: 'testing' }));
    api.call('connections.test', { id }).then(
      (result) => setTests((t) => ({ ...t, [id]: result })),
      (e: Error) => setTests((t) => ({ ...t, [id]: { ok: false, message: e.message, details: {} } })),
    );
  };
  const remove = (c: Connection) => {
    if (
      !window.confirm(`Delete the connection “${c.label}”? Batches that use ${c.url} will ask for a login.`)
    )
      return;
    api.call('connections.delete', { id: c.id }).then(reload, (e: Error) => setError(e.message));
  };
  const save = async (d: Draft) => {
    setError(null);
    try {
      const saved = await api.call('connections.save', {
        id: d.id,
        kind: d.kind,
        label: d.label,
        url: d.url,
        username: d.username,
        // Editing with an empty password field keeps the saved one.
        password: d.password === '' && d.id ? undefined : d.password,
      });
      setDraft(null);
      reload();
      test(saved.id);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section aria-labelledby="connections-title" className="settings-section">
      <div className="section-head">
        <h2 id="connections-title">Connections</h2>
        {!draft && (
          <button type="button" className="button" onClick={() => setDraft({ ...EMPTY })}>
            Add connection
          </button>
        )}
      </div>
      {error && (
        <div role="alert" className="banner banner-error">
          {error}
        </div>
      )}
      {connections?.length === 0 && !draft && (
        <p className="muted">No connections yet. Add the XNAT servers and wikis you deliver to.</p>
      )}
      <ul className="connection-list" aria-label="Saved connections">
        {connections?.map((c) => {
          const result = tests[c.id];
          return (
            <li key={c.id} className="connection">
              <div className="connection-main">
                <strong>{c.label}</strong>{' '}
                <span className="muted">
                  {KINDS.find((k) => k.kind === c.kind)?.name} · {c.url}
                  {c.username ? ` · ${c.username}` : ''}
                  {c.kind !== 'isic' ? ` · ${PASSWORD_STATE[c.password]}` : ''}
                </span>
                {result && <TestOutcome result={result} pending="Testing…" />}
              </div>
              <div className="connection-actions">
                <button
                  type="button"
                  className="button small"
                  aria-label={`Test ${c.label}`}
                  disabled={result === 'testing'}
                  onClick={() => test(c.id)}
                >
                  Test
                </button>
                <button
                  type="button"
                  className="button small"
                  aria-label={`Edit ${c.label}`}
                  onClick={() => setDraft({ ...c, password: '' })}
                >
                  Edit
                </button>
                <button
                  type="button"
                  className="button small danger"
                  aria-label={`Delete ${c.label}`}
                  onClick={() => remove(c)}
                >
                  Delete
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      {draft && <ConnectionForm draft={draft} onCancel={() => setDraft(null)} onSave={save} />}
    </section>
  );
}

function ConnectionForm({
  draft,
  onSave,
  onCancel,
}: {
  draft: Draft;
  onSave(d: Draft): Promise<void>;
  onCancel(): void;
}) {
  const [d, setD] = useState(draft);
  const [busy, setBusy] = useState(false);
  const kind = KINDS.find((k) => k.kind === d.kind)!;
  const set = (patch: Partial<Draft>) => setD((old) => ({ ...old, ...patch }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    void onSave(d).finally(() => setBusy(false));
  };
  return (
    <form
      className="form connection-form"
      onSubmit={submit}
      aria-label={d.id ? 'Edit connection' : 'New connection'}
    >
      <Field label="Kind">
        {(props) => (
          <select
            {...props}
            className="input"
            value={d.kind}
            disabled={d.id !== undefined}
            onChange={(e) => set({ kind: e.target.value as ConnectionKind })}
          >
            {KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <TextField
        label="Name"
        value={d.label}
        onChange={(label) => set({ label })}
        required
        placeholder="Research XNAT"
      />
      <TextField
        label="Address (URL)"
        type="url"
        value={d.url}
        onChange={(url) => set({ url })}
        required
        placeholder={kind.placeholder}
        hint={kind.urlHint}
      />
      {d.kind !== 'isic' && (
        <>
          <TextField
            label="User name"
            value={d.username}
            onChange={(username) => set({ username })}
            autoComplete="username"
          />
          <TextField
            label="Password"
            type="password"
            value={d.password}
            onChange={(password) => set({ password })}
            autoComplete="new-password"
            hint={
              d.id
                ? 'Leave empty to keep the saved password.'
                : 'Stored encrypted by the desktop app; in web mode it is kept only until the app closes.'
            }
          />
        </>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save and test'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
