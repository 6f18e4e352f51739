import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticated } from './emulatorAuth';
import type { EmulatorFaults } from './emulatorFaults';
import type { XnatEmulatorState } from './emulatorState';

export interface EmulatorConfig {
  storageDir: string | null;
  zipCompression: 'deflate' | 'store';
  checksums: boolean;
}

/** Everything a route handler needs for one request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** The request path, query excluded, as received (still encoded). */
  rawPath: string;
  query: URLSearchParams;
  auth: Authenticated;
  state: XnatEmulatorState;
  faults: EmulatorFaults;
  config: EmulatorConfig;
}

/** An answer that ends a request early (404, 403, 409...). Its message becomes the plain-text body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  type = 'text/plain;charset=UTF-8',
): void {
  const body = Buffer.from(text);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendText(res, status, JSON.stringify(value), 'application/json;charset=UTF-8');
}

/** Consumes and discards a request body, so the connection can be kept alive. */
export function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    req.on('end', resolve);
    req.on('close', resolve);
    req.on('error', resolve);
    req.resume();
  });
}

export type Row = Record<string, string>;

/**
 * A listing in XNAT's JSON table shape: `{"ResultSet":{"Result":[…],"totalRecords":"N","title":…}}`, every
 * value a string; `columns=` picks columns (unknown ones are a 400); `format=csv` gives CSV.
 */
export function sendResultSet(
  ctx: RequestContext,
  rows: Row[],
  options: { defaults: string[]; known: string[]; title?: string; uri?: boolean },
): void {
  const requested = ctx.query.get('columns');
  let columns = options.defaults;
  if (requested) {
    columns = requested
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const unknown = columns.filter((c) => !options.known.includes(c));
    if (unknown.length > 0) throw new HttpError(400, `Unknown column(s): ${unknown.join(', ')}`);
  }
  if (options.uri && !columns.includes('URI')) columns = [...columns, 'URI'];
  const format = ctx.query.get('format');
  if (format === 'csv') {
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const lines = [
      columns.join(','),
      ...rows.map((row) => columns.map((c) => quote(row[c] ?? '')).join(',')),
    ];
    sendText(ctx.res, 200, lines.join('\n') + '\n', 'text/csv;charset=UTF-8');
    return;
  }
  requireJson(ctx);
  const result = rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? ''])));
  sendJson(ctx.res, 200, {
    ResultSet: {
      Result: result,
      totalRecords: String(result.length),
      ...(options.title ? { title: options.title } : {}),
    },
  });
}

/** The emulator speaks JSON only when asked (`format=json`); other representations are not emulated. */
export function requireJson(ctx: RequestContext): void {
  const format = ctx.query.get('format');
  if (format !== 'json') {
    throw new HttpError(
      406,
      format
        ? `format=${format} is not available here; ask for format=json`
        : 'No format requested; this server answers REST reads with format=json',
    );
  }
}

/** Single-object JSON, as `GET /data/projects/P?format=json` answers. */
export function sendItem(
  ctx: RequestContext,
  xsiType: string,
  dataFields: Record<string, string>,
  children: { field: string; items: unknown[] }[] = [],
): void {
  requireJson(ctx);
  sendJson(ctx.res, 200, {
    items: [
      {
        children,
        meta: {
          create_event_id: 1,
          'xsi:type': xsiType,
          isHistory: false,
          start_date: new Date().toString(),
        },
        data_fields: dataFields,
      },
    ],
  });
}

export function booleanParam(query: URLSearchParams, name: string): boolean {
  return (query.get(name) ?? '').toLowerCase() === 'true';
}
