import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { CourierError } from '../../../../shared/errors';
import type { IsicImage } from './isicTypes';
import { writeFileAtomic } from './partialFiles';

/**
 * `metadata.csv`, `attribution.txt` and `licenses/{license}.txt` as isic-cli writes them
 * (reference/sources.md §1.2; isic_cli/cli/utils.py), each through a temporary file and a rename so a
 * crash leaves the previous file or none, never an empty one (isic-cli#19).
 */

export type IsicRecord = Pick<IsicImage, 'isic_id' | 'attribution' | 'copyright_license' | 'metadata'>;

/**
 * Where the records come from. A function is called once per pass (metadata.csv needs two: the
 * columns, then the rows), so records can stream from the ledger instead of sitting in memory.
 */
export type IsicRecordSource =
  readonly IsicRecord[] | (() => Iterable<IsicRecord> | AsyncIterable<IsicRecord>);

export const METADATA_BASE_COLUMNS = ['isic_id', 'attribution', 'copyright_license'] as const;
const ROWS_PER_CHUNK = 500;

async function* records(source: IsicRecordSource): AsyncGenerator<IsicRecord> {
  yield* typeof source === 'function' ? source() : source;
}

/** The base columns, then the sorted union of every acquisition and clinical key. */
export async function metadataColumns(source: IsicRecordSource): Promise<string[]> {
  const keys = new Set<string>();
  for await (const record of records(source)) {
    for (const key in record.metadata.acquisition) keys.add(key);
    for (const key in record.metadata.clinical) keys.add(key);
  }
  for (const base of METADATA_BASE_COLUMNS) keys.delete(base);
  return [...METADATA_BASE_COLUMNS, ...[...keys].sort()];
}

/** A value as Python's csv module writes it: str(value), with None as empty and booleans as True/False. */
export function pythonCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

function row(record: IsicRecord, columns: readonly string[]): string[] {
  const merged: Record<string, unknown> = {
    isic_id: record.isic_id,
    attribution: record.attribution,
    copyright_license: record.copyright_license,
    ...record.metadata.acquisition,
    ...record.metadata.clinical,
  };
  return columns.map((column) => pythonCell(merged[column]));
}

function csvText(rows: string[][]): string {
  // Python's csv.writer: CRLF after every row, quotes around fields holding , " CR or LF.
  return stringify(rows, { record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}

/** Writes metadata.csv atomically; returns the number of rows and the columns. */
export async function writeMetadataCsv(
  destPath: string,
  source: IsicRecordSource,
): Promise<{ rows: number; columns: string[] }> {
  const columns = await metadataColumns(source);
  let count = 0;
  async function* text(): AsyncGenerator<string> {
    yield csvText([columns]);
    let batch: string[][] = [];
    for await (const record of records(source)) {
      batch.push(row(record, columns));
      count++;
      if (batch.length >= ROWS_PER_CHUNK) {
        yield csvText(batch);
        batch = [];
      }
    }
    if (batch.length) yield csvText(batch);
  }
  await writeFileAtomic(destPath, text());
  return { rows: count, columns };
}

/**
 * Distinct attributions: most images first, then by name; `Anonymous` last — the order of isic-cli
 * and of the server's zip.
 */
export async function orderedAttributions(source: IsicRecordSource): Promise<string[]> {
  const counts = new Map<string, number>();
  for await (const record of records(source))
    counts.set(record.attribution, (counts.get(record.attribution) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a, na], [b, nb]) => {
      const anonymous = Number(a === 'Anonymous') - Number(b === 'Anonymous');
      if (anonymous !== 0) return anonymous;
      if (na !== nb) return nb - na;
      return a < b ? -1 : a > b ? 1 : 0;
    })
    .map(([name]) => name);
}

/** attribution.txt: the attributions separated by a blank line, no newline at the end (as isic-cli). */
export async function writeAttributionTxt(destPath: string, source: IsicRecordSource): Promise<string[]> {
  const attributions = await orderedAttributions(source);
  await writeFileAtomic(destPath, attributions.join('\n\n'));
  return attributions;
}

/** The distinct licences of the records, sorted. */
export async function licensesOf(source: IsicRecordSource): Promise<string[]> {
  const found = new Set<string>();
  for await (const record of records(source)) found.add(record.copyright_license);
  return [...found].sort();
}

/** licenses/{license}.txt for each licence, with the text `licenseText` fetches (the API's license-file). */
export async function writeLicenseFiles(
  licensesDir: string,
  licenses: Iterable<string>,
  licenseText: (license: string) => Promise<string>,
): Promise<string[]> {
  const written: string[] = [];
  for (const license of licenses) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(license)) {
      throw new CourierError({
        code: 'isic-bad-license',
        message: `The archive listed a licence name that cannot be a file name: ${JSON.stringify(license)}`,
      });
    }
    const file = path.join(licensesDir, `${license}.txt`);
    await writeFileAtomic(file, await licenseText(license));
    written.push(file);
  }
  return written;
}

/** All three, into `outDir`, as `isic image download` leaves them. */
export async function writeIsicOutputFiles(
  outDir: string,
  source: IsicRecordSource,
  licenseText: (license: string) => Promise<string>,
): Promise<{ metadataCsv: string; attributionTxt: string; licenseFiles: string[]; rows: number }> {
  const metadataCsv = path.join(outDir, 'metadata.csv');
  const attributionTxt = path.join(outDir, 'attribution.txt');
  const { rows } = await writeMetadataCsv(metadataCsv, source);
  await writeAttributionTxt(attributionTxt, source);
  const licenseFiles = await writeLicenseFiles(
    path.join(outDir, 'licenses'),
    await licensesOf(source),
    licenseText,
  );
  return { metadataCsv, attributionTxt, licenseFiles, rows };
}
