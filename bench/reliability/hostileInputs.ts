/**
 * Hostile archives and hostile file names, end to end through `courier`:
 * - zips an XNAT server (the emulator's replace-zip fault) sends to `courier xnat-download`: zip slip,
 *   absolute paths, symlinks, bombs (honest and lying), duplicate and Unicode-colliding names, Windows
 *   reserved names, separators, control characters, 300-byte names. Each must be refused naming the
 *   entry, with nothing written inside or outside the output folder.
 * - a local folder whose file names are legal on Linux but hostile elsewhere (reserved device names,
 *   `:`/`\`/control characters, newlines, 250-byte names, decomposed Unicode), scanned and uploaded to the
 *   XNAT emulator: every file ends done (stored under a name with no separator or control character) or
 *   stopped with its cause; nothing is lost.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildDicom } from '../../test/fixtures/dicomFactory';
import { DEFAULT_USER, startXnatEmulator } from '../../test/servers/xnat/index';
import { buildZip } from '../../test/unit/zip/zipFixtures';
import type { FixtureEntry } from '../../test/unit/zip/zipFixtures';
import { tempDir } from '../../test/support/tempDir';
import { componentProblem } from '../../electron/engine/sources/xnat/safeExtract';
import type { CourierInstall } from './courierProcess';
import { scanForUpload } from './courierProcess';
import { exportedItems } from './faults';
import { PartRecorder } from './report';
import type { PartResult } from './report';

const FILES = 'ACC-0042/scans/1/resources/DICOM/files/';
const LOGIN = { XNAT_USER: DEFAULT_USER.username, XNAT_PASSWORD: DEFAULT_USER.password };

/** Hostile zips: what each holds and the error code that must refuse it. */
export function hostileZips(escapeName: string): { what: string; entries: FixtureEntry[]; code: string }[] {
  const ok: FixtureEntry = { name: `${FILES}ok.dcm`, data: 'fine' };
  const long = `${'n'.repeat(296)}.dcm`;
  return [
    {
      what: 'zip slip',
      entries: [ok, { name: `${FILES}${'../'.repeat(12)}${escapeName}`, data: 'escaped' }],
      code: 'zip-unsafe-path',
    },
    {
      what: 'absolute path',
      entries: [ok, { name: `/tmp/${escapeName}`, data: 'x' }],
      code: 'zip-unsafe-path',
    },
    {
      what: 'backslash traversal',
      entries: [ok, { name: `..\\..\\${escapeName}`, data: 'x' }],
      code: 'zip-unsafe-path',
    },
    { what: 'drive letter', entries: [ok, { name: `C:/${escapeName}`, data: 'x' }], code: 'zip-unsafe-path' },
    {
      what: 'symbolic link',
      entries: [ok, { name: `${FILES}link.dcm`, data: '/etc/passwd', mode: 0o120777 }],
      code: 'zip-special-file',
    },
    {
      what: 'zip bomb',
      entries: [ok, { name: `${FILES}bomb.dcm`, data: Buffer.alloc(20 * 1024 * 1024) }],
      code: 'zip-bomb',
    },
    {
      what: 'zip bomb lying about its size',
      entries: [ok, { name: `${FILES}liar.dcm`, data: Buffer.alloc(8 * 1024 * 1024), declaredSize: 1000 }],
      code: 'zip-bomb',
    },
    {
      what: 'duplicate names',
      entries: [ok, { name: `${FILES}a.dcm`, data: '1' }, { name: `${FILES}a.dcm`, data: '2' }],
      code: 'zip-duplicate-entry',
    },
    {
      what: 'Unicode-colliding names',
      entries: [
        ok,
        { name: `${FILES}caf\u00e9.dcm`, data: '1' },
        { name: `${FILES}cafe\u0301.dcm`, data: '2' },
      ],
      code: 'zip-name-collision',
    },
    {
      what: 'case-colliding names',
      entries: [ok, { name: `${FILES}Scan.dcm`, data: '1' }, { name: `${FILES}SCAN.dcm`, data: '2' }],
      code: 'zip-name-collision',
    },
    {
      what: 'Windows reserved name',
      entries: [ok, { name: `${FILES}CON.dcm`, data: 'x' }],
      code: 'zip-unsafe-path',
    },
    {
      what: 'Windows reserved name with a port number',
      entries: [ok, { name: `${FILES}com1`, data: 'x' }],
      code: 'zip-unsafe-path',
    },
    {
      what: 'separator inside a name',
      entries: [ok, { name: `${FILES}a\\b.dcm`, data: 'x' }],
      code: 'zip-unsafe-path',
    },
    {
      what: 'alternate data stream',
      entries: [ok, { name: `${FILES}a.dcm:evil`, data: 'x' }],
      code: 'zip-unsafe-path',
    },
    {
      what: 'control character',
      entries: [ok, { name: `${FILES}evil\u0007.dcm`, data: 'x' }],
      code: 'zip-unsafe-path',
    },
    { what: 'newline', entries: [ok, { name: `${FILES}evil\n.dcm`, data: 'x' }], code: 'zip-unsafe-path' },
    {
      what: 'NUL byte',
      entries: [ok, { name: `${FILES}evil.dcm\u0000.txt`, data: 'x' }],
      code: 'zip-unsafe-path',
    },
    { what: '300-byte name', entries: [ok, { name: `${FILES}${long}`, data: 'x' }], code: 'zip-unsafe-path' },
  ];
}

/** Names legal on Linux that other systems, shells or XNAT would choke on. */
const HOSTILE_LOCAL_NAMES = [
  'CON.dcm',
  'nul',
  'com1.dcm',
  'a:b.dcm',
  'back\\slash.dcm',
  'bell\u0007.dcm',
  'new\nline.dcm',
  'tab\there.dcm',
  ' leading space.dcm',
  'trailing dot.',
  '-rf.dcm',
  '%2e%2e%2fescape.dcm',
  'quote"s and <angles>.dcm',
  'cafe\u0301.dcm',
  `${'x'.repeat(246)}.dcm`,
  'emoji \u{1f9e0}.dcm',
  '?.dcm',
  '#hash&amp.dcm',
];

async function hostileArchives(
  courier: CourierInstall,
  rec: PartRecorder,
  root: string,
  limit?: number,
): Promise<void> {
  const xnat = await startXnatEmulator({ projects: [{ id: 'P1' }] });
  try {
    xnat.state.addExperiment('P1', 'SUBJ-1', 'ACC-0042', { xsiType: 'xnat:ctSessionData' });
    xnat.state.addScan('P1', 'ACC-0042', '1', { type: 'HEAD' });
    await xnat.state.addFile({ project: 'P1', experiment: 'ACC-0042', scan: '1' }, 'DICOM', 'ok.dcm', 'fine');
    const refusedRight: string[] = [];
    const wrong: string[] = [];
    const escapeName = `courier-escape-${process.pid}.txt`;
    const zips = hostileZips(escapeName).slice(0, limit);
    for (const [i, z] of zips.entries()) {
      const sandbox = join(root, `zip-${i}`);
      const out = join(sandbox, 'out');
      mkdirSync(out, { recursive: true });
      xnat.faults.failNext(1, {
        kind: 'replace-zip',
        body: await buildZip(z.entries),
        match: { path: '/scans/ALL/' },
      });
      const run = await courier.run(
        [
          '--db',
          join(sandbox, 'ledger.sqlite'),
          'xnat-download',
          '--server',
          xnat.url,
          '--project',
          'P1',
          '--accession',
          'ACC-0042',
          '--out',
          out,
          '--batch',
          `zip-${i}`,
        ],
        LOGIN,
        120_000,
      );
      const written = readdirSync(out, { recursive: true });
      const escaped =
        existsSync(`/tmp/${escapeName}`) ||
        existsSync(join(dirname(root), escapeName)) ||
        existsSync(join(root, escapeName));
      const named =
        run.stderr.includes(z.code) || run.stderr.includes('refused') || run.stderr.includes('Zip entry');
      if (run.code !== 0 && written.length === 0 && !escaped && named) refusedRight.push(z.what);
      else
        wrong.push(
          `${z.what} (exit ${run.code}, ${written.length} written, escaped ${escaped}): ${run.stderr.slice(-200)}`,
        );
    }
    rec.figure('hostile_zips', zips.length);
    rec.figure('hostile_zips_refused', refusedRight.length);
    rec.check(
      'every hostile zip is refused, named, with nothing written inside or outside the output folder',
      wrong.length === 0,
      wrong.slice(0, 3).join(' | '),
    );
  } finally {
    await xnat.close();
  }
}

async function hostileLocalNames(courier: CourierInstall, rec: PartRecorder, root: string): Promise<void> {
  const xnat = await startXnatEmulator({ projects: [{ id: 'P1' }] });
  try {
    const data = join(root, 'names');
    const dir = join(data, 'DOE^HOSTILE-1000', '20200101', 'Head CT');
    mkdirSync(dir, { recursive: true });
    const md5ByName = new Map<string, string>();
    for (const [i, name] of HOSTILE_LOCAL_NAMES.entries()) {
      const built = buildDicom({
        pixelBytes: 512 + 2 * i,
        tags: { SOPInstanceUID: `1.2.3.9.${i}`, SeriesNumber: '1', StudyDate: '20200101' },
      });
      const bytes = Buffer.concat([built.header, Buffer.alloc(512 + 2 * i, i)]);
      writeFileSync(join(dir, name), bytes);
      md5ByName.set(name, createHash('md5').update(bytes).digest('hex'));
    }
    const db = join(root, 'names.sqlite');
    const scan = await scanForUpload(courier, {
      db,
      workbook: join(root, 'names.xlsx'),
      data,
      server: xnat.url,
      batch: 'names',
      unmatched: true,
    });
    rec.check(
      'courier scan lists a folder of hostile names (exit 0)',
      scan.code === 0,
      scan.stderr.slice(-300),
    );
    const upload = await courier.run(['--db', db, 'upload', '--batch', 'names'], LOGIN, 120_000);
    rec.check(
      'courier upload ends by itself (exit 0 or 1)',
      upload.code === 0 || upload.code === 1,
      `exit ${upload.code}: ${upload.stderr.slice(-300)}`,
    );
    const items = await exportedItems(courier, db, 'names', join(root, 'names.json'));
    const stored = xnat.state.storedFiles();
    const unsafeStored = stored.filter(
      (f) => [...f.path].some((c) => c.charCodeAt(0) < 0x20 || c === '\\') || f.path.includes('..'),
    );
    const lost = items.filter((i) => {
      if (i.status === 'done')
        return !stored.some((f) => f.md5 === md5ByName.get(i.path.split('/').pop() ?? ''));
      return !i.reason || !i.message;
    });
    // What Courier's own download would refuse to extract must not be put on the server.
    const unsafeDone = items.filter(
      (i) => i.status === 'done' && componentProblem(i.path.split('/').pop() ?? '') !== null,
    );
    const counts: Record<string, number> = {};
    for (const i of items) counts[i.status] = (counts[i.status] ?? 0) + 1;
    rec.figure('hostile_local_names', HOSTILE_LOCAL_NAMES.length);
    for (const [s, n] of Object.entries(counts)) rec.figure(`hostile_names_${s}`, n);
    const stopped = items.filter((i) => i.status !== 'done');
    if (stopped.length > 0)
      rec.note(
        `Hostile local names not uploaded: ${stopped.map((i) => `${JSON.stringify(i.path.split('/').pop())} (${i.reason})`).join(', ')}.`,
      );
    rec.check(
      `all ${HOSTILE_LOCAL_NAMES.length} hostile local names are listed`,
      items.length === HOSTILE_LOCAL_NAMES.length,
      `${items.length} listed`,
    );
    rec.check(
      'each ends done (stored with its bytes) or stopped with its cause: nothing lost',
      lost.length === 0,
      lost
        .slice(0, 3)
        .map((i) => `${JSON.stringify(i.path)} ${i.status}`)
        .join(', '),
    );
    const harmlessStopped = items.filter(
      (i) =>
        i.status !== 'done' &&
        i.reason !== 'no-pattern-match' &&
        componentProblem(i.path.split('/').pop() ?? '') === null,
    );
    rec.check(
      'files whose names are odd but harmless (Unicode, spaces, #, %, leading dash, 250 bytes) are uploaded',
      harmlessStopped.length === 0,
      harmlessStopped
        .slice(0, 4)
        .map((i) => `${JSON.stringify(i.path.split('/').pop())} ${i.status} ${i.reason}`)
        .join(', '),
    );
    rec.check(
      'no file is uploaded under a name Courier’s own download (and Windows) would refuse',
      unsafeDone.length === 0,
      unsafeDone
        .slice(0, 4)
        .map((i) => JSON.stringify(i.path.split('/').pop()))
        .join(', '),
    );
    rec.check(
      'no name stored on XNAT carries a control character, backslash or ..',
      unsafeStored.length === 0,
      unsafeStored
        .slice(0, 3)
        .map((f) => JSON.stringify(f.path))
        .join(', '),
    );
  } finally {
    await xnat.close();
  }
}

export async function hostileInputs(
  courier: CourierInstall,
  options: { zips?: number } = {},
): Promise<PartResult> {
  const rec = new PartRecorder('hostile-inputs', 'Hostile archives and hostile file names');
  const dir = tempDir('reliability-hostile-');
  try {
    await hostileArchives(courier, rec, dir.path, options.zips);
    await hostileLocalNames(courier, rec, dir.path);
  } catch (error) {
    rec.fail(error);
  } finally {
    dir.cleanup();
  }
  return rec.result();
}

/** Only the local-names half (for a quick look). */
export async function hostileLocal(courier: CourierInstall): Promise<PartResult> {
  const rec = new PartRecorder('hostile-names', 'Hostile file names');
  const dir = tempDir('reliability-hostile-');
  try {
    await hostileLocalNames(courier, rec, dir.path);
  } finally {
    dir.cleanup();
  }
  return rec.result();
}
