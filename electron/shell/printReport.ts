// Print to PDF in the desktop app: an HTML report rendered in a hidden, locked-down window, printed to
// an A4 PDF beside it and opened in the system's PDF viewer.
import { randomBytes } from 'node:crypto';
import { realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BrowserWindow, session, shell } from 'electron';
import type { Session } from 'electron';
import type { ReportPdf } from '../../shared/commands/reports';
import { CourierError } from '../../shared/errors';
import { reportsDir } from '../engine/appPaths';
import {
  isAllowedReportRequest,
  REPORT_PDF_PARTITION,
  reportPdfOptions,
  reportPrintJob,
  reportWindowOptions,
} from './reportPdf';

let prepared: Session | undefined;

/** The report windows' session: every permission refused, every request outside the reports folder cancelled. */
async function reportSession(dataDir: string): Promise<Session> {
  if (prepared) return prepared;
  const folder = await realpath(reportsDir(dataDir));
  const s = session.fromPartition(REPORT_PDF_PARTITION);
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.webRequest.onBeforeRequest((details, callback) =>
    callback({ cancel: !isAllowedReportRequest(details.url, folder) }),
  );
  prepared = s;
  return s;
}

/**
 * Prints the HTML report `fileName` (in the data folder's `reports/`) to an A4 PDF beside it, then opens
 * the PDF in the system's viewer, or shows it in its folder when no viewer opens it.
 */
export async function printReportToPdf(dataDir: string, fileName: string): Promise<ReportPdf> {
  const job = await reportPrintJob(dataDir, fileName);
  await reportSession(dataDir);
  const window = new BrowserWindow(reportWindowOptions());
  const contents = window.webContents;
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // Written under another name and renamed: a half-written PDF is never left under the report's name.
  const partial = `${job.pdf}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await window.loadFile(job.html);
    const pdf = await contents.printToPDF(reportPdfOptions());
    await writeFile(partial, pdf, { flag: 'wx' });
    await rename(partial, job.pdf);
  } catch (err) {
    await rm(partial, { force: true });
    throw new CourierError({
      code: 'pdf-failed',
      message: `The PDF of ${fileName} could not be made: ${err instanceof Error ? err.message : String(err)}`,
      cause: err,
    });
  } finally {
    window.destroy();
  }
  const { size } = await stat(job.pdf);
  const problem = await shell.openPath(job.pdf);
  if (problem) shell.showItemInFolder(job.pdf);
  return { path: job.pdf, fileName: basename(job.pdf), bytes: size, opened: problem === '' };
}
