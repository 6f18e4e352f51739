// The generated DICOM tree and the pydicom baseline shared by bench/scan-headers.ts and bench/scan.ts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TransferSyntaxName } from '../test/fixtures/dicomFactory';
import { writeDicomFile } from '../test/fixtures/dicomFactory';

export interface GeneratedFile {
  path: string;
  headerBytes: number;
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

/**
 * xnatuploader's README layout: `NAME-ID/YYYYMMDD/Series/IMnnnnnn.dcm`, 100 images a series, 10 series
 * a subject. Pixel data is a sparse hole of 64–512 KiB (the files have their real sizes, without filling
 * the disk); only the header is ever read.
 */
export function generateDicomTree(root: string, count: number): GeneratedFile[] {
  const random = seededRandom(20_240_312);
  const files: GeneratedFile[] = [];
  for (let i = 0; i < count; i++) {
    const subject = Math.floor(i / 1000);
    const series = Math.floor(i / 100) % 10;
    const dir = join(root, `DOE^SUBJECT${subject}-${100000 + subject}`, '20200312', `Series ${series + 1}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    const roll = random();
    const transferSyntax: TransferSyntaxName =
      roll < 0.7 ? 'explicitLittle' : roll < 0.95 ? 'implicitLittle' : 'explicitBig';
    const headerBytes = 2048 + 2 * Math.floor(random() * 1024);
    const pixelBytes = 65_536 + 2 * Math.floor((random() * (512 * 1024 - 65_536)) / 2);
    const path = join(dir, `IM${String(i).padStart(6, '0')}.dcm`);
    const written = writeDicomFile(path, {
      transferSyntax,
      headerBytes,
      pixelBytes,
      pixelFill: 'sparse',
      tags: {
        SeriesNumber: String(series + 1),
        SeriesDescription: `Series ${series + 1}`,
        InstanceNumber: String(i % 100),
        PatientID: String(100000 + subject),
      },
    });
    files.push({ path, headerBytes: written.headerBytes });
  }
  return files;
}

const PYDICOM_SCRIPT = `
import json, sys, time
import pydicom
paths = open(sys.argv[1], encoding='utf-8').read().splitlines()
keys = ['Modality', 'SeriesNumber', 'StudyDescription', 'StudyDate', 'Manufacturer',
        'ManufacturerModelName', 'StationName', 'ImageType', 'EncapsulatedDocument']
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    for p in paths:
        ds = pydicom.dcmread(p, stop_before_pixels=True)
        values = [ds.get(k) for k in keys]
        if values[0] != 'CT':
            raise SystemExit('unexpected header in ' + p)
    times.append(time.perf_counter() - started)
print(json.dumps({'seconds': min(times), 'version': pydicom.__version__}))
`;

/** pydicom `dcmread(stop_before_pixels=True)` over the same files, best of two passes; undefined without pydicom. */
export function runPydicom(
  files: GeneratedFile[],
  listPath: string,
): { seconds: number; version: string } | undefined {
  const candidates = [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => !!c,
  );
  const python = candidates.find(
    (p) => spawnSync(p, ['-c', 'import pydicom'], { stdio: 'ignore' }).status === 0,
  );
  if (!python) return undefined;
  writeFileSync(listPath, files.map((f) => f.path).join('\n'));
  const run = spawnSync(python, ['-c', PYDICOM_SCRIPT, listPath, '2'], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`pydicom run failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { seconds: number; version: string };
}
