import { useCallback, useEffect, useRef, useState } from 'react';
import type { ItemPreview } from '../../../shared/commands/console';
import type { BatchSummary, ItemDetail } from '../../../shared/domain';
import type { OperatorAction } from '../../../shared/status';
import { useApi, useEngineEvent } from '../api';
import { formatBytes } from '../format';
import { ITEM_EXTRAS } from '../itemExtras';
import { ActionBar, describeResult } from './ActionBar';
import { StatusBadge } from './StatusBadge';
import './console.css';

const isUrl = (v: unknown): v is string => typeof v === 'string' && /^https?:\/\//i.test(v);

/** Nested metadata as dotted keys and printable values. */
function flatten(value: unknown, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value) && value.some((v) => v && typeof v === 'object')) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else {
    out.push([prefix, value]);
  }
  return out;
}

function Value({ value }: { value: unknown }) {
  if (isUrl(value))
    return (
      <a href={value} target="_blank" rel="noreferrer noopener">
        {value}
      </a>
    );
  if (value === null || value === undefined) return <span className="muted">—</span>;
  return <>{Array.isArray(value) ? value.join(', ') : String(value)}</>;
}

/** The first web address the item points to: its path (web sources), its target, or one in its metadata. */
export function itemUrl(detail: ItemDetail): string | null {
  const { item } = detail;
  if (isUrl(item.target)) return item.target;
  if (isUrl(item.path)) return item.path;
  const fromMeta = flatten(item.meta).find(([, v]) => isUrl(v));
  return fromMeta ? (fromMeta[1] as string) : null;
}

/** A file's details beside the table: metadata, target, preview, decisions and its whole history. */
export function ItemDrawer({
  itemId,
  batch,
  onClose,
}: {
  itemId: number;
  batch: BatchSummary;
  onClose(): void;
}) {
  const api = useApi();
  const [detail, setDetail] = useState<ItemDetail | null>(null);
  const [preview, setPreview] = useState<ItemPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  const load = useCallback(() => {
    api.call('items.detail', { itemId }).then(
      (d) => {
        setDetail(d);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [api, itemId]);
  useEffect(() => {
    setDetail(null);
    setPreview(null);
    load();
    api
      .call('items.preview', { itemId })
      .then(setPreview, (e: Error) => setPreview({ kind: 'none', reason: e.message }));
  }, [api, itemId, load]);
  useEffect(() => closeRef.current?.focus(), [itemId]);
  useEngineEvent('batch.changed', (p) => {
    if (p.batchId === batch.id && (p.changed === 'many' || p.changed.includes(itemId))) load();
  });

  const decide = async (action: OperatorAction, note?: string, newName?: string): Promise<string> => {
    if (action === 'open-in-browser' && detail) {
      const url = itemUrl(detail);
      if (url) window.open(url, '_blank', 'noopener');
    }
    const r = await api.call('items.decide', {
      batchId: batch.id,
      itemIds: [itemId],
      action,
      ...(note ? { note } : {}),
      ...(newName ? { newName } : {}),
    });
    load();
    return describeResult(r.applied, r.refused.length, r.refused[0]?.reason);
  };

  const item = detail?.item;
  const url = detail ? itemUrl(detail) : null;
  return (
    <div
      className="drawer"
      role="dialog"
      aria-modal="false"
      aria-labelledby="drawer-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="drawer-head">
        <h2 id="drawer-title" title={item?.path}>
          {item ? item.name : 'File details'}
        </h2>
        <button
          ref={closeRef}
          type="button"
          className="button small"
          onClick={onClose}
          aria-label="Close details"
        >
          ✕
        </button>
      </header>
      {error && (
        <div role="alert" className="banner banner-error">
          {error}
        </div>
      )}
      {!detail && !error && <div className="muted">Loading…</div>}
      {item && detail && (
        <div className="drawer-body">
          <section aria-labelledby="drawer-facts">
            <h3 id="drawer-facts">File</h3>
            <dl className="facts">
              <dt>Status</dt>
              <dd>
                <StatusBadge status={item.status} /> {item.reason && <code>{item.reason}</code>}
              </dd>
              {item.message && (
                <>
                  <dt>Why</dt>
                  <dd>{item.message}</dd>
                </>
              )}
              <dt>Source</dt>
              <dd className="break">
                <Value value={item.path} />
              </dd>
              <dt>Target</dt>
              <dd className="break">
                {item.target ? <Value value={item.target} /> : <span className="muted">not sent yet</span>}
              </dd>
              {url && url !== item.target && url !== item.path && (
                <>
                  <dt>Link</dt>
                  <dd className="break">
                    <Value value={url} />
                  </dd>
                </>
              )}
              <dt>Group</dt>
              <dd>{item.group || <span className="muted">—</span>}</dd>
              <dt>Size</dt>
              <dd>{formatBytes(item.size) || <span className="muted">—</span>}</dd>
              <dt>Attempts</dt>
              <dd>{item.attempts}</dd>
              {item.sha1 && (
                <>
                  <dt>SHA-1</dt>
                  <dd className="break mono">{item.sha1}</dd>
                </>
              )}
              {item.md5 && (
                <>
                  <dt>MD5</dt>
                  <dd className="break mono">{item.md5}</dd>
                </>
              )}
            </dl>
          </section>
          {item.actions.length > 0 && (
            <section aria-labelledby="drawer-decide">
              <h3 id="drawer-decide">Decide</h3>
              <ActionBar subject={item.name} actions={item.actions} onRun={decide} currentName={item.name} />
            </section>
          )}
          <section aria-labelledby="drawer-preview">
            <h3 id="drawer-preview">Preview</h3>
            <PreviewView preview={preview} name={item.name} />
          </section>
          {ITEM_EXTRAS.filter((x) => x.applies(detail, batch)).map((x) => (
            <section key={x.id} aria-label={x.title}>
              <h3>{x.title}</h3>
              <x.Component detail={detail} batch={batch} />
            </section>
          ))}
          {Object.keys(item.meta).length > 0 && (
            <section aria-labelledby="drawer-meta">
              <h3 id="drawer-meta">Metadata</h3>
              <dl className="facts">
                {flatten(item.meta).map(([k, v]) => (
                  <div key={k} className="fact-row">
                    <dt>{k}</dt>
                    <dd className="break">
                      <Value value={v} />
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          )}
          <section aria-labelledby="drawer-history">
            <h3 id="drawer-history">History ({detail.events.length})</h3>
            <ol className="history" aria-label="Event history">
              {detail.events.map((e) => (
                <li key={e.id} className={`history-item kind-${e.kind}`}>
                  <div className="history-line">
                    <time dateTime={new Date(e.at).toISOString()}>{new Date(e.at).toLocaleString()}</time>
                    <span className="history-kind">{e.kind}</span>
                    {e.status && <StatusBadge status={e.status} />}
                    {e.code && <code>{e.code}</code>}
                  </div>
                  {e.message && <div className="history-message">{e.message}</div>}
                  {e.data && Object.keys(e.data).length > 0 && (
                    <details>
                      <summary>Details</summary>
                      <pre>{JSON.stringify(e.data, null, 2)}</pre>
                    </details>
                  )}
                </li>
              ))}
            </ol>
          </section>
        </div>
      )}
    </div>
  );
}

function PreviewView({ preview, name }: { preview: ItemPreview | null; name: string }) {
  if (!preview) return <div className="muted">Loading the preview…</div>;
  if (preview.kind === 'image')
    return <img className="preview-image" src={preview.dataUrl} alt={`Preview of ${name}`} />;
  if (preview.kind === 'none') return <div className="muted">{preview.reason}</div>;
  return (
    <table className="dicom-table" aria-label={`DICOM header of ${name}`}>
      <thead>
        <tr>
          <th scope="col">Tag</th>
          <th scope="col">Keyword</th>
          <th scope="col">VR</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {preview.elements.map((el) => (
          <tr key={el.tag}>
            <td className="mono">{el.tag}</td>
            <td>{el.keyword}</td>
            <td className="mono">{el.vr}</td>
            <td className="break">{el.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
