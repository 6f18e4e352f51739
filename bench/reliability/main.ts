/**
 * The reliability harness: crash safety (SIGKILL at random moments), injected faults, fuzzed and hostile
 * inputs, resources running out, and security. Prints a table per part and, as its very last line, one
 * JSON object of its figures (as the benchmarks do); writes docs/reliability.md.
 *
 *   npm run reliability                 # the issue's sizes (5,000 / 300 / 2,000 files, 10,000 headers)
 *   npm run reliability -- --short      # smaller sizes, 1-second stalls
 *   npm run reliability -- --only crash-xnat,security   # some parts
 *   npm run reliability -- --no-doc     # do not write docs/reliability.md
 *
 * Exit status 0 when every check held, 1 otherwise.
 */
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCourier } from './courierProcess';
import type { CourierInstall } from './courierProcess';
import { crashIsic } from './crashIsic';
import { crashWiki } from './crashWiki';
import { crashXnat } from './crashXnat';
import { faultsIsic, faultsXnat } from './faults';
import { faultsRadiopaedia, faultsWiki } from './faultsProxied';
import { fuzzDicom } from './fuzzDicom';
import { hostileInputs } from './hostileInputs';
import { failures } from './report';
import type { PartResult } from './report';
import { reliabilityMarkdown } from './markdown';
import { resources, unmountLeftovers } from './resources';
import { security } from './security';
import { FULL, SHORT } from './sizes';
import type { Sizes } from './sizes';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const PARTS: Record<string, (courier: CourierInstall, sizes: Sizes) => Promise<PartResult>> = {
  'crash-xnat': (c, s) => crashXnat(c, { files: s.xnatFiles, kills: s.xnatKills }),
  'crash-wiki': (c, s) => crashWiki(c, { files: s.wikiFiles, kills: s.wikiKills }),
  'crash-isic': (c, s) => crashIsic(c, { files: s.isicFiles, kills: s.isicKills }),
  'faults-xnat': (c, s) => faultsXnat(c, { files: s.faultXnatFiles, stallMs: s.stallMs }),
  'faults-isic': (c, s) => faultsIsic(c, { files: s.faultIsicFiles, stalls: s.stallMs >= 10_000 }),
  'faults-wiki': (c, s) => faultsWiki(c, { files: s.faultWikiFiles, stallMs: s.stallMs }),
  'faults-radiopaedia': (c, s) =>
    faultsRadiopaedia(c, { images: s.faultRadiopaediaImages, stallMs: s.stallMs }),
  'fuzz-dicom': (c, s) => fuzzDicom(c, { mutations: s.fuzzMutations, capMs: s.fuzzCapMs }),
  'hostile-inputs': (c) => hostileInputs(c),
  resources: (c, s) => resources(c, { images: Math.min(150, s.isicFiles), silentServer: true }),
  security: (c) => security(c),
};

function printPart(r: PartResult): void {
  process.stdout.write(`\n== ${r.part}: ${r.title} (${r.seconds} s)\n`);
  for (const c of r.checks)
    process.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.ok ? '' : ` — ${c.detail}`}\n`);
  const figures = Object.entries(r.figures)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('  ');
  if (figures) process.stdout.write(`  figures: ${figures}\n`);
  for (const n of r.notes) process.stdout.write(`  note: ${n}\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const short = argv.includes('--short');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',').filter(Boolean) : Object.keys(PARTS);
  const unknown = only.filter((p) => !(p in PARTS));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown part(s): ${unknown.join(', ')} (parts: ${Object.keys(PARTS).join(', ')})\n`,
    );
    process.exit(2);
  }
  const sizes = short ? SHORT : FULL;
  const load = loadavg()[0]!;
  process.stdout.write(
    `Reliability harness (${short ? 'short' : 'full'} sizes), ${cpus().length} cores, load ${load.toFixed(1)}\n`,
  );
  const courier = await installCourier();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      unmountLeftovers();
      courier.remove();
      process.exit(130);
    });
  }
  const results: PartResult[] = [];
  try {
    for (const part of only) {
      const result = await PARTS[part]!(courier, sizes);
      results.push(result);
      printPart(result);
    }
  } finally {
    courier.remove();
  }
  const failed = failures(results);
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM (${Math.round(freemem() / 2 ** 30)} GiB free at the end), load average ${load.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end`;
  if (!argv.includes('--no-doc')) {
    const doc = join(root, 'docs', 'reliability.md');
    writeFileSync(doc, reliabilityMarkdown(results, { short, sizes, machine, date: new Date() }));
    process.stdout.write(`\nWrote ${doc}\n`);
  }
  process.stdout.write(
    `\n${failed.length === 0 ? 'Every check held.' : `${failed.length} check(s) failed:\n  ${failed.join('\n  ')}`}\n`,
  );
  const figures: Record<string, unknown> = {
    bench: 'reliability',
    mode: short ? 'short' : 'full',
    checks: results.reduce((n, r) => n + r.checks.length, 0),
    failed: failed.length,
  };
  for (const r of results)
    for (const [k, v] of Object.entries(r.figures)) figures[`${r.part.replace(/-/g, '_')}.${k}`] = v;
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}

await main();
