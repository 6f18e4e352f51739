// Child process for isicOutputFiles.test.ts: writes metadata.csv from a stream of records and kills
// itself with SIGKILL half-way through the rows, the harshest crash (no exit handlers run).
import { writeMetadataCsv, type IsicRecord } from '../../../electron/engine/clients/isic';

const [dest, total, killAt] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];

function record(i: number): IsicRecord {
  return {
    isic_id: `ISIC_${String(i).padStart(7, '0')}`,
    attribution: 'Memorial Sloan Kettering Cancer Center',
    copyright_license: 'CC-0',
    metadata: {
      acquisition: { pixels_x: 1000 + i, image_type: 'dermoscopic' },
      clinical: { age_approx: 50, diagnosis_1: 'Benign', notes: 'x'.repeat(200) },
    },
  };
}

let pass = 0;
await writeMetadataCsv(dest, function* () {
  pass++;
  for (let i = 0; i < total; i++) {
    if (pass === 2 && i === killAt) process.kill(process.pid, 'SIGKILL');
    yield record(i);
  }
});
