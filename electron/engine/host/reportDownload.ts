import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { REPORT_FILE_NAME } from '../../../shared/commands/reports';
import { reportsDir } from '../commands/reports';

const REPORT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Web mode: a report written by `reports.export`, from the data folder's `reports/` only (one plain file
 * name, no folders). The caller has already checked the token. HTML opens in the browser (to read and
 * print) under a policy that allows no script or request; `?download=1` and the other formats download.
 */
export async function serveReport(
  dataDir: string,
  path: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const name = path.slice('/reports/'.length);
  const type = REPORT_TYPES[extname(name).toLowerCase()];
  if (!REPORT_FILE_NAME.test(name) || !type) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  const file = join(reportsDir(dataDir), name);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  const inline = type.startsWith('text/html') && url.searchParams.get('download') !== '1';
  res.writeHead(200, {
    'content-type': type,
    'content-length': String(info.size),
    'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${name}"`,
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox allow-modals",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
