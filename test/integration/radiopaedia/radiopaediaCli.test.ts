// `courier radiopaedia` as a person runs it: the built command in its own process, against the fixture site.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuilt } from '../../support/cli';
import { startRadiopaediaFixture } from '../../servers/radiopaedia';
import type { RadiopaediaFixture } from '../../servers/radiopaedia';

const root = path.resolve(__dirname, '../../..');
let dir: string;
let fixture: RadiopaediaFixture;

beforeAll(async () => {
  requireBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'courier-rp-cli-'));
  fixture = await startRadiopaediaFixture({ renderDelayMs: 50, imageBytes: 20_000, largeCaseImages: 3 });
});

afterAll(async () => {
  await fixture?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function courier(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['bin/courier.mjs', '--db', path.join(dir, 'ledger.sqlite'), ...args],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('courier radiopaedia', () => {
  const out = () => path.join(dir, 'out');
  const casesFile = () => {
    const list = path.join(dir, 'cases.txt');
    // A slug URL, and the first case again (left out).
    fs.writeFileSync(list, `# cases to archive\n${fixture.url}/cases/scaphoid-fracture-2\nrID: 70001\n`);
    return list;
  };
  const okArgs = () => [
    'radiopaedia',
    '--case',
    '70001',
    '--cases-file',
    casesFile(),
    '--out',
    out(),
    '--site',
    fixture.url,
    '--delay-ms',
    '1',
    '--batch',
    'cli-ok',
  ];

  it('archives the cases named on the line and in a file, and exits 0, after saying how it treats the site', async () => {
    const run = await courier(okArgs());
    expect(run.stderr).toContain("Radiopaedia's terms forbid bulk downloading by robots");
    expect(run.stderr).toContain('one page at a time');
    expect(run.stderr).toContain('Left out 1 repeated case(s)');
    expect(run.code).toBe(0);
    const files = fs.readdirSync(out()).sort();
    expect(files.filter((f) => /\.(jpg|png)$/.test(f))).toHaveLength(11);
    expect(files).toContain('Scaphoid fracture (Radiopaedia 70003).png');
    expect(files).toContain('Medulloblastoma (Radiopaedia 70001-700011 Coronal T1 C+ 3).jpg');
    expect(files).toContain('Radiopaedia case 70001.json');
    expect(files).toContain('Radiopaedia case 70003.json');
    expect(fixture.stats.downloads).toBe(11);
  });

  it('the same command again continues the same batch and sends nothing twice', async () => {
    const loads = fixture.stats.pageLoads;
    const run = await courier(okArgs());
    expect(run.code).toBe(0);
    expect(fixture.stats.downloads).toBe(11);
    expect(fixture.stats.pageLoads).toBe(loads);
    expect(run.stderr).toMatch(/cli-ok: 11 done/);
  });

  it('exits 1 when a file needs a decision, and says which and why', async () => {
    const run = await courier([
      'radiopaedia',
      '--case',
      '70006',
      '--out',
      path.join(dir, 'out-bmp'),
      '--site',
      fixture.url,
      '--delay-ms',
      '1',
      '--batch',
      'cli-bmp',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('attention [format-not-allowed]');
    expect(run.stderr).toContain('Osteoid osteoma (Radiopaedia 70006-700061 Axial bone window 2)');
  });

  it('exits 2 for what is not a case, a browser that is not there or a delay that is not a number', async () => {
    const [notCase, noBrowser, badDelay] = await Promise.all([
      courier(['radiopaedia', '--case', 'hello world', '--out', out()]),
      courier([
        'radiopaedia',
        '--case',
        '70001',
        '--out',
        path.join(dir, 'out-nobrowser'),
        '--site',
        fixture.url,
        '--browser',
        path.join(dir, 'no-such-browser'),
        '--batch',
        'cli-nobrowser',
      ]),
      courier(['radiopaedia', '--case', '70001', '--out', out(), '--delay-ms', 'soon']),
    ]);
    expect(notCase.code).toBe(2);
    expect(notCase.stderr).toContain('Not a Radiopaedia case URL or rID: "hello world"');
    expect(noBrowser.code).toBe(2);
    expect(noBrowser.stderr).toContain('no-such-browser');
    expect(badDelay.code).toBe(2);
  });
});
