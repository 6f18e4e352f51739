import { useEffect, useId, useRef, useState } from 'react';
import type { ReportFile, ReportFormat } from '../../../shared/commands/reports';
import type { BatchSummary } from '../../../shared/domain';
import { useApi } from '../api';
import './ReportMenu.css';

const CHOICES: { format: ReportFormat; label: string; hint: string }[] = [
  { format: 'csv', label: 'CSV', hint: 'every file, for spreadsheets and scripts' },
  { format: 'xlsx', label: 'XLSX', hint: 'every file, as an Excel workbook' },
  { format: 'json', label: 'JSON', hint: 'every file with its metadata' },
  { format: 'html', label: 'HTML', hint: 'summary report, to keep or print' },
];

/** Where the web host serves a written report (see the engine's report download route). */
function reportUrl(file: ReportFile, download: boolean): string {
  return `reports/${encodeURIComponent(file.fileName)}${download ? '?download=1' : ''}`;
}

/**
 * The batch page's Report button: writes the batch as CSV, XLSX, JSON or an HTML report into the data
 * folder's `reports/` and, in web mode, downloads it or opens the HTML report in a new tab for printing
 * (the browser's own Print); in the desktop app, Print to PDF makes an A4 PDF beside the HTML report.
 */
export function ReportMenu({ batch }: { batch: BatchSummary }) {
  const api = useApi();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean; file?: ReportFile } | null>(null);
  const [web, setWeb] = useState(true);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    api.call('app.info', {}).then(
      (info) => setWeb(info.mode === 'web'),
      () => undefined,
    );
  }, [api]);

  useEffect(() => {
    if (!open) return;
    panel.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const onPointer = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  // Desktop app: the shell renders the HTML report in a hidden window, prints it to a PDF beside it and opens it.
  const printPdf = async () => {
    setBusy('pdf');
    setMessage(null);
    try {
      const file = await api.call('reports.export', { batchId: batch.id, format: 'html' });
      const pdf = await api.call('reports.printPdf', { fileName: file.fileName });
      setMessage({
        text: `The PDF report of ${batch.name} was saved as ${pdf.path}${pdf.opened ? ' and opened' : '; its folder is shown'}.`,
        error: false,
      });
      setOpen(false);
    } catch (e) {
      setMessage({
        text: `The PDF report of ${batch.name} could not be made: ${(e as Error).message}`,
        error: true,
      });
    } finally {
      setBusy(null);
    }
  };

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const run = async (format: ReportFormat, openInTab: boolean) => {
    // A tab opened now, while the click still counts as the person's gesture, is not blocked as a pop-up.
    const tab = openInTab && web ? window.open('', '_blank') : null;
    if (tab) tab.opener = null;
    setBusy(openInTab ? 'open' : format);
    setMessage(null);
    try {
      const file = await api.call('reports.export', { batchId: batch.id, format });
      const what = format === 'html' ? 'HTML report' : `${format.toUpperCase()} export`;
      if (web && tab) {
        tab.location.href = new URL(reportUrl(file, false), location.href).href;
        setMessage({
          text: `The ${what} opened in a new tab; print it from there (Print → Save as PDF).`,
          error: false,
          file,
        });
      } else if (web) {
        const a = document.createElement('a');
        a.href = reportUrl(file, true);
        a.download = file.fileName;
        document.body.append(a);
        a.click();
        a.remove();
        setMessage({
          text: `The ${what} of ${batch.name} is downloading (${file.fileName}).`,
          error: false,
          file,
        });
      } else {
        setMessage({ text: `The ${what} of ${batch.name} was saved as ${file.path}.`, error: false, file });
      }
      setOpen(false);
    } catch (e) {
      tab?.close();
      setMessage({
        text: `The report of ${batch.name} could not be written: ${(e as Error).message}`,
        error: true,
      });
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="report-menu">
      <button
        ref={button}
        type="button"
        className="button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={`Report of ${batch.name}`}
        onClick={() => setOpen((o) => !o)}
      >
        Report <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div
          ref={panel}
          id={panelId}
          className="report-panel"
          role="group"
          aria-label={`Report formats for ${batch.name}`}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
          }}
        >
          {CHOICES.map((c) => (
            <button
              key={c.format}
              type="button"
              className="report-choice"
              disabled={busy !== null}
              onClick={() => void run(c.format, false)}
            >
              <strong>{busy === c.format ? 'Writing…' : `${web ? 'Download' : 'Save'} ${c.label}`}</strong>
              <span className="muted">{c.hint}</span>
            </button>
          ))}
          {web ? (
            <button
              type="button"
              className="report-choice report-open"
              disabled={busy !== null}
              onClick={() => void run('html', true)}
            >
              <strong>{busy === 'open' ? 'Writing…' : 'Open HTML report'}</strong>
              <span className="muted">in a new tab, to read and print</span>
            </button>
          ) : (
            <button
              type="button"
              className="report-choice report-open"
              disabled={busy !== null}
              onClick={() => void printPdf()}
            >
              <strong>{busy === 'pdf' ? 'Printing…' : 'Print to PDF'}</strong>
              <span className="muted">the summary report as an A4 PDF, opened when ready</span>
            </button>
          )}
        </div>
      )}
      <div role="status" className="report-status">
        {message && (
          <span className={message.error ? 'text-problem' : 'muted'}>
            {message.text}{' '}
            {message.file && web && (
              <a
                href={reportUrl(message.file, message.file.format !== 'html')}
                target="_blank"
                rel="noreferrer"
              >
                {message.file.format === 'html' ? 'Open again' : 'Download again'}
              </a>
            )}
          </span>
        )}
      </div>
    </div>
  );
}
