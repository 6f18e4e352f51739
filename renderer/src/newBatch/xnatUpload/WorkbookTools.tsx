import { useState } from 'react';
import type { UploaderConfig } from '../../../../shared/commands/xnatUpload';
import { useApi } from '../../api';

/** Import the Configuration sheet of an xnatuploader workbook, or export the form as one. */
export function WorkbookTools({
  config,
  onImport,
}: {
  config: () => UploaderConfig;
  onImport(config: UploaderConfig, path: string): void;
}) {
  const api = useApi();
  const [path, setPath] = useState('');
  const [replace, setReplace] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ text: await work(), error: false });
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };
  const importIt = () =>
    run(async () => {
      const read = await api.call('xnatUpload.readWorkbook', { path: path.trim() });
      onImport(read, path.trim());
      return `Read the Configuration sheet of ${path.trim()}.`;
    });
  const exportIt = () =>
    run(async () => {
      const written = await api.call('xnatUpload.writeWorkbook', {
        path: path.trim(),
        config: config(),
        replace,
      });
      return `Wrote ${written.path}.`;
    });
  const download = () =>
    run(async () => {
      const { base64, fileName } = await api.call('xnatUpload.workbookBytes', { config: config() });
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const url = URL.createObjectURL(
        new Blob([bytes], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }),
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return `Downloaded ${fileName}.`;
    });
  return (
    <fieldset className="xu-section xu-workbook">
      <legend>xnatuploader workbook</legend>
      <div className="xu-row">
        <input
          className="input xu-cells-input"
          aria-label="Workbook path"
          placeholder="/data/uploads/xnatuploader.xlsx"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button
          type="button"
          className="button"
          disabled={busy || !path.trim()}
          onClick={() => void importIt()}
        >
          Import
        </button>
        <button
          type="button"
          className="button"
          disabled={busy || !path.trim()}
          onClick={() => void exportIt()}
        >
          Export
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void download()}>
          Download
        </button>
      </div>
      <label className="check small">
        <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace a
        workbook already at that path
      </label>
      {message && (
        <div
          role={message.error ? 'alert' : 'status'}
          className={message.error ? 'field-error' : 'muted small'}
        >
          {message.text}
        </div>
      )}
    </fieldset>
  );
}
