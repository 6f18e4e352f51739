// Print to PDF in the desktop app: the parts that need no Electron binary (which report may be printed,
// where the PDF goes, the hidden window's lockdown, the print options, and the routing of the command).
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine';
import { dispatch } from '../../../electron/engine/host/dispatch';
import { registerCommands } from '../../../electron/shell/commandRouting';
import type { InvokeEventLike, IpcResult } from '../../../electron/shell/commandRouting';
import {
  isAllowedReportRequest,
  REPORT_PDF_PARTITION,
  reportPdfOptions,
  reportPrintJob,
  reportWindowOptions,
} from '../../../electron/shell/reportPdf';
import { CourierError } from '../../../shared/errors';
import { tempDir } from '../../support/tempDir';

const dir = tempDir('courier-report-pdf-');
const data = join(dir.path, 'data');
const reports = join(data, 'reports');
const REPORT = 'ward_7-1-20260102-101500.html';

beforeAll(() => {
  mkdirSync(reports, { recursive: true });
  writeFileSync(join(reports, REPORT), '<!doctype html><title>r</title>');
  writeFileSync(join(reports, 'ward_7-1-20260102-101500.csv'), 'path\n');
  writeFileSync(join(data, 'ledger.sqlite'), '');
  writeFileSync(join(dir.path, 'outside.html'), '<p>not a report</p>');
  symlinkSync(join(dir.path, 'outside.html'), join(reports, 'sneaky.html'));
  mkdirSync(join(reports, 'folder.html'));
});
afterAll(() => dir.cleanup());

async function refused(fileName: string): Promise<string> {
  const err = await reportPrintJob(data, fileName).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CourierError);
  return (err as CourierError).code;
}

describe('which report may be printed', () => {
  it('an HTML report in the data folder’s reports/, printed to a PDF beside it', async () => {
    await expect(reportPrintJob(data, REPORT)).resolves.toEqual({
      html: join(reports, REPORT),
      pdf: join(reports, 'ward_7-1-20260102-101500.pdf'),
    });
  });

  it.each([
    ['a path out of the folder', '../ledger.sqlite', 'not-a-report'],
    ['a path with a folder', 'sub/x.html', 'not-a-report'],
    ['an absolute path', join(dir.path, 'outside.html'), 'not-a-report'],
    ['a Windows path', '..\\outside.html', 'not-a-report'],
    ['another type of report', 'ward_7-1-20260102-101500.csv', 'not-a-report'],
    ['a hidden name', '.html', 'not-a-report'],
    ['a report that is not there', 'missing-1-20260102-101500.html', 'report-not-found'],
    ['a link leading out of reports/', 'sneaky.html', 'not-a-report'],
    ['a folder named like a report', 'folder.html', 'not-a-report'],
  ])('refuses %s', async (_label, fileName, code) => {
    expect(await refused(fileName)).toBe(code);
  });

  it('says there is no report when the data folder has no reports yet', async () => {
    const empty = join(dir.path, 'empty-data');
    mkdirSync(empty);
    const err = await reportPrintJob(empty, REPORT).catch((e: unknown) => e);
    expect((err as CourierError).message).toBe(`There is no report ${REPORT} in ${join(empty, 'reports')}.`);
  });
});

describe('the hidden window and the print', () => {
  it('is never shown, sandboxed, without Node, preload or script, in its own session', () => {
    const options = reportWindowOptions();
    expect(options.show).toBe(false);
    expect(options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      javascript: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      partition: REPORT_PDF_PARTITION,
    });
    expect(options.webPreferences?.preload).toBeUndefined();
    // Not persisted: a partition name without "persist:" lives in memory only.
    expect(REPORT_PDF_PARTITION.startsWith('persist:')).toBe(false);
  });

  it('prints A4 with the report’s backgrounds, following its @page rule', () => {
    expect(reportPdfOptions()).toEqual({
      pageSize: 'A4',
      landscape: false,
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: false,
    });
  });

  it('loads only report files directly in reports/ and the images embedded in them', () => {
    const ok = pathToFileURL(join(reports, REPORT)).href;
    expect(isAllowedReportRequest(ok, reports)).toBe(true);
    expect(isAllowedReportRequest('data:image/svg+xml;base64,PHN2Zy8+', reports)).toBe(true);
    for (const url of [
      pathToFileURL(join(data, 'ledger.sqlite')).href,
      pathToFileURL(join(reports, 'ward_7-1-20260102-101500.csv')).href,
      pathToFileURL(join(reports, 'sub', 'x.html')).href,
      `${ok}?x=1`,
      'file://remote-host/share/r.html',
      'https://example.org/tracker.png',
      'http://127.0.0.1:8080/',
      'app://courier/index.html',
      'not a url',
    ]) {
      expect(isAllowedReportRequest(url, reports), url).toBe(false);
    }
  });
});

describe('routing Print to PDF', () => {
  type Listener = (event: InvokeEventLike, args: unknown) => Promise<unknown>;
  const trusted: InvokeEventLike = { sender: { id: 1 }, senderFrame: { url: 'app://courier/index.html' } };

  function host(printed: string[]) {
    const handlers = new Map<string, Listener>();
    const forwarded: string[] = [];
    registerCommands(
      { handle: (channel, listener) => handlers.set(channel, listener) },
      {
        isTrusted: (e) => e.sender.id === 1,
        forward: (command) => {
          forwarded.push(command);
          return Promise.resolve({ ok: true, value: 'from the engine' });
        },
        shellHandlers: {
          'reports.printPdf': async ({ fileName }) => {
            if (fileName.startsWith('broken')) throw new CourierError({ code: 'pdf-failed', message: 'no' });
            printed.push(fileName);
            return { path: `/r/${fileName}.pdf`, fileName: `${fileName}.pdf`, bytes: 1, opened: true };
          },
        },
      },
    );
    const call = (channel: string, args: unknown, event = trusted) =>
      handlers.get(`courier:${channel}`)!(event, args) as Promise<IpcResult>;
    return { call, forwarded };
  }

  it('is answered by the shell after the arguments are checked; other commands go to the engine', async () => {
    const printed: string[] = [];
    const { call, forwarded } = host(printed);
    await expect(call('reports.printPdf', { fileName: REPORT })).resolves.toMatchObject({
      ok: true,
      value: { fileName: `${REPORT}.pdf`, opened: true },
    });
    await expect(call('reports.export', { batchId: 1, format: 'html' })).resolves.toEqual({
      ok: true,
      value: 'from the engine',
    });
    expect(forwarded).toEqual(['reports.export']);
    expect(printed).toEqual([REPORT]);
  });

  it('refuses bad names and strangers before printing, and reports a failed print by its code', async () => {
    const printed: string[] = [];
    const { call, forwarded } = host(printed);
    for (const fileName of ['../ledger.sqlite', '/etc/passwd', 'a.csv', '', 'x'.repeat(300) + '.html']) {
      await expect(call('reports.printPdf', { fileName })).resolves.toMatchObject({
        ok: false,
        error: { code: 'bad-arguments' },
      });
    }
    await expect(call('reports.printPdf', { fileName: REPORT, extra: 1 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'bad-arguments' },
    });
    const stranger = { sender: { id: 2 }, senderFrame: { url: 'https://evil.example/' } };
    await expect(call('reports.printPdf', { fileName: REPORT }, stranger)).resolves.toMatchObject({
      ok: false,
      error: { code: 'untrusted-sender' },
    });
    await expect(call('reports.printPdf', { fileName: 'broken-1.html' })).resolves.toEqual({
      ok: false,
      error: { code: 'pdf-failed', message: 'no' },
    });
    expect(printed).toEqual([]);
    expect(forwarded).toEqual([]);
  });

  it('outside the desktop app, the engine says where printing is done', async () => {
    const engine = new Engine({ dbFile: join(data, 'ledger-web.sqlite'), dataDir: data, mode: 'web' });
    try {
      await expect(dispatch(engine, 1, 'reports.printPdf', { fileName: REPORT })).resolves.toMatchObject({
        ok: false,
        error: { code: 'desktop-only', message: expect.stringContaining('Print → Save as PDF') },
      });
    } finally {
      await engine.close();
    }
  });
});
