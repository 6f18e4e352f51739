/**
 * Injected faults: a folder uploaded to the XNAT emulator and an ISIC search downloaded from its fixture,
 * each while the server answers ~10 % of requests with 5xx, resets ~2 % of connections, stalls ~1 % and
 * now and then reports a wrong digest (XNAT) or sends a short body (ISIC). Every item must end `done`
 * (with the right bytes at the destination), in `attention` with its cause (a reason and a message), or
 * `failed` only once all its attempts met faults (with its cause; `courier retry` sends it again): none
 * may be left open or lost without a word. (The wiki and Radiopaedia under faults:
 * faultsProxied.ts.)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeDicomFile } from '../../test/fixtures/dicomFactory';
import { startIsicFixture } from '../../test/servers/isic';
import { DEFAULT_USER, startXnatEmulator } from '../../test/servers/xnat/index';
import { makeTree } from '../../test/integration/xnat/uploadFixture';
import type { TreeFile } from '../../test/integration/xnat/uploadFixture';
import { tempDir } from '../../test/support/tempDir';
import type { CourierInstall } from './courierProcess';
import { scanForUpload } from './courierProcess';
import { treeShape } from './crashXnat';
import { PartRecorder } from './report';
import type { PartResult } from './report';

export interface ExportedItem {
  path: string;
  name?: string;
  status: string;
  reason: string | null;
  message: string | null;
  target: string | null;
  md5: string | null;
  sha1?: string | null;
  attempts?: number;
  meta?: Record<string, unknown>;
}

/** `courier export --format json` of one batch, as an archivist would read it. */
export async function exportedItems(
  courier: CourierInstall,
  db: string,
  batch: string,
  out: string,
): Promise<ExportedItem[]> {
  const r = await courier.run(['--db', db, 'export', '--batch', batch, '--format', 'json', '--out', out]);
  if (r.code !== 0) throw new Error(`courier export failed (${r.code}): ${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as ExportedItem[];
}

/**
 * Checks every item ended `done` or in `attention` with a cause (and, given `total`, that the ledger lists
 * that many); returns counts per status.
 */
export function settledWithCause(
  rec: PartRecorder,
  items: readonly ExportedItem[],
  total: number | null,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const i of items) counts[i.status] = (counts[i.status] ?? 0) + 1;
  // `failed` is the runner's own stop once every attempt met a passing fault (5 by default): it keeps the
  // cause, and `courier retry` sends the file again. Anything else left open would be a loss.
  const gaveUp = (i: ExportedItem) => i.status === 'failed' && (i.message ?? '').includes('gave up after');
  const unsettled = items.filter((i) => !['done', 'attention'].includes(i.status) && !gaveUp(i));
  const silent = items.filter((i) => i.status !== 'done' && (!i.reason || !i.message));
  if (total !== null)
    rec.check(`the ledger lists all ${total} files`, items.length === total, `${items.length} items`);
  rec.check(
    'every item ended done, in attention, or failed only after all its attempts (none left open)',
    unsettled.length === 0,
    unsettled
      .slice(0, 3)
      .map((i) => `${i.path}: ${i.status}`)
      .join(', '),
  );
  rec.check(
    'every item not done carries its cause (reason and message)',
    silent.length === 0,
    silent
      .slice(0, 3)
      .map((i) => i.path)
      .join(', '),
  );
  rec.figure('failed_after_all_attempts', items.filter(gaveUp).length);
  const reasons = new Map<string, number>();
  for (const i of items)
    if (i.status !== 'done') reasons.set(i.reason ?? '?', (reasons.get(i.reason ?? '?') ?? 0) + 1);
  if (reasons.size > 0)
    rec.note(`Causes of items not done: ${[...reasons].map(([r, n]) => `${r} ×${n}`).join(', ')}.`);
  return counts;
}

/** The series of the file whose copy XNAT always lists with a wrong digest. */
const STUCK_SERIES = '999';

/** One more DICOM file of `like`'s subject and study, alone in series `series`. */
function addFile(root: string, like: TreeFile, series: string): TreeFile {
  const rel = `${like.rel.split('/').slice(0, 2).join('/')}/Series ${series}/stuck0000.dcm`;
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeDicomFile(path, {
    pixelBytes: 4_096,
    tags: {
      StudyDate: like.date,
      SeriesNumber: series,
      SeriesDescription: `Series ${series}`,
      SOPInstanceUID: `1.2.826.0.1.3680043.10.543.${series}.0`,
      PatientID: like.subject,
    },
  });
  const md5 = createHash('md5').update(readFileSync(path)).digest('hex');
  return { ...like, rel, path, md5, series };
}

export async function faultsXnat(
  courier: CourierInstall,
  sizes: { files: number; stallMs: number },
): Promise<PartResult> {
  const rec = new PartRecorder(
    'faults-xnat',
    `XNAT upload of ${sizes.files + 1} files under injected faults`,
  );
  const dir = tempDir('reliability-faults-xnat-');
  const xnat = await startXnatEmulator({ projects: [{ id: 'P1' }], faultSeed: 7 });
  try {
    const made = makeTree(join(dir.path, 'data'), { ...treeShape(sizes.files), pixelBytes: 4_096 });
    // One file more, alone in a series of its own: XNAT will always list its copy with a wrong digest.
    const stuck = addFile(join(dir.path, 'data'), made[0]!, STUCK_SERIES);
    const tree = [...made, stuck];
    const db = join(dir.path, 'ledger.sqlite');
    const scan = await scanForUpload(courier, {
      db,
      workbook: join(dir.path, 'upload.xlsx'),
      data: join(dir.path, 'data'),
      server: xnat.url,
      batch: 'faults',
    });
    if (!rec.check('scan lists every file', scan.code === 0, scan.stderr.slice(-400))) return rec.result();
    // The faults at random leave the stuck file's series alone, so that its last attempt ends on the digest
    // (a passing 5xx on the last attempt would end it `failed`, as it does any file whose attempts run out).
    xnat.faults.setRates(
      {
        serverError: 0.1,
        reset: 0.02,
        stall: 0.01,
        stallMs: sizes.stallMs,
        wrongDigest: 0.01,
        match: { path: new RegExp(`^(?!.*/JSESSION$)(?!.*/scans/${STUCK_SERIES}(?:/|$))`) },
      },
      7,
    );
    // Besides the 1 % at random, one file whose first copy XNAT lists with a wrong digest.
    const once = made[2]!;
    const putOf = (f: TreeFile) => ({
      method: 'PUT',
      path: new RegExp(`/scans/${f.series}/resources/DICOM/files/${f.rel.split('/').pop()!}$`),
    });
    xnat.faults.failNext(1_000, { kind: 'wrong-digest', match: putOf(stuck) });
    xnat.faults.failNext(1, { kind: 'wrong-digest', match: putOf(once) });
    const run = await courier.run(['--db', db, 'upload', '--batch', 'faults', '--concurrency', '4'], {
      XNAT_USER: DEFAULT_USER.username,
      XNAT_PASSWORD: DEFAULT_USER.password,
    });
    xnat.faults.clear();
    rec.check(
      'the run ends by itself with exit status 1 (a file needs a decision)',
      run.code === 1,
      `exit ${run.code}: ${run.stderr.slice(-400)}`,
    );
    for (const [kind, n] of Object.entries(xnat.faults.fired))
      if (n > 0) rec.figure(`injected_${kind.replace('-', '_')}`, n);
    rec.figure('requests', xnat.state.stats.requests);
    const items = await exportedItems(courier, db, 'faults', join(dir.path, 'export.json'));
    const counts = settledWithCause(rec, items, tree.length);
    for (const [status, n] of Object.entries(counts)) rec.figure(status, n);
    // A done item must be on the server with the source's bytes; nothing else may be stored.
    const stored = new Map(xnat.state.storedFiles().map((f) => [`${f.scan}/${f.path.split('/').pop()}`, f]));
    const source = new Map(tree.map((f) => [f.path, f]));
    const lost = items.filter((i) => {
      if (i.status !== 'done') return false;
      const f = source.get(i.path);
      return !f || stored.get(`${f.series}/${f.rel.split('/').pop()}`)?.md5 !== f.md5;
    });
    // Replacing a copy XNAT listed with a wrong digest is a repair; any other second write is a file stored twice.
    const twice = [...stored.values()].filter((f) => f.writes - f.repairs > 1);
    const acceptedWrongDigest = items.filter((i) => {
      const f = source.get(i.path);
      const s = f && stored.get(`${f.series}/${f.rel.split('/').pop()}`);
      return i.status === 'done' && s !== undefined && s.digest !== s.md5;
    });
    rec.figure(
      'repaired_copies',
      [...stored.values()].reduce((n, f) => n + f.repairs, 0),
    );
    rec.figure('silent_losses', lost.length);
    rec.check(
      'zero silent losses: every done file is on XNAT with the source MD5',
      lost.length === 0,
      lost
        .slice(0, 3)
        .map((i) => i.path)
        .join(', '),
    );
    rec.check(
      'no done file was accepted while XNAT reported a wrong digest',
      acceptedWrongDigest.length === 0,
      acceptedWrongDigest
        .slice(0, 3)
        .map((i) => i.path)
        .join(', '),
    );
    const stuckItem = items.find((i) => i.path === stuck.path);
    const stuckCopy = stored.get(`${stuck.series}/${stuck.rel.split('/').pop()}`);
    rec.check(
      'a file XNAT keeps listing with a wrong digest is sent again, then stops in attention (digest-mismatch) naming the file and both digests',
      stuckItem?.status === 'attention' &&
        stuckItem.reason === 'digest-mismatch' &&
        (stuckItem.attempts ?? 0) > 1 &&
        stuckItem.message !== null &&
        [stuck.rel.split('/').pop()!, stuck.md5, stuckCopy?.digest ?? '?'].every((t) =>
          stuckItem.message!.includes(t),
        ),
      JSON.stringify(stuckItem ?? null).slice(0, 400),
    );
    const onceItem = items.find((i) => i.path === once.path);
    const onceCopy = stored.get(`${once.series}/${once.rel.split('/').pop()}`);
    rec.check(
      'a file XNAT once lists with a wrong digest is sent again, replacing that copy, and ends done',
      onceItem?.status === 'done' &&
        onceCopy?.md5 === once.md5 &&
        onceCopy.digest === once.md5 &&
        onceCopy.repairs >= 1,
      `${JSON.stringify(onceItem ?? null).slice(0, 300)}; stored ${JSON.stringify(onceCopy ?? null).slice(0, 300)}`,
    );
    rec.check(
      'no file was stored twice (a copy XNAT listed with a wrong digest may be replaced)',
      twice.length === 0,
      twice
        .slice(0, 3)
        .map((f) => `${f.key} ×${f.writes}, ${f.repairs} repairs`)
        .join(', '),
    );
  } catch (error) {
    rec.fail(error);
  } finally {
    await xnat.close();
    dir.cleanup();
  }
  return rec.result();
}

export async function faultsIsic(
  courier: CourierInstall,
  sizes: { files: number; stalls: boolean },
): Promise<PartResult> {
  const rec = new PartRecorder('faults-isic', `ISIC download of ${sizes.files} images under injected faults`);
  const dir = tempDir('reliability-faults-isic-');
  const fixture = await startIsicFixture({ images: sizes.files });
  try {
    for (const host of ['api', 'files'] as const) {
      fixture.inject({ host, kind: 'status', status: 503, every: 10, times: Infinity });
      fixture.inject({ host, kind: 'reset', every: 50, times: Infinity });
      // The fixture's stall never answers: the client's own deadline (15 s) ends it.
      if (sizes.stalls) fixture.inject({ host, kind: 'stall', every: 100, times: Infinity });
    }
    fixture.inject({ host: 'files', kind: 'short', every: 97, times: Infinity });
    fixture.inject({ host: 'files', kind: 'truncate', every: 89, times: Infinity });
    const db = join(dir.path, 'ledger.sqlite');
    const out = join(dir.path, 'out');
    const run = await courier.run([
      '--db',
      db,
      'isic',
      '--api',
      fixture.apiUrl,
      '--limit',
      String(sizes.files),
      '--out',
      out,
      '--batch',
      'faults',
    ]);
    fixture.clearFaults();
    rec.check(
      'the run ends by itself with exit status 0 or 1',
      run.code === 0 || run.code === 1,
      `exit ${run.code}: ${run.stderr.slice(-400)}`,
    );
    rec.figure('injected_faults', fixture.stats.faultsServed);
    rec.figure('requests', fixture.stats.apiRequests + fixture.stats.fileRequests);
    const items = await exportedItems(courier, db, 'faults', join(dir.path, 'export.json'));
    const counts = settledWithCause(rec, items, sizes.files);
    for (const [status, n] of Object.entries(counts)) rec.figure(status, n);
    const names = readdirSync(out);
    const images = names.filter((n) => n.endsWith('.jpg'));
    const wrongBytes = images.filter(
      (n) => !readFileSync(join(out, n)).equals(fixture.fileBytes(n.replace(/\.jpg$/, ''))),
    );
    const doneMissing = items.filter(
      (i) =>
        i.status === 'done' &&
        !images.includes(`${i.name ?? ''}`) &&
        !(i.target && images.some((n) => i.target!.endsWith(n))),
    );
    const leftovers = names.filter((n) => n.startsWith('.') || n.includes('partial'));
    rec.figure('silent_losses', doneMissing.length + wrongBytes.length);
    rec.check(
      'zero silent losses: every done image is in the folder',
      doneMissing.length === 0,
      doneMissing
        .slice(0, 3)
        .map((i) => i.path)
        .join(', '),
    );
    rec.check(
      'no image in the folder has wrong bytes (short or cut answers never kept)',
      wrongBytes.length === 0,
      wrongBytes.slice(0, 3).join(', '),
    );
    rec.check('no partial file is left', leftovers.length === 0, leftovers.slice(0, 3).join(', '));
    rec.check(
      'the folder holds exactly the done images',
      images.length === (counts.done ?? 0),
      `${images.length} images, ${counts.done ?? 0} done`,
    );
  } catch (error) {
    rec.fail(error);
  } finally {
    await fixture.close();
    dir.cleanup();
  }
  return rec.result();
}
