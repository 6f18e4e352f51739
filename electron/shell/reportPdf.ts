// Print to PDF in the desktop app, the parts without a window: which file may be printed, where the PDF
// goes, how the hidden window is locked down and which print options are used. Plain data and functions,
// so tests check them without an Electron binary.
import { realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserWindowConstructorOptions, PrintToPDFOptions } from 'electron';
import { REPORT_FILE_NAME } from '../../shared/commands/reports';
import { CourierError } from '../../shared/errors';
import { reportsDir } from '../engine/appPaths';

/** The in-memory session of the hidden report windows: nothing shared with the app's own windows. */
export const REPORT_PDF_PARTITION = 'courier-report-pdf';

/** A4 like the report's own `@page` rule, with its backgrounds (status colours, the chart) printed. */
export function reportPdfOptions(): PrintToPDFOptions {
  return {
    pageSize: 'A4',
    landscape: false,
    printBackground: true,
    preferCSSPageSize: true,
    displayHeaderFooter: false,
  };
}

/**
 * The hidden window a report is printed from: never shown, sandboxed, no preload and no Node, no script
 * (the report has none), its own throw-away session.
 */
export function reportWindowOptions(): BrowserWindowConstructorOptions {
  return {
    show: false,
    width: 900,
    height: 1270,
    webPreferences: {
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      javascript: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      partition: REPORT_PDF_PARTITION,
    },
  };
}

export interface ReportPrintJob {
  /** The HTML report, inside the data folder's `reports/`. */
  html: string;
  /** The PDF to write beside it. */
  pdf: string;
}

function refuse(code: string, message: string): CourierError {
  return new CourierError({ code, message });
}

/**
 * The HTML report named `fileName` in the data folder's `reports/` and the PDF beside it. Refuses any
 * other file: a name with folders in it, another type, a file that is missing or that a link takes
 * outside `reports/`.
 */
export async function reportPrintJob(dataDir: string, fileName: string): Promise<ReportPrintJob> {
  if (!REPORT_FILE_NAME.test(fileName) || !fileName.toLowerCase().endsWith('.html')) {
    throw refuse('not-a-report', `'${fileName}' is not the name of an HTML report.`);
  }
  const folder = reportsDir(dataDir);
  const dir = await realpath(folder).catch(() => null);
  const html = dir ? await realpath(join(dir, fileName)).catch(() => null) : null;
  if (!dir || !html) throw refuse('report-not-found', `There is no report ${fileName} in ${folder}.`);
  if (dirname(html) !== dir || !(await stat(html)).isFile()) {
    throw refuse('not-a-report', `${fileName} in ${folder} is not a report file written by Imaging Courier.`);
  }
  return { html, pdf: join(dir, `${fileName.slice(0, -'.html'.length)}.pdf`) };
}

/**
 * Whether the hidden window may load `url`: a report file directly inside `reportsFolder` (already
 * resolved), and the images embedded in it. Nothing from the network, no other file.
 */
export function isAllowedReportRequest(url: string, reportsFolder: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'data:') return true;
  if (parsed.protocol !== 'file:' || parsed.search !== '' || parsed.host !== '') return false;
  let file: string;
  try {
    file = fileURLToPath(parsed);
  } catch {
    return false;
  }
  const rel = relative(reportsFolder, file);
  return rel !== '' && !rel.includes(sep) && rel !== '..' && rel.toLowerCase().endsWith('.html');
}
