import type { PartResult } from './report';
import type { Sizes } from './sizes';

/** What the harness found in the product and what it does not cover yet (kept with the figures). */
const FINDINGS = [
  '## What the harness found, and its limits',
  '',
  '- **Fixed**: `courier upload` ended the whole run (exit 2, files left `pending`) when XNAT answered a passing',
  '  503 or reset the connection while the project was checked at start. The start-up check is now asked again',
  '  with backoff (5 attempts) for such passing failures; a missing project or a wrong password still stops at once.',
  "- **Fixed**: files whose names XNAT would hand back in archives that Windows and Courier's own `xnat-download`",
  '  refuse (`CON.dcm`, `a:b.dcm`, `back\\slash.dcm`, control characters, `<>"|?*`, a trailing dot or space) were',
  '  uploaded as they were. They now stop in `attention` (reason `unsafe-name`, the name and why in the message)',
  '  and the other files go on.',
  '- **Fixed**: a file whose digest XNAT listed wrong ended `failed` (`digest-mismatch`) after one try. The runner',
  '  now sends it again, replacing the damaged copy (the emulator counts that as a repair, not as a file stored',
  '  twice); if XNAT still lists a wrong digest after the last attempt, the file stops in `attention` (reason',
  '  `digest-mismatch`, the file and both digests in the message, retry or skip offered). A different file of that',
  '  name that XNAT already held and kept stops in `attention` as a `name-conflict` (approve to replace, or skip).',
  '- **Fixed**: when the listing that checks an upload failed (a passing 5xx), the next attempt took the copy the',
  "  batch had just stored for someone else's file (`name-conflict`) or sent an already repaired copy once more. A",
  "  copy stays marked as the batch's own until its check ends, and the next attempt reads a fresh listing for it.",
  '- Injected faults now also run against a real MediaWiki and the Radiopaedia fixture, through a fault-injecting',
  '  reverse proxy (`test/servers/faultProxy.ts`, the same seeded fault plan as the XNAT emulator). For the wiki',
  "  only the target's API is behind it (the stand-in for Commons is reached directly); for Radiopaedia the case",
  '  page and study data Chromium loads and the full-size downloads all are.',
  '- Items that use up their retries on passing failures (5xx, resets, timeouts) end `failed` with their cause and',
  '  "gave up after 5 attempts" (the figure `failed_after_all_attempts`); `courier retry` sends them again. That',
  "  is the runner's documented stop for passing failures, so the fault parts accept it and nothing else left open.",
  '- The web UI while a server never answers: `test/e2e/stalledServer.test.ts` (other screens answer, Cancel frees',
  '  the stuck files at once).',
  '- Not covered yet: the desktop window itself while a server stalls (Electron cannot run on this machine; the',
  "  same UI is tested in web mode); the ISIC fixture's stall never ends, so its 1 % stalls last as long as the",
  "  client's 15-s deadline and run only at full size; faults on the wiki's lookups on Commons, and on chunked wiki",
  '  uploads (the files are small enough to go in one request).',
];

/** docs/reliability.md: what was tried, every check with its outcome, the figures and the notes. */
export function reliabilityMarkdown(
  results: readonly PartResult[],
  run: { short: boolean; sizes: Sizes; machine: string; date: Date },
): string {
  const failed = results.flatMap((r) => r.checks.filter((c) => !c.ok));
  const lines = [
    '# Reliability',
    '',
    'Written by `npm run reliability` (bench/reliability/main.ts); do not edit by hand — run it again.',
    'Every figure below was measured by that run; a check is a statement the run verified.',
    '',
    `- Date: ${run.date.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- Machine: ${run.machine}. The machine is shared: other work ran at the same time, so durations are indicative only.`,
    `- Sizes: ${run.short ? 'short (`--short`)' : 'full (the issue’s)'} — XNAT ${run.sizes.xnatFiles} files / ${run.sizes.xnatKills} kills, wiki ${run.sizes.wikiFiles} files / ${run.sizes.wikiKills} kills, ISIC ${run.sizes.isicFiles} images / ${run.sizes.isicKills} kills; faults on ${run.sizes.faultXnatFiles} XNAT files, ${run.sizes.faultIsicFiles} ISIC images, ${run.sizes.faultWikiFiles} wiki files and ${run.sizes.faultRadiopaediaImages} Radiopaedia images with ${run.sizes.stallMs / 1000}-s stalls; ${run.sizes.fuzzMutations} fuzzed headers with a ${run.sizes.fuzzCapMs}-ms cap per file.`,
    `- Outcome: ${failed.length === 0 ? `all ${results.reduce((n, r) => n + r.checks.length, 0)} checks held` : `${failed.length} check(s) failed`}.`,
    '',
    '## How it works',
    '',
    '- Everything goes through the `courier` command as users run it, built privately from the sources for the run.',
    '- **Crash safety**: the command is killed with SIGKILL at random moments (a quarter in its first 1.5 s — opening the',
    '  ledger, logging in, listing — the rest after a random number of files reached the server), then started again;',
    '  after the last kill one run goes to its end. Servers: the XNAT emulator (its per-file `writes` and `puts` counters',
    '  show anything stored twice), a real MediaWiki 1.39 (plus a second one standing in for Commons), the ISIC fixture.',
    '- **Injected faults**: the emulator’s fault rates (10 % 503, 2 % connection resets, 1 % stalls, 1 % wrong digests,',
    '  plus one file, in a series the random faults leave alone, whose digest is always listed wrong, and one whose first',
    '  copy is); the ISIC fixture’s fault plan on',
    '  both hosts (every 10th request 503, every 50th reset, every 100th never answered — its stall has no end, so the',
    '  client’s own 15-s deadline ends it; full size only), plus short and cut file bodies; for MediaWiki and Radiopaedia,',
    '  a reverse proxy with the same rates (a third of the 503s with Retry-After, half of the resets after the server',
    '  answered, so the answer is lost), plus two lost upload answers (wiki), and a case page that fails as often as',
    '  listing tries it, a reset study-data request and a lost download answer (Radiopaedia). Every item must end',
    '  `done` or in `attention` with its cause. The items are read back with `courier export --format json`.',
    '- **Fuzzed headers**: well-formed headers from the test factory (all transfer syntaxes and layouts, sequences) and',
    '  its known-broken files, damaged 1–3 times (element lengths: too long, odd, ~4 GiB, undefined; VRs wrong or',
    '  unknown; truncation; inserted garbage; repeated elements; meta group length; flipped bytes). Each is read by the',
    '  scanner’s header reader in a child process with a per-file cap (over the cap: a hang; child dead: a crash; an',
    '  exception that is not the reader’s own error: an escape); then the whole folder goes through `courier scan`.',
    '- **Hostile inputs**: hostile zips sent by the emulator to `courier xnat-download`; a local folder of hostile',
    '  names scanned and uploaded to XNAT.',
    '- **Resources**: a 256 KiB tmpfs mounted as the destination (disk full), remounted read-only; a second process',
    '  holding the ledger’s write lock (`BEGIN EXCLUSIVE`); a TCP server that accepts connections and never answers.',
    '- **Security**: the shell’s pure security parts and IPC registration called directly, its main.ts/preload.ts and',
    '  electron-builder.yml read; web mode started on a real port; a password searched for (plain, URL-encoded,',
    '  base64 as in a Basic header, UTF-16) in every file the runs wrote (ledger, workbooks inflated, exports in four',
    '  formats), every stdout/stderr and every web-socket message.',
    '',
    ...FINDINGS,
    '',
  ];
  for (const r of results) {
    lines.push(`## ${r.part}: ${r.title}`, '', `${r.seconds} s.`, '', '| Check | Result |', '|---|---|');
    for (const c of r.checks)
      lines.push(`| ${c.name} | ${c.ok ? 'ok' : `**failed**: ${escapeCell(c.detail).slice(0, 300)}`} |`);
    const figures = Object.entries(r.figures);
    if (figures.length > 0) {
      lines.push('', '| Figure | Value |', '|---|---|');
      for (const [k, v] of figures) lines.push(`| ${k} | ${String(v)} |`);
    }
    if (r.notes.length > 0) lines.push('', ...r.notes.map((n) => `- ${escapeCell(n)}`));
    lines.push('');
  }
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
