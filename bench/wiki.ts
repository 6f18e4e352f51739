/**
 * Wiki upload benchmark: Courier's upload rate (a spreadsheet batch through the Engine and Runner, with the
 * SHA-1 pre-flight on a reference wiki and the ledger's bookkeeping) next to a bare sequential upload loop
 * with the same MediaWiki client, the same page texts and no checks, in the same run, against the same real
 * MediaWiki 1.39 (Debian's package, php -S with one worker, as the tests run it) and a reference "Commons".
 *
 *   npx tsx bench/wiki.ts               # 500 files
 *   BENCH_FILES=100 npx tsx bench/wiki.ts
 *
 * The files are split into rounds, and each round runs the variants in turn, so a wiki that slows as it
 * fills weighs on every variant alike. Env: BENCH_FILES, BENCH_ROUNDS (default 4), BENCH_BYTES (default
 * 2000). The last line printed is one JSON object with the figures.
 */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { mediawikiClient } from '../electron/engine/clients/mediawiki';
import { Engine } from '../electron/engine/engine';
import { startMediaWiki } from '../test/servers/mediawiki';
import type { MediaWikiServer } from '../test/servers/mediawiki';
import { writePng } from '../test/servers/mediawiki/pngFixture';
import { tempDir } from '../test/support/tempDir';
import { uploadComment, wikiFacts, wikiPageText } from '../shared/wikiPage';

const FILES = Number(process.env.BENCH_FILES ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const BYTES = Number(process.env.BENCH_BYTES ?? 2_000);

type Variant = 'baseline' | 'courier' | 'courierSequential';
const LABELS: Record<Variant, string> = {
  baseline: 'bare sequential upload loop (same client, no checks)',
  courier: 'Courier batch, concurrency 2 (the CLI default)',
  courierSequential: 'Courier batch, concurrency 1',
};

interface Totals {
  files: number;
  ms: number;
}

async function makeFiles(
  dir: string,
  variant: Variant,
  round: number,
  count: number,
  seed: number,
): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    files.push(await writePng(join(dir, `${variant}-${round}-${i}.png`), seed + i, BYTES));
  }
  return files;
}

function sheetRow(file: string, name: string, i: number): string {
  return `${file},${name} ${i},File ${i} of ${name},2024-01-01,Own work,Bench,CC-BY-4.0,Bench`;
}

/** The same page text and comment Courier sends for a row, made before the clock starts. */
function sameTexts(name: string, i: number, batch: number): { text: string; comment: string } {
  const facts = wikiFacts(
    {
      sheet: {
        description: `File ${i} of ${name}`,
        date: '2024-01-01',
        source: 'Own work',
        author: 'Bench',
        license: 'CC-BY-4.0',
        categories: ['Bench'],
      },
    },
    { title: `${name} ${i}.png`, batch },
  );
  return { text: wikiPageText(facts), comment: uploadComment(facts) };
}

async function baselineLoop(wiki: MediaWikiServer, files: string[], round: number): Promise<number> {
  const client = mediawikiClient({
    apiUrl: wiki.apiUrl,
    credentials: { user: wiki.botUser, password: wiki.botPassword },
  });
  await client.login();
  const name = `baseline ${round}`;
  const texts = files.map((_, i) => sameTexts(name, i, round + 1));
  const started = performance.now();
  for (const [i, file] of files.entries()) {
    const result = await client.upload({
      filename: `${name} ${i}.png`,
      filePath: file,
      ...texts[i]!,
    });
    if (result.result !== 'success') throw new Error(`baseline upload ${i} gave ${result.result}`);
  }
  return performance.now() - started;
}

async function courierBatch(
  engine: Engine,
  wiki: MediaWikiServer,
  reference: MediaWikiServer,
  dir: string,
  name: string,
  files: string[],
  concurrency: number,
): Promise<number> {
  const sheet = join(dir, `${name}.csv`);
  const rows = files.map((file, i) => sheetRow(file, name, i));
  await writeFile(sheet, ['path,name,description,date,source,author,license,categories', ...rows].join('\n'));
  const started = performance.now();
  const batch = engine.ledger.batches.create({
    name,
    sourceKind: 'sheet',
    sourceConfig: { file: sheet },
    targetKind: 'mediawiki',
    targetConfig: { api: wiki.apiUrl, checkApis: [reference.apiUrl] },
    settings: { concurrency },
  });
  await engine.runToEnd(batch.id);
  const ms = performance.now() - started;
  const counts = engine.ledger.counts(batch.id);
  if (counts.done !== files.length) throw new Error(`${name}: ${JSON.stringify(counts)}`);
  return ms;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

async function main(): Promise<void> {
  const dir = tempDir('courier-bench-wiki-');
  const [wiki, reference] = await Promise.all([
    startMediaWiki({ sitename: 'Bench target' }),
    startMediaWiki({ sitename: 'Bench Commons' }),
  ]);
  const engine = new Engine({
    dbFile: join(dir.path, 'ledger.sqlite'),
    dataDir: dir.path,
    mode: 'cli',
    credentials: async () => ({ user: wiki.botUser, password: wiki.botPassword }),
  });
  const totals: Record<Variant, Totals> = {
    baseline: { files: 0, ms: 0 },
    courier: { files: 0, ms: 0 },
    courierSequential: { files: 0, ms: 0 },
  };
  try {
    const perRound = Math.ceil(FILES / ROUNDS);
    let seed = 1;
    for (let round = 0; round < ROUNDS; round++) {
      const count = Math.min(perRound, FILES - round * perRound);
      if (count <= 0) break;
      // Alternate the order so neither variant always meets the fuller wiki.
      const order: Variant[] =
        round % 2 === 0
          ? ['baseline', 'courier', 'courierSequential']
          : ['courierSequential', 'courier', 'baseline'];
      for (const variant of order) {
        const files = await makeFiles(dir.path, variant, round, count, seed);
        seed += count;
        const ms =
          variant === 'baseline'
            ? await baselineLoop(wiki, files, round)
            : await courierBatch(
                engine,
                wiki,
                reference,
                dir.path,
                `${variant} ${round}`,
                files,
                variant === 'courier' ? 2 : 1,
              );
        totals[variant].files += count;
        totals[variant].ms += ms;
        process.stderr.write(
          `round ${round + 1}/${ROUNDS}: ${variant} ${count} files in ${(ms / 1000).toFixed(1)} s\n`,
        );
      }
    }
  } finally {
    await engine.close();
    await Promise.all([wiki.close(), reference.close()]);
    dir.cleanup();
  }

  const rate = (v: Variant) => (totals[v].files * 1000) / totals[v].ms;
  const overhead = (v: Variant) => rate('baseline') / rate(v) - 1;
  const cpu = cpus();
  console.log(
    `\nMediaWiki upload, ${FILES} files of ~${BYTES} B each, ${wiki.generator} (php -S, one worker), ` +
      `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}`,
  );
  console.log(
    `${pad('variant', 52)} ${pad('files', 6, true)} ${pad('seconds', 8, true)} ${pad('files/s', 8, true)} ${pad('overhead', 9, true)}`,
  );
  for (const v of ['baseline', 'courier', 'courierSequential'] as Variant[]) {
    console.log(
      `${pad(LABELS[v], 52)} ${pad(String(totals[v].files), 6, true)} ${pad((totals[v].ms / 1000).toFixed(1), 8, true)} ` +
        `${pad(rate(v).toFixed(2), 8, true)} ${pad(v === 'baseline' ? '—' : `${(overhead(v) * 100).toFixed(1)} %`, 9, true)}`,
    );
  }
  console.log(
    'Courier per file: SHA-1, a lookup on the reference wiki, page text, the upload without ignorewarnings, ' +
      'and the ledger (claim, events, outcome). Overhead = extra time per file against the bare loop.',
  );
  const round3 = (n: number) => Math.round(n * 1000) / 1000;
  console.log(
    JSON.stringify({
      bench: 'wiki',
      files: FILES,
      courier_files_per_s: round3(rate('courier')),
      baseline_files_per_s: round3(rate('baseline')),
      overhead: round3(overhead('courier')),
      courier_sequential_files_per_s: round3(rate('courierSequential')),
      overhead_sequential: round3(overhead('courierSequential')),
    }),
  );
}

await main();
