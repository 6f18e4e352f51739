import { useEffect, useState } from 'react';
import type { WikiConflict, WikiFilePreview } from '../../../../shared/commands/wiki';
import type { BatchSummary, ItemDetail } from '../../../../shared/domain';
import { useApi } from '../../api';
import './wiki.css';

function Preview({ file, caption }: { file: WikiFilePreview; caption: string }) {
  return (
    <figure>
      {file.image ? (
        <img src={file.image} alt={`${caption}: ${file.title}`} />
      ) : (
        <p className="muted">{file.note ?? 'No preview.'}</p>
      )}
      <figcaption>
        <strong>{caption}</strong>
        <br />
        {file.url ? (
          <a href={file.url} target="_blank" rel="noreferrer noopener">
            {file.title}
          </a>
        ) : (
          file.title
        )}
        {file.wiki && <span className="muted"> on {file.wiki}</span>}
      </figcaption>
    </figure>
  );
}

/** The file already on the wiki (duplicate, name taken, warning) beside the one this item would send. */
export function WikiConflictView({ detail }: { detail: ItemDetail; batch: BatchSummary }) {
  const api = useApi();
  const [conflict, setConflict] = useState<WikiConflict | null>(null);
  const [error, setError] = useState<string | null>(null);
  const itemId = detail.item.id;
  const version = detail.item.updatedAt;
  useEffect(() => {
    let live = true;
    setConflict(null);
    api.call('wiki.conflict', { itemId }).then(
      (c) => live && setConflict(c),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, itemId, version]);
  if (error)
    return (
      <div role="alert" className="banner banner-error">
        {error}
      </div>
    );
  if (!conflict)
    return (
      <p className="muted" aria-busy="true">
        Asking the wiki…
      </p>
    );
  return (
    <div className="wiki-conflict" role="group" aria-label="New file and the file on the wiki">
      <Preview file={conflict.newFile} caption="New file" />
      {conflict.existing.length === 0 ? (
        <p className="muted">The wiki names no conflicting file.</p>
      ) : (
        conflict.existing.map((f) => (
          <Preview key={`${f.wiki}-${f.title}`} file={f} caption="Already on the wiki" />
        ))
      )}
    </div>
  );
}
