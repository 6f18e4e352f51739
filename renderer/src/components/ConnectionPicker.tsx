import { useEffect, useState } from 'react';
import type { Connection, ConnectionKind } from '../../../shared/commands/connections';
import { useApi } from '../api';
import { hrefOf } from '../route';
import { Field } from './Field';

const KIND_NAMES: Record<ConnectionKind, string> = {
  xnat: 'XNAT server',
  mediawiki: 'wiki',
  isic: 'ISIC Archive',
};

/** Chooses one saved connection of a kind; connections are added and tested in Settings. */
export function ConnectionPicker({
  kind,
  value,
  onChange,
  label,
}: {
  kind: ConnectionKind;
  value: Connection | null;
  onChange(connection: Connection | null): void;
  label?: string;
}) {
  const api = useApi();
  const [connections, setConnections] = useState<Connection[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.call('connections.list', {}).then(
      (all) => {
        const mine = all.filter((c) => c.kind === kind);
        setConnections(mine);
        if (!value && mine.length === 1) onChange(mine[0]!);
      },
      (e: Error) => setError(e.message),
    );
    // Loaded once per kind; `value` and `onChange` only pick the single connection at first.
  }, [api, kind]);
  const noun = KIND_NAMES[kind];
  return (
    <Field
      label={label ?? `Connection (${noun})`}
      error={error}
      hint={
        <>
          {connections?.length === 0 ? `No ${noun} is saved yet. ` : ''}
          <a href={hrefOf({ page: 'settings' })}>Add or test connections in Settings</a>
        </>
      }
    >
      {(props) => (
        <select
          {...props}
          className="input"
          value={value?.id ?? ''}
          onChange={(e) => onChange(connections?.find((c) => c.id === e.target.value) ?? null)}
        >
          <option value="">{connections === null ? 'Loading…' : `Choose a ${noun}…`}</option>
          {connections?.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label} — {c.url}
              {c.kind !== 'isic' && c.password === 'none' ? ' (no password)' : ''}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
