import { z } from 'zod';
import { xnatUnexpected } from './xnatErrors';
import type { XnatRequest, XnatSession } from './xnatSession';
import type { CourierError } from '../../../../shared/errors';

const resultSetSchema = z.object({
  ResultSet: z.object({
    Result: z.array(z.record(z.string(), z.unknown())),
    totalRecords: z.union([z.string(), z.number()]).optional(),
  }),
});

const itemsSchema = z.object({
  items: z
    .array(
      z.object({
        data_fields: z.record(z.string(), z.unknown()),
        meta: z.object({ 'xsi:type': z.string().optional(), isHistory: z.boolean().optional() }).optional(),
      }),
    )
    .min(1),
});

/** One row of an XNAT listing; XNAT sends every value as a string, and so do these rows. */
export type XnatRow = Record<string, string>;

export interface XnatItem {
  xsiType: string;
  fields: XnatRow;
}

/** GETs a listing (`format=json`) and returns `ResultSet.Result` with every value as a string. */
export async function getRows(
  session: XnatSession,
  request: Omit<XnatRequest, 'method'>,
  notFound?: () => CourierError,
): Promise<XnatRow[]> {
  const json = await getJson(session, request, notFound);
  const parsed = resultSetSchema.safeParse(json);
  if (!parsed.success) throw xnatUnexpected(request.what, 'no ResultSet.Result in the JSON listing');
  return parsed.data.ResultSet.Result.map(stringRow);
}

/** GETs one object (`format=json`): the current (non-history) item's `data_fields` and its xsi:type. */
export async function getItem(
  session: XnatSession,
  request: Omit<XnatRequest, 'method'>,
  notFound?: () => CourierError,
): Promise<XnatItem> {
  const json = await getJson(session, request, notFound);
  const parsed = itemsSchema.safeParse(json);
  if (!parsed.success) throw xnatUnexpected(request.what, 'no items[].data_fields in the JSON answer');
  const items = parsed.data.items;
  const item = items.find((i) => i.meta?.isHistory !== true) ?? items[0];
  return { xsiType: item?.meta?.['xsi:type'] ?? '', fields: stringRow(item?.data_fields ?? {}) };
}

async function getJson(
  session: XnatSession,
  request: Omit<XnatRequest, 'method'>,
  notFound?: () => CourierError,
): Promise<unknown> {
  const response = await session.send({
    ...request,
    method: 'GET',
    query: { ...request.query, format: 'json' },
  });
  if (response.status !== 200) throw await session.failure(response, request.what, notFound);
  const text = await session.readText(response, request.what);
  if (/^\s*</.test(text)) throw xnatUnexpected(request.what, 'an HTML page instead of JSON');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw xnatUnexpected(request.what, 'JSON that does not parse');
  }
}

function stringRow(row: Record<string, unknown>): XnatRow {
  const out: XnatRow = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] =
      value === null || value === undefined
        ? ''
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  }
  return out;
}
