import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../electron/engine/engine';
import type { ItemRecord } from '../../../electron/engine/ledger/rows';
import { DEFAULT_CONFIG, writeConfigurationWorkbook } from '../../../electron/engine/reports/xnatWorkbook';
import { runListingPass } from '../../../electron/engine/sources/dicomFolder/listingPass';
import { configFromWorkbook } from '../../../electron/engine/sources/dicomFolder/sourceConfig';
import { BASIC_TEXT_SR_STORAGE, brokenDicom, writeDicomFile } from '../../fixtures/dicomFactory';
import { DEFAULT_USER } from '../../servers/xnat/index';
import { pollUntil } from '../../support/poll';

export const FAST_BACKOFF = { baseMs: 5, capMs: 40, maxRetryAfterMs: 200 };

export interface TreeFile {
  rel: string;
  path: string;
  md5: string;
  subject: string;
  date: string;
  series: string;
}

/**
 * A tree laid out as xnatuploader's README shows: `Name-ID/YYYYMMDD/Dataset/scanNNNN.dcm`. Each subject
 * has `visits` study dates and `datasets` series per visit, `files` images per series.
 */
export function makeTree(
  root: string,
  spec: { subjects: number; visits?: number; datasets?: number; files: number; pixelBytes?: number },
): TreeFile[] {
  const out: TreeFile[] = [];
  let series = 0;
  for (let s = 0; s < spec.subjects; s++) {
    const id = String(1000 + s);
    for (let v = 0; v < (spec.visits ?? 1); v++) {
      const date = `20${20 + v}0${(s % 9) + 1}15`;
      for (let d = 0; d < (spec.datasets ?? 1); d++) {
        series++;
        const dataset = d === 0 ? 'Head CT' : `Series ${d}`;
        const dir = join(root, `DOE^PATIENT${s}-${id}`, date, dataset);
        mkdirSync(dir, { recursive: true });
        for (let f = 0; f < spec.files; f++) {
          const name = `scan${String(f).padStart(4, '0')}.dcm`;
          const path = join(dir, name);
          writeDicomFile(path, {
            pixelBytes: spec.pixelBytes ?? 2048 + f * 2,
            tags: {
              StudyDate: date,
              SeriesNumber: String(series),
              SeriesDescription: dataset,
              SOPInstanceUID: `1.2.826.0.1.3680043.10.543.${series}.${f}`,
              PatientID: id,
            },
          });
          out.push({
            rel: `DOE^PATIENT${s}-${id}/${date}/${dataset}/${name}`,
            path,
            md5: createHash('md5').update(readFileSync(path)).digest('hex'),
            subject: id,
            date,
            series: String(series),
          });
        }
      }
    }
  }
  return out;
}

/**
 * A folder (`root/data`) of `subjects × datasets × files` DICOM files laid out for the default patterns,
 * big enough that its scan runs for seconds: one file from the DICOM factory per subject, linked under
 * every name (no disk space; a file system allows only so many names for one file). Returns the count.
 */
export function bigFolder(root: string, spec: { subjects: number; datasets: number; files: number }): number {
  mkdirSync(root, { recursive: true });
  let made = 0;
  for (let s = 0; s < spec.subjects; s++) {
    const original = join(root, `original-${s}.dcm`);
    writeDicomFile(original, { tags: { StudyDate: '20200115', SeriesNumber: '1' } });
    for (let d = 0; d < spec.datasets; d++) {
      const folder = join(root, 'data', `DOE^PATIENT${s}-${2000 + s}`, '20200115', `Series ${d}`);
      mkdirSync(folder, { recursive: true });
      for (let f = 0; f < spec.files; f++, made++) linkSync(original, join(folder, `scan${f}.dcm`));
    }
  }
  return made;
}

/** Files a scan must keep out: not DICOM, damaged, a structured report, an encapsulated PDF, a dose page. */
export function addProblemFiles(
  root: string,
  subjectDir: string,
): { notDicom: string; corrupt: string; report: string; pdf: string; dose: string; unmatched: string } {
  const dir = join(root, subjectDir, '20200101', 'Extras');
  mkdirSync(dir, { recursive: true });
  const files = {
    notDicom: join(dir, 'notes.dcm'),
    corrupt: join(dir, 'truncated.dcm'),
    report: join(dir, 'report.dcm'),
    pdf: join(dir, 'letter.dcm'),
    dose: join(dir, 'dose.dcm'),
    unmatched: join(root, 'README.txt'),
  };
  writeFileSync(files.notDicom, brokenDicom('text'));
  writeFileSync(files.corrupt, brokenDicom('truncated-header'));
  writeDicomFile(files.report, {
    tags: { Modality: 'SR', SOPClassUID: BASIC_TEXT_SR_STORAGE, StudyDate: '20200101' },
  });
  writeDicomFile(files.pdf, {
    encapsulatedDocumentBytes: 300,
    tags: { MIMETypeOfEncapsulatedDocument: 'application/pdf', StudyDate: '20200101' },
  });
  writeDicomFile(files.dose, { tags: { ImageType: 'DERIVED\\SECONDARY\\DOSE_INFO', StudyDate: '20200101' } });
  writeFileSync(files.unmatched, 'not an image');
  return files;
}

export function openEngine(dir: string, backoff = FAST_BACKOFF): Engine {
  return new Engine({
    dbFile: join(dir, 'ledger.sqlite'),
    dataDir: dir,
    mode: 'cli',
    backoff,
    credentials: () => Promise.resolve({ user: DEFAULT_USER.username, password: DEFAULT_USER.password }),
  });
}

/** Writes a workbook with xnatuploader's default configuration, pointing at `server` / `project`. */
export async function writeWorkbook(path: string, server: string, project: string): Promise<void> {
  await writeConfigurationWorkbook(path, {
    ...DEFAULT_CONFIG,
    xnat: { ...DEFAULT_CONFIG.xnat, Server: server, Project: project },
  });
}

/** A batch scanned from `dir` with the default configuration (pass 1 done), ready to upload. */
export async function scannedBatch(
  engine: Engine,
  options: {
    dir: string;
    workbook: string;
    server: string;
    project?: string;
    includeUnmatched?: boolean;
    name?: string;
    target?: Record<string, unknown>;
    concurrency?: number;
  },
): Promise<number> {
  const batch = engine.ledger.batches.create({
    name: options.name ?? 'upload',
    sourceKind: 'dicom-folder',
    sourceConfig: configFromWorkbook(DEFAULT_CONFIG, {
      dir: options.dir,
      workbook: options.workbook,
      includeUnmatched: options.includeUnmatched ?? false,
    }),
    targetKind: 'xnat',
    targetConfig: { server: options.server, project: options.project ?? 'P1', ...options.target },
    settings: { concurrency: options.concurrency ?? 4 },
  });
  await runListingPass(engine.ledger, engine.adapters, batch.id);
  return batch.id;
}

export function items(engine: Engine, batchId: number): ItemRecord[] {
  return engine.ledger.db
    .prepare('SELECT * FROM items WHERE batch_id = ? ORDER BY seq')
    .all(batchId) as ItemRecord[];
}

export function itemByName(engine: Engine, batchId: number, suffix: string): ItemRecord {
  const found = items(engine, batchId).find((i) => i.name.endsWith(suffix));
  if (!found) throw new Error(`no item ending ${suffix}`);
  return found;
}

/** Polls a condition driven by another process or server (not a fixed sleep: it returns as soon as it holds). */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  if (!(await pollUntil(condition, timeoutMs))) throw new Error(`timed out waiting for ${what}`);
}
