import { useId, useState } from 'react';
import type { OperatorAction } from '../../../shared/status';

export const ACTION_LABEL: Record<OperatorAction, string> = {
  retry: 'Retry',
  skip: 'Skip',
  approve: 'Approve',
  rename: 'Rename',
  'mark-done': 'Mark done',
  convert: 'Convert',
  'open-in-browser': 'Open in browser',
};

export interface ActionBarProps {
  /** What the decisions apply to, for the controls' accessible names ("3 selected files", "IM_0001.dcm"). */
  subject: string;
  actions: readonly OperatorAction[];
  /** Runs a decision; resolves with a sentence for the operator. */
  onRun(action: OperatorAction, note: string | undefined, newName?: string): Promise<string>;
  /** The current name, offered when renaming. */
  currentName?: string;
  busyLabel?: string;
}

/** The decisions possible for one file or many, with an optional note recorded with each. */
export function ActionBar({ subject, actions, onRun, currentName }: ActionBarProps) {
  const [note, setNote] = useState('');
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState(currentName ?? '');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const noteId = useId();
  const run = (action: OperatorAction, name?: string) => {
    setBusy(true);
    onRun(action, note.trim() || undefined, name)
      .then(
        (m) => {
          setMessage(m);
          setNote('');
          setRenaming(false);
        },
        (e: Error) => setMessage(e.message),
      )
      .finally(() => setBusy(false));
  };
  return (
    <div className="action-bar">
      <div className="action-row">
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            className={`button small ${a === 'retry' || a === 'approve' ? 'primary' : ''}`.trim()}
            disabled={busy}
            aria-label={`${ACTION_LABEL[a]} ${subject}`}
            aria-expanded={a === 'rename' ? renaming : undefined}
            onClick={() => (a === 'rename' ? setRenaming((r) => !r) : run(a))}
          >
            {ACTION_LABEL[a]}
            {a === 'rename' ? '…' : ''}
          </button>
        ))}
        <input
          id={noteId}
          className="note-input"
          type="text"
          placeholder="Note (optional)"
          aria-label={`Note for the decision on ${subject}`}
          value={note}
          maxLength={2000}
          onChange={(e) => setNote(e.target.value)}
        />
      </div>
      {renaming && (
        <form
          className="action-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (newName.trim()) run('rename', newName.trim());
          }}
        >
          <input
            type="text"
            className="note-input wide"
            aria-label={`New name for ${subject}`}
            value={newName}
            onChange={(e) => setNewName(e.target.value)}
            autoFocus
          />
          <button type="submit" className="button small primary" disabled={busy || !newName.trim()}>
            Save name
          </button>
        </form>
      )}
      {message && (
        <div role="status" className="action-message">
          {message}
        </div>
      )}
    </div>
  );
}

/** One sentence for the result of a decision over several files. */
export function describeResult(applied: number, notAllowed: number, firstReason?: string): string {
  const files = (n: number) => `${n.toLocaleString()} file${n === 1 ? '' : 's'}`;
  if (applied === 0)
    return `Nothing changed: ${firstReason ?? 'the decision is not possible for these files'}.`;
  return notAllowed > 0
    ? `Done for ${files(applied)}; not possible for ${files(notAllowed)}${firstReason ? ` (${firstReason})` : ''}.`
    : `Done for ${files(applied)}.`;
}
