import { useState } from 'react';
import type { FormEvent } from 'react';
import { TextField } from '../components/Field';
import type { NewBatchFlow } from './flow';
import { useCreateBatch } from './useCreateBatch';

function lastSegment(path: string): string {
  return (
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? path
  );
}

/** Copies every file of a folder to another folder, keeping the tree; digests are compared. */
function CopyFolderForm() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [name, setName] = useState('');
  const [start, setStart] = useState(true);
  const { create, busy, error } = useCreateBatch();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create({
      name: name.trim() || `Copy of ${lastSegment(from.trim())}`,
      source: { kind: 'folder', config: { dir: from.trim() } },
      target: { kind: 'folder', config: { dir: to.trim() } },
      start,
    });
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Copy a folder">
      <TextField
        label="Folder to copy"
        value={from}
        onChange={setFrom}
        required
        placeholder="/data/incoming"
        hint="A folder on this computer; every file below it is copied."
      />
      <TextField
        label="Destination folder"
        value={to}
        onChange={setTo}
        required
        placeholder="/data/archive"
        hint="Created when missing. A file already there with the same content is not copied again."
      />
      <TextField
        label="Batch name"
        value={name}
        onChange={setName}
        placeholder={from ? `Copy of ${lastSegment(from)}` : 'Copy of …'}
      />
      <label className="check">
        <input type="checkbox" checked={start} onChange={(e) => setStart(e.target.checked)} /> Start at once
      </label>
      {error && (
        <div role="alert" className="banner banner-error">
          {error}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy || !from.trim() || !to.trim()}>
          {busy ? 'Creating…' : 'Create batch'}
        </button>
      </div>
    </form>
  );
}

export const copyFolderFlow: NewBatchFlow = {
  id: 'copy-folder',
  title: 'Copy a folder',
  summary: 'Local folder → local folder, every file verified by its digest.',
  Component: CopyFolderForm,
};
