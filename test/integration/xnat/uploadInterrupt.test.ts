import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER, startXnatEmulator } from '../../servers/xnat/index';
import type { XnatEmulator } from '../../servers/xnat/index';
import { COURIER_BIN, courier, requireBuilt } from '../../support/cli';
import { tempDir } from '../../support/tempDir';
import { makeTree, until, writeWorkbook } from './uploadFixture';
import type { TreeFile } from './uploadFixture';

/**
 * Runs a command on a pseudo-terminal (Python's pty module), as a person at a terminal does: when the
 * output shows `when`, Ctrl-C is typed; when it shows the question, `answer` is typed. Prints the
 * terminal's output and exits with the command's status.
 */
const PTY_DRIVER = `
import os, pty, re, sys, json
spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.environ.update(spec['env'])
    os.execv(spec['argv'][0], spec['argv'])
out = b''
steps = [(re.compile(spec['when'].encode()), b'\\x03'), (re.compile(re.escape(spec['question'].encode())), spec['answer'].encode() + b'\\n')]
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    while steps and steps[0][0].search(out):
        os.write(fd, steps[0][1])
        steps.pop(0)
        out += b'\\n<<typed>>\\n'
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;

function onTerminal(
  argv: string[],
  env: Record<string, string>,
  when: string,
  question: string,
  answer: string,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const spec = JSON.stringify({
      argv: [process.execPath, COURIER_BIN, ...argv],
      env,
      when,
      question,
      answer,
    });
    const child = spawn('python3', ['-c', PTY_DRIVER, spec], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += String(d)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe('Ctrl-C during courier upload', () => {
  const dir = tempDir('xnat-interrupt-');
  const db = join(dir.path, 'ledger.sqlite');
  const data = join(dir.path, 'data');
  const login = { XNAT_USER: DEFAULT_USER.username, XNAT_PASSWORD: DEFAULT_USER.password };
  let xnat: XnatEmulator;
  let tree: TreeFile[];
  const counts = async (batch: string) => {
    const r = await courier(['--db', db, 'status', '--batch', batch, '--json']);
    return (JSON.parse(r.stdout) as { batches: { counts: Record<string, number> }[] }).batches[0]!.counts;
  };
  const stored = (project: string) =>
    xnat.state
      .storedFiles()
      .filter((f) => f.project === project)
      .map((f) => `${/\/scans\/([^/]+)\//.exec(f.key)?.[1]}/${f.key.split('/').pop()}:${f.md5}`)
      .sort();
  const expected = () => tree.map((f) => `${f.series}/${f.rel.split('/').pop()}:${f.md5}`).sort();

  beforeAll(async () => {
    requireBuilt();
    xnat = await startXnatEmulator({ projects: [{ id: 'P1' }, { id: 'P2' }] });
    tree = makeTree(data, { subjects: 2, files: 3 });
    for (const project of ['P1', 'P2']) {
      const workbook = join(dir.path, `${project}.xlsx`);
      await writeWorkbook(workbook, xnat.url, project);
      const scan = await courier([
        '--db',
        db,
        'scan',
        '--dir',
        data,
        '--workbook',
        workbook,
        '--batch',
        project,
      ]);
      expect(scan.code, scan.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await xnat.close();
    dir.cleanup();
  });

  it('on a terminal asks first; yes lets the files in flight finish, and the next run sends the rest', async () => {
    // The first two files take a while on the server: they are in flight when Ctrl-C is typed.
    xnat.faults.failNext(2, { kind: 'stall', stallMs: 4_000, match: { method: 'PUT', path: '/files/' } });
    const run = await onTerminal(
      ['--db', db, 'upload', '--batch', 'P1', '--concurrency', '2'],
      login,
      '2 in flight',
      'Stop after the files in flight? [y/N]',
      'y',
    );
    expect(run.output).toContain('Stop after the files in flight? [y/N]');
    expect(run.output).toContain('Stopping after the files in flight');
    expect(run.code, run.output).toBe(1);
    expect(await counts('P1')).toMatchObject({ done: 2, pending: tree.length - 2, interrupted: 0 });
    expect(stored('P1')).toHaveLength(2);

    const rest = await courier(['--db', db, 'upload', '--batch', 'P1'], login);
    expect(rest.code, rest.stderr).toBe(0);
    expect(await counts('P1')).toMatchObject({ done: tree.length, pending: 0 });
    expect(stored('P1')).toEqual(expected());
  });

  it('without a terminal, Ctrl-C stops at once: files in flight become interrupted and are sent next time', async () => {
    const stallsBefore = xnat.faults.fired.stall;
    xnat.faults.failNext(2, { kind: 'stall', stallMs: Infinity, match: { method: 'PUT', path: '/files/' } });
    const child = spawn(
      process.execPath,
      [COURIER_BIN, '--db', db, 'upload', '--batch', 'P2', '--concurrency', '2'],
      {
        env: { ...process.env, ...login },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
    await until(() => xnat.faults.fired.stall >= stallsBefore + 2, 'two stalled uploads');
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(1);
    expect(stderr).not.toContain('[y/N]');
    expect(stderr).toContain('Stopping now');
    expect(await counts('P2')).toMatchObject({ interrupted: 2, done: 0 });

    const again = await courier(['--db', db, 'upload', '--batch', 'P2'], login);
    expect(again.code, again.stderr).toBe(0);
    expect(await counts('P2')).toMatchObject({ done: tree.length, interrupted: 0 });
    expect(stored('P2')).toEqual(expected());
  });
});
