/**
 * Resources running out: a destination that fills up (a 256 KiB tmpfs mounted for the run), a read-only
 * destination (the same tmpfs remounted read-only), a ledger another process holds locked, and a server
 * that accepts connections but never answers. Each must end with a clear error, lose nothing (a second
 * run, once the resource is back, finishes the batch), and never hang.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { startIsicFixture } from '../../test/servers/isic';
import type { IsicFixture } from '../../test/servers/isic';
import { tempDir } from '../../test/support/tempDir';
import type { CourierInstall } from './courierProcess';
import { batchCounts } from './courierProcess';
import { exportedItems } from './faults';
import { PartRecorder } from './report';
import type { PartResult } from './report';

/** Unmounts the disk-full tmpfs of a run that was interrupted before it could clean up. */
export function unmountLeftovers(): void {
  let mounts: string;
  try {
    mounts = readFileSync('/proc/mounts', 'utf8');
  } catch {
    return;
  }
  for (const line of mounts.split('\n')) {
    const target = line.split(' ')[1] ?? '';
    if (/\/reliability-resources-[^/]+\/small-disk$/.test(target)) spawnSync('umount', [target]);
  }
}

function mount(args: string[]): boolean {
  return spawnSync('mount', args, { stdio: 'ignore' }).status === 0;
}

/** The images in `out` whose bytes are the archive's, and the ones whose bytes are not. */
function checkImages(
  out: string,
  fixture: IsicFixture,
): { good: number; bad: string[]; leftovers: string[] } {
  const names = readdirSync(out);
  const images = names.filter((n) => n.endsWith('.jpg'));
  const bad = images.filter(
    (n) => !readFileSync(join(out, n)).equals(fixture.fileBytes(n.replace(/\.jpg$/, ''))),
  );
  return {
    good: images.length - bad.length,
    bad,
    leftovers: names.filter((n) => n.startsWith('.') || n.includes('partial')),
  };
}

async function diskFullAndReadOnly(
  courier: CourierInstall,
  rec: PartRecorder,
  root: string,
  images: number,
): Promise<void> {
  const fixture = await startIsicFixture({ images });
  const out = join(root, 'small-disk');
  mkdirSync(out);
  if (!mount(['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', out])) {
    rec.note(
      'Disk full and read-only destination were not tried: mounting a tmpfs needs root (mount -t tmpfs).',
    );
    await fixture.close();
    return;
  }
  rec.note('Disk full: a 256 KiB tmpfs mounted as the destination; read-only: the same tmpfs remounted ro.');
  try {
    const db = join(root, 'disk.sqlite');
    const args = [
      '--db',
      db,
      'isic',
      '--api',
      fixture.apiUrl,
      '--limit',
      String(images),
      '--out',
      out,
      '--batch',
      'disk',
    ];
    const full = await courier.run(args, {}, 300_000);
    const items = await exportedItems(courier, db, 'disk', join(root, 'disk.json'));
    const stopped = items.filter((i) => i.status !== 'done');
    const reasons = [...new Set(stopped.map((i) => i.reason))];
    rec.figure('disk_full_done_before_full', items.length - stopped.length);
    rec.figure('disk_full_stopped', stopped.length);
    rec.note(
      `Disk full: ${stopped.length} of ${images} images stopped (${reasons.join(', ')}); stderr: ${full.stderr.trim().split('\n').slice(-2).join(' / ').slice(0, 300)}`,
    );
    rec.check(
      'disk full: the run ends by itself with an error status',
      !full.timedOut && full.code !== 0,
      `exit ${full.code}`,
    );
    rec.check(
      'disk full: the images that did not fit are stopped with a cause',
      stopped.length > 0 &&
        stopped.every((i) => i.reason && i.message && ['failed', 'attention'].includes(i.status)),
      JSON.stringify(stopped.slice(0, 2)),
    );
    rec.check(
      'disk full: the error names the full disk in plain words',
      /full|no space|space left/i.test(full.stderr + stopped.map((i) => i.message).join(' ')),
      full.stderr.slice(-300),
    );
    const afterFull = checkImages(out, fixture);
    rec.check(
      'disk full: no image in the folder has wrong bytes',
      afterFull.bad.length === 0,
      afterFull.bad.slice(0, 3).join(', '),
    );

    // Read-only: the same folder, remounted read-only, then writable again.
    mount(['-o', 'remount,ro,size=16m', out]);
    const ro = await courier.run(args, {}, 300_000);
    rec.check(
      'read-only destination: the run ends with an error status',
      !ro.timedOut && ro.code !== 0,
      `exit ${ro.code}`,
    );
    rec.check(
      'read-only destination: the error says the folder cannot be written',
      /read-only|cannot write|not writable|permission|EROFS/i.test(ro.stderr),
      ro.stderr.slice(-300),
    );
    rec.note(`Read-only destination: ${ro.stderr.trim().split('\n').slice(-2).join(' / ').slice(0, 300)}`);

    mount(['-o', 'remount,rw,size=16m', out]);
    const retry = await courier.run(['--db', db, 'retry', '--batch', 'disk'], {}, 60_000);
    const again = await courier.run(args, {}, 300_000);
    const counts = await batchCounts(courier, db, 'disk');
    const final = checkImages(out, fixture);
    rec.check(
      'once there is room, retry and a second run finish every image (nothing lost)',
      retry.code === 0 && again.code === 0 && counts.done === images,
      `retry ${retry.code}, run ${again.code}: ${JSON.stringify(counts)} ${again.stderr.slice(-200)}`,
    );
    rec.check(
      'in the end every image has the archive’s bytes and no partial file is left',
      final.good === images && final.bad.length === 0 && final.leftovers.length === 0,
      `${final.good} good, bad ${final.bad.length}, leftovers ${final.leftovers.join(', ')}`,
    );
  } finally {
    spawnSync('umount', [out]);
    await fixture.close();
  }
}

async function lockedLedger(courier: CourierInstall, rec: PartRecorder, root: string): Promise<void> {
  const fixture = await startIsicFixture({ images: 20 });
  const db = join(root, 'locked.sqlite');
  const out = join(root, 'locked-out');
  try {
    const args = [
      '--db',
      db,
      'isic',
      '--api',
      fixture.apiUrl,
      '--limit',
      '20',
      '--out',
      out,
      '--batch',
      'locked',
    ];
    const first = await courier.run(args, {}, 120_000);
    rec.check('locked ledger: a first run downloads 20 images', first.code === 0, first.stderr.slice(-200));
    const downloadsBefore = fixture.stats.fullImages;
    // Another process takes the ledger's write lock and keeps it.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        "const D=require('better-sqlite3');const d=new D(process.argv[1]);d.exec('BEGIN EXCLUSIVE');console.log('locked');setInterval(()=>{},1000)",
        db,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() },
    );
    await new Promise((resolve) => holder.stdout!.once('data', resolve));
    const started = Date.now();
    const status = await courier.run(['--db', db, 'status'], {}, 120_000);
    const run = await courier.run(args, {}, 120_000);
    rec.figure('locked_ledger_seconds_to_error', Math.round((Date.now() - started) / 100) / 10);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('close', resolve));
    rec.check(
      'locked ledger: status and a download stop with an error (exit 2), no hang',
      !status.timedOut && !run.timedOut && status.code === 2 && run.code === 2,
      `status ${status.code}, run ${run.code}`,
    );
    rec.check(
      'locked ledger: the error says the ledger is locked (busy)',
      /locked|busy|in use/i.test(status.stderr) && /locked|busy|in use/i.test(run.stderr),
      `${status.stderr.trim()} / ${run.stderr.trim()}`.slice(0, 400),
    );
    rec.note(`Locked ledger: ${status.stderr.trim().slice(0, 200)}`);
    const after = await courier.run(args, {}, 120_000);
    const counts = await batchCounts(courier, db, 'locked');
    rec.check(
      'locked ledger: once released, the ledger is intact (20 done) and nothing is fetched again',
      after.code === 0 && counts.done === 20 && fixture.stats.fullImages === downloadsBefore,
      `exit ${after.code}: ${JSON.stringify(counts)}, ${fixture.stats.fullImages - downloadsBefore} fetched again`,
    );
  } finally {
    await fixture.close();
  }
}

async function silentServer(courier: CourierInstall, rec: PartRecorder, root: string): Promise<void> {
  const sockets = new Set<Socket>();
  const silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as AddressInfo;
  try {
    const started = Date.now();
    const run = await courier.run(
      [
        '--db',
        join(root, 'silent.sqlite'),
        'isic',
        '--api',
        `http://127.0.0.1:${port}/api/v2/`,
        '--limit',
        '5',
        '--out',
        join(root, 'silent-out'),
      ],
      {},
      10 * 60_000,
    );
    rec.figure('silent_server_seconds_to_error', Math.round((Date.now() - started) / 1000));
    rec.check(
      'a server that never answers: the command gives up by itself with exit 2',
      !run.timedOut && run.code === 2,
      `exit ${run.code}${run.timedOut ? ' (the harness had to kill it)' : ''}`,
    );
    rec.check(
      'a server that never answers: the error says no answer came',
      /no answer|timed out|did not answer/i.test(run.stderr),
      run.stderr.slice(-300),
    );
    rec.note(`Server that never answers: ${run.stderr.trim().slice(0, 200)}`);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
}

export async function resources(
  courier: CourierInstall,
  options: { images: number; silentServer: boolean },
): Promise<PartResult> {
  const rec = new PartRecorder('resources', 'Disk full, read-only destination, locked ledger, silent server');
  const dir = tempDir('reliability-resources-');
  try {
    await diskFullAndReadOnly(courier, rec, dir.path, options.images);
    await lockedLedger(courier, rec, dir.path);
    if (options.silentServer) await silentServer(courier, rec, dir.path);
    else
      rec.note(
        'The silent-server case (about 50 s of client deadlines) runs in the harness, not in the test suite.',
      );
  } catch (error) {
    rec.fail(error);
  } finally {
    dir.cleanup();
  }
  return rec.result();
}
