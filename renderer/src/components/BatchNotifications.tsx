import { useCallback, useEffect, useRef, useState } from 'react';
import type { StatusCounts } from '../../../shared/status';
import type { BatchState } from '../../../shared/status';
import { useApi, useEngineEvent } from '../api';
import { batchNotice } from './batchNotifications';
import type { BatchMoment } from './batchNotifications';

type Permission = NotificationPermission | 'unsupported';

function currentPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

function moment(name: string, state: BatchState, total: number, counts: StatusCounts): BatchMoment {
  return { name, state, total, done: counts.done, failed: counts.failed, attention: counts.attention };
}

/**
 * Desktop notifications when a batch finishes or starts needing attention. The browser's permission is
 * asked only when the operator presses the button, never on load.
 */
export function BatchNotifications() {
  const api = useApi();
  const [permission, setPermission] = useState<Permission>(currentPermission);
  const seen = useRef(new Map<number, BatchMoment>());

  const listed = useRef(false);

  // Batches are learnt from the list (at start, and when one is created); only later changes notify.
  const learn = useCallback(() => {
    void api.call('batches.list', {}).then((list) => {
      for (const b of list)
        if (!seen.current.has(b.id)) seen.current.set(b.id, moment(b.name, b.state, b.total, b.counts));
      listed.current = true;
    });
  }, [api]);
  useEffect(learn, [learn]);
  useEngineEvent('batches.changed', learn);
  useEngineEvent('batch.changed', (p) => {
    // A batch not in the list the app opened with was created since: it started from nothing.
    const before =
      seen.current.get(p.batchId) ??
      (listed.current ? moment('', 'idle', 0, { ...p.counts, done: 0, failed: 0, attention: 0 }) : undefined);
    const now = moment(before?.name ?? '', p.state, p.total, p.counts);
    seen.current.set(p.batchId, now);
    if (!batchNotice(p.batchId, before, now) || currentPermission() !== 'granted') return;
    const named = now.name
      ? Promise.resolve(now.name)
      : api.call('batches.get', { batchId: p.batchId }).then((b) => b.name);
    void named.then((name) => {
      now.name = name;
      const notice = batchNotice(p.batchId, before, now)!;
      const n = new Notification(notice.title, { body: notice.body, tag: notice.tag });
      n.onclick = () => {
        window.focus();
        location.hash = `#/batches/${p.batchId}`;
      };
    });
  });

  if (permission !== 'default') return null;
  return (
    <button
      type="button"
      className="button small notify-button"
      onClick={() => {
        void Notification.requestPermission().then(setPermission);
      }}
    >
      Turn on notifications
    </button>
  );
}
