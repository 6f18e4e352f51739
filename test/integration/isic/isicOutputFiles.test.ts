import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupPartialFiles,
  createIsicClient,
  METADATA_BASE_COLUMNS,
  orderedAttributions,
  writeAttributionTxt,
  writeIsicOutputFiles,
  writeMetadataCsv,
  type IsicClient,
  type IsicImage,
  type IsicRecord,
} from '../../../electron/engine/clients/isic';
import { LICENSE_TEXTS, startIsicFixture, type IsicFixture } from '../../servers/isic';

let fixture: IsicFixture;
let client: IsicClient;
let images: IsicImage[];
let dir: string;

beforeAll(async () => {
  fixture = await startIsicFixture({ images: 250 });
  client = createIsicClient({ apiUrl: fixture.apiUrl });
  images = [];
  for await (const page of client.search()) images.push(...page.images);
});
afterAll(() => fixture.close());
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'isic-output-'));
});
afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

const pythonish = (v: unknown) => (v === true ? 'True' : v === false ? 'False' : v == null ? '' : String(v));

describe('metadata.csv, attribution.txt and licenses/ as isic-cli writes them', () => {
  it('writes all three from the listed images', async () => {
    const out = await writeIsicOutputFiles(dir, images, (license) => client.licenseText(license));
    expect(out.rows).toBe(250);

    const csv = await fsp.readFile(path.join(dir, 'metadata.csv'), 'utf8');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n')).toHaveLength(252); // header, 250 rows, '' after the last CRLF
    const rows = parse(csv, { relax_column_count: false }) as string[][];
    const header = rows[0]!;
    const keys = new Set(
      images.flatMap((i) => [...Object.keys(i.metadata.acquisition), ...Object.keys(i.metadata.clinical)]),
    );
    expect(header).toEqual([...METADATA_BASE_COLUMNS, ...[...keys].sort()]);
    rows.slice(1).forEach((row, n) => {
      const img = images[n]!;
      const merged: Record<string, unknown> = { ...img.metadata.acquisition, ...img.metadata.clinical };
      expect(row[0]).toBe(img.isic_id);
      expect(row[1]).toBe(img.attribution);
      expect(row[2]).toBe(img.copyright_license);
      header.slice(3).forEach((column, k) => expect(row[k + 3]).toBe(pythonish(merged[column])));
    });
    // Python's csv: quotes only where needed, booleans as True/False, missing values empty.
    expect(csv).toContain('"ViDIR Group, Department of Dermatology, Medical University of Vienna"');
    expect(csv).toMatch(/,True,|,False,/);
    expect(csv).toContain('Hospital Clínic de Barcelona');

    const attribution = await fsp.readFile(path.join(dir, 'attribution.txt'), 'utf8');
    const names = attribution.split('\n\n');
    expect(attribution.endsWith('\n')).toBe(false);
    expect(new Set(names)).toEqual(new Set(images.map((i) => i.attribution)));
    expect(names[names.length - 1]).toBe('Anonymous');
    const count = (name: string) => images.filter((i) => i.attribution === name).length;
    for (let k = 1; k < names.length - 1; k++)
      expect(count(names[k - 1]!)).toBeGreaterThanOrEqual(count(names[k]!));

    const licenses = (await fsp.readdir(path.join(dir, 'licenses'))).sort();
    expect(licenses).toEqual([...new Set(images.map((i) => `${i.copyright_license}.txt`))].sort());
    for (const file of licenses) {
      expect(await fsp.readFile(path.join(dir, 'licenses', file), 'utf8')).toBe(
        LICENSE_TEXTS[file.slice(0, -4)],
      );
    }
    expect((await fsp.readdir(dir)).filter((n) => n.startsWith('.isic-partial'))).toEqual([]);
  });

  it('orders attributions by image count, then name, Anonymous last', async () => {
    const rec = (attribution: string): IsicRecord => ({
      isic_id: 'ISIC_0000001',
      attribution,
      copyright_license: 'CC-0',
      metadata: { acquisition: {}, clinical: {} },
    });
    const records = ['B', 'Anonymous', 'Anonymous', 'Anonymous', 'A', 'C', 'C'].map(rec);
    expect(await orderedAttributions(records)).toEqual(['C', 'A', 'B', 'Anonymous']);
    await writeAttributionTxt(path.join(dir, 'attribution.txt'), records);
    expect(await fsp.readFile(path.join(dir, 'attribution.txt'), 'utf8')).toBe('C\n\nA\n\nB\n\nAnonymous');
  });

  it('streams records from a function (two passes) instead of holding them', async () => {
    let passes = 0;
    const { rows, columns } = await writeMetadataCsv(path.join(dir, 'metadata.csv'), async function* () {
      passes++;
      for (const img of images.slice(0, 10)) yield img;
    });
    expect({ rows, passes }).toEqual({ rows: 10, passes: 2 });
    expect(columns.slice(0, 3)).toEqual(['isic_id', 'attribution', 'copyright_license']);
  });

  it('keeps the previous metadata.csv when the records fail half-way', async () => {
    const dest = path.join(dir, 'metadata.csv');
    await writeMetadataCsv(dest, images.slice(0, 3));
    const before = await fsp.readFile(dest, 'utf8');
    let pass = 0;
    await expect(
      writeMetadataCsv(dest, function* () {
        pass++;
        for (const [n, img] of images.entries()) {
          if (pass === 2 && n === 200) throw new Error('ledger went away');
          yield img;
        }
      }),
    ).rejects.toThrow('ledger went away');
    expect(await fsp.readFile(dest, 'utf8')).toBe(before);
    expect((await fsp.readdir(dir)).sort()).toEqual(['metadata.csv']);
  });

  it('never leaves an empty or partial metadata.csv when the process is killed while writing', async () => {
    const dest = path.join(dir, 'metadata.csv');
    await fsp.writeFile(dest, 'isic_id\r\nISIC_0000000\r\n');
    const script = fileURLToPath(new URL('./crashWhileWritingMetadata.ts', import.meta.url));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', script, dest, '20000', '15000'], (error) =>
        resolve((error as { signal?: NodeJS.Signals } | null)?.signal ?? null),
      );
    });
    expect(signal).toBe('SIGKILL');
    // The old file is intact; the killed writer's temp file is all that is left, and a cleanup removes it.
    expect(await fsp.readFile(dest, 'utf8')).toBe('isic_id\r\nISIC_0000000\r\n');
    const partials = (await fsp.readdir(dir)).filter((n) => n.startsWith('.isic-partial.'));
    expect(partials).toHaveLength(1);
    expect((await fsp.stat(path.join(dir, partials[0]!))).size).toBeGreaterThan(0);
    expect(await cleanupPartialFiles(dir, { anyProcess: true })).toBe(1);
    expect(await fsp.readdir(dir)).toEqual(['metadata.csv']);
  });

  it('refuses a licence name that cannot be a file name', async () => {
    const bad: IsicRecord = { ...images[0]!, copyright_license: '../evil' };
    await expect(writeIsicOutputFiles(dir, [bad], async () => 'x')).rejects.toMatchObject({
      code: 'isic-bad-license',
    });
  });
});
