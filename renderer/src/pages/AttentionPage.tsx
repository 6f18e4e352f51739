import { useCallback, useEffect, useRef, useState } from 'react';
import { BULK_ACTIONS } from '../../../shared/commands/console';
import type { BulkAction } from '../../../shared/commands/console';
import type { AttentionGroup, BatchSummary, ItemRow } from '../../../shared/domain';
import type { OperatorAction } from '../../../shared/status';
import { useApi, useEngineEvent } from '../api';
import { ActionBar, describeResult } from '../components/ActionBar';
import { ItemDrawer } from '../components/ItemDrawer';
import '../components/console.css';

const PAGE = 50;
const isUrl = (v: string | null): v is string => v !== null && /^https?:\/\//i.test(v);

export function AttentionPage() {
  const api = useApi();
  const [groups, setGroups] = useState<AttentionGroup[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [drawer, setDrawer] = useState<{ itemId: number; batch: BatchSummary } | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const load = useCallback(() => {
    api.call('attention.summary', {}).then(setGroups, (e: Error) => setError(e.message));
  }, [api]);
  useEffect(load, [load]);
  useEngineEvent('batch.changed', load);
  useEngineEvent('batches.changed', load);

  const openItem = (item: ItemRow) => {
    opener.current = document.activeElement as HTMLElement | null;
    api.call('batches.get', { batchId: item.batchId }).then(
      (batch) => setDrawer({ itemId: item.id, batch }),
      (e: Error) => setError(e.message),
    );
  };
  const closeDrawer = () => {
    setDrawer(null);
    opener.current?.focus();
  };

  return (
    <section aria-labelledby="attention-title" className="page attention-page">
      <div className="attention-main">
        <header className="page-head">
          <h1 id="attention-title">Attention</h1>
        </header>
        <p className="muted">
          Files that wait for a person, grouped by reason. Decide for a whole group, for the files you tick,
          or file by file; every decision is recorded with its time and note.
        </p>
        {error && (
          <div role="alert" className="banner banner-error">
            {error}
          </div>
        )}
        {groups?.length === 0 && <div className="empty">Nothing needs attention.</div>}
        <ul className="attention-list" aria-label="Attention groups">
          {groups?.map((g) => (
            <AttentionCard key={`${g.batchId}-${g.reason}`} group={g} onOpen={openItem} />
          ))}
        </ul>
      </div>
      {drawer && <ItemDrawer itemId={drawer.itemId} batch={drawer.batch} onClose={closeDrawer} />}
    </section>
  );
}

function AttentionCard({ group: g, onOpen }: { group: AttentionGroup; onOpen(item: ItemRow): void }) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [rows, setRows] = useState<ItemRow[]>([]);
  const [total, setTotal] = useState(0);
  const [limit, setLimit] = useState(PAGE);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const label = `${g.reason} in ${g.batchName}`;

  const loadRows = useCallback(() => {
    api.call('attention.items', { batchId: g.batchId, reason: g.reason, offset: 0, limit }).then(
      (r) => {
        setRows(r.rows);
        setTotal(r.total);
        setSelected((s) => new Set([...s].filter((id) => r.rows.some((row) => row.id === id))));
      },
      (e: Error) => setNotice(e.message),
    );
  }, [api, g.batchId, g.reason, limit]);
  useEffect(() => {
    if (open) loadRows();
  }, [open, loadRows]);
  useEngineEvent('batch.changed', (p) => {
    if (open && p.batchId === g.batchId) loadRows();
  });

  const groupActions = g.actions.filter((a): a is BulkAction =>
    (BULK_ACTIONS as readonly string[]).includes(a),
  );
  const runGroup = async (action: OperatorAction, note?: string): Promise<string> => {
    if (selected.size > 0) {
      const r = await api.call('items.decide', {
        batchId: g.batchId,
        itemIds: [...selected],
        action,
        ...(note ? { note } : {}),
      });
      setSelected(new Set());
      return describeResult(r.applied, r.refused.length, r.refused[0]?.reason);
    }
    const r = await api.call('items.decideMatching', {
      batchId: g.batchId,
      filter: { statuses: ['attention'], reason: g.reason },
      action: action as BulkAction,
      ...(note ? { note } : {}),
    });
    return describeResult(r.applied, r.notAllowed);
  };
  const runItem =
    (item: ItemRow) =>
    async (action: OperatorAction, note?: string, newName?: string): Promise<string> => {
      if (action === 'open-in-browser') {
        const url = isUrl(item.target) ? item.target : isUrl(item.path) ? item.path : null;
        if (url) window.open(url, '_blank', 'noopener');
      }
      const r = await api.call('items.decide', {
        batchId: g.batchId,
        itemIds: [item.id],
        action,
        ...(note ? { note } : {}),
        ...(newName ? { newName } : {}),
      });
      return describeResult(r.applied, r.refused.length, r.refused[0]?.reason);
    };

  const subject =
    selected.size > 0 ? `${selected.size} ticked files of ${label}` : `all ${g.count} files of ${label}`;
  return (
    <li className="attention-card attention-group" aria-label={`${label}: ${g.count} files`}>
      <div className="attention-top">
        <div>
          <div className="attention-reason">{g.reason}</div>
          <div className="muted">
            {g.batchName} · {g.sampleMessage}
          </div>
        </div>
        <div className="attention-side">
          <span className="attention-count" aria-label={`${g.count} files`}>
            {g.count.toLocaleString()}
          </span>
          <a
            className="button small"
            href={`#/batches/${g.batchId}?status=attention`}
            aria-label={`Open in ${g.batchName}: ${g.count} files needing ${g.reason}`}
          >
            Open in {g.batchName}
          </a>
          <button
            type="button"
            className="button small"
            aria-expanded={open}
            onClick={() => setOpen((o) => !o)}
            aria-label={`${open ? 'Hide files' : 'Show files'} of ${label}`}
          >
            {open ? 'Hide files' : 'Show files'}
          </button>
        </div>
      </div>
      {groupActions.length > 0 && (
        <div className="group-actions">
          <span className="muted small">
            {selected.size > 0 ? `${selected.size} ticked:` : 'Whole group:'}
          </span>
          <ActionBar
            subject={subject}
            actions={groupActions}
            onRun={async (a, note) => {
              const m = await runGroup(a, note);
              setNotice(m);
              return m;
            }}
          />
        </div>
      )}
      {notice && (
        <div role="status" className="banner">
          {notice}
        </div>
      )}
      {open && (
        <ul className="attention-items" aria-label={`Files of ${label}`}>
          {rows.map((item) => (
            <li key={item.id} className="attention-item">
              <input
                type="checkbox"
                checked={selected.has(item.id)}
                aria-label={`Tick ${item.name}`}
                onChange={(e) =>
                  setSelected((s) => {
                    const next = new Set(s);
                    if (e.target.checked) next.add(item.id);
                    else next.delete(item.id);
                    return next;
                  })
                }
              />
              <div className="attention-item-main">
                <button
                  type="button"
                  className="link-button item-name"
                  onClick={() => onOpen(item)}
                  aria-label={`Details of ${item.name}`}
                >
                  {item.name}
                </button>
                <div className="muted small">{item.message}</div>
              </div>
              <ActionBar
                subject={item.name}
                actions={item.actions}
                onRun={runItem(item)}
                currentName={item.name}
              />
            </li>
          ))}
          {rows.length < total && (
            <li>
              <button type="button" className="button small" onClick={() => setLimit((l) => l + PAGE)}>
                Show more ({(total - rows.length).toLocaleString()} left)
              </button>
            </li>
          )}
        </ul>
      )}
    </li>
  );
}
