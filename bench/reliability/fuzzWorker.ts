// Reads the headers of the files named on stdin (one path a line) with the scanner's header reader and
// guards, and answers one JSON line each: how the file was classified, or the exception that escaped.
import { createInterface } from 'node:readline';
import { CourierError } from '../../shared/errors';
import { SizedHeaderReader } from '../../electron/engine/sources/dicomFolder/fileDrafts';
import { classifyForUpload, DEFAULT_KEYWORDS } from '../../electron/engine/sources/folder/dicomHeader';

const reader = new SizedHeaderReader(DEFAULT_KEYWORDS);
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
lines.on('line', (path) => {
  let answer: { class: string; escaped?: string };
  try {
    const { fields } = reader.read(path);
    const guard = classifyForUpload(fields);
    answer = { class: guard.skip ? guard.code : 'readable' };
  } catch (error) {
    answer =
      error instanceof CourierError && error.message
        ? { class: error.code }
        : {
            class: 'escaped',
            escaped: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
});
