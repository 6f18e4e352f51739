import { useEffect, useState } from 'react';
import type { IsicCollectionChoice } from '../../../../shared/commands/isic';
import { useApi } from '../../api';

/** Checkboxes for the archive's collections; none checked means every image. */
export function CollectionPicker({
  connectionId,
  value,
  onChange,
}: {
  connectionId: string | undefined;
  value: number[];
  onChange(ids: number[]): void;
}) {
  const api = useApi();
  const [collections, setCollections] = useState<IsicCollectionChoice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  useEffect(() => {
    let live = true;
    setCollections(null);
    setError(null);
    api.call('isic.collections', connectionId ? { connectionId } : {}).then(
      (all) => live && setCollections(all),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, connectionId]);
  const shown = (collections ?? []).filter(
    (c) => !filter.trim() || `${c.id} ${c.name}`.toLowerCase().includes(filter.trim().toLowerCase()),
  );
  const toggle = (id: number, on: boolean) =>
    onChange(on ? [...value, id].sort((a, b) => a - b) : value.filter((v) => v !== id));
  return (
    <fieldset className="isic-fieldset">
      <legend>Collections</legend>
      {error && (
        <div role="alert" className="banner banner-error">
          {error}
        </div>
      )}
      {collections === null && !error && <p className="muted">Loading the archive’s collections…</p>}
      {collections && (
        <>
          <input
            className="input"
            type="search"
            aria-label="Filter collections"
            placeholder="Filter collections by name or id"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          <div className="isic-collections" role="group" aria-label="Collections to search">
            {shown.map((c) => (
              <label key={c.id} className="check">
                <input
                  type="checkbox"
                  checked={value.includes(c.id)}
                  onChange={(e) => toggle(c.id, e.target.checked)}
                />
                {c.name} <span className="muted">#{c.id}</span>
                {c.pinned && <span className="chip">pinned</span>}
                {!c.public && <span className="chip">private</span>}
              </label>
            ))}
            {shown.length === 0 && <p className="muted">No collection matches.</p>}
          </div>
          <p className="field-hint muted">
            {value.length === 0
              ? 'None chosen: the whole archive is searched.'
              : `An image in any of ${value.length} chosen collection${value.length === 1 ? '' : 's'} (${value.join(', ')}) matches.`}
          </p>
        </>
      )}
    </fieldset>
  );
}
