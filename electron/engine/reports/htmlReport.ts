import { rename, rm, writeFile } from 'node:fs/promises';
import type { BatchSummary } from '../../../shared/domain';
import { CourierError } from '../../../shared/errors';
import { ITEM_STATUSES } from '../../../shared/status';
import type { ItemStatus } from '../../../shared/status';
import type { Ledger } from '../ledger/ledger';
import { clip, escapeHtml as h, formatBytes, formatCount, formatDuration, formatTime } from './reportFormat';
import { REPORT_CSS } from './reportStyle';
import {
  PROBLEM_STATUSES,
  groupCounts,
  licenceCounts,
  problemItems,
  problemReasons,
  throughputSeries,
  timings,
} from './reportQueries';
import type { FailureRow, GroupCounts } from './reportQueries';
import { throughputChartSvg } from './throughputChart';

export interface HtmlReportOptions {
  /** Problem files listed one by one; the rest are counted ("and N more") and left to the CSV export. */
  failureLimit?: number;
  /** Groups listed in the per-group table. */
  groupLimit?: number;
  /** The time printed as "generated at" and used for the age of a batch still running. */
  now?: number;
  version?: string;
}

export interface HtmlReportResult {
  problems: number;
  problemsListed: number;
}

const STATUS_LABEL: Record<ItemStatus, string> = {
  pending: 'Waiting',
  running: 'In progress',
  done: 'Done',
  failed: 'Failed',
  attention: 'Needs a person',
  skipped: 'Skipped',
  duplicate: 'Already there',
  unmatched: 'Not matched',
  interrupted: 'Interrupted',
};

/**
 * Renders a batch as one self-contained HTML page (inline CSS and SVG, no script) that prints to PDF.
 * Every figure is aggregated in SQL and every list is capped, so the page and the memory it takes stay
 * small at a million items.
 */
export function renderHtmlReport(
  ledger: Ledger,
  batch: BatchSummary,
  options: HtmlReportOptions = {},
): { html: string } & HtmlReportResult {
  const db = ledger.db;
  const now = options.now ?? Date.now();
  const failureLimit = options.failureLimit ?? 1_000;
  const { groups, totalGroups } = groupCounts(db, batch.id, options.groupLimit ?? 200);
  const reasons = problemReasons(db, batch.id, 100);
  const { licences, distinct: licenceKinds } = licenceCounts(db, batch.id, 50);
  const time = timings(db, batch.id);
  const series = throughputSeries(db, batch.id, 60);
  const problems = PROBLEM_STATUSES.reduce((n, s) => n + batch.counts[s], 0);
  const listed = problemItems(db, batch.id, failureLimit);
  const shownStatuses = ITEM_STATUSES.filter((s) => batch.counts[s] > 0);
  const settled = batch.counts.done + batch.counts.skipped + batch.counts.duplicate;
  const end = batch.finishedAt ?? (batch.state === 'running' ? now : time.lastUpdate);
  const elapsed = batch.startedAt !== null && end !== null ? end - batch.startedAt : null;
  const pct = (n: number) => (batch.total ? `${((100 * n) / batch.total).toFixed(1)} %` : '—');

  const parts: string[] = [];
  parts.push(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Batch report: ${h(batch.name)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header class="report-head">
<p class="kicker">Imaging Courier · batch report</p>
<h1>${h(batch.name)}</h1>
<p class="muted">Generated ${h(formatTime(now))}${options.version ? ` by Imaging Courier ${h(options.version)}` : ''}. State of the batch: <strong>${h(batch.state)}</strong>.</p>
</header>

<section aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<dl class="facts">
<dt>Source</dt><dd>${h(batch.source.kind)}: ${h(batch.source.label)}</dd>
<dt>Target</dt><dd>${h(batch.target.kind)}: ${h(batch.target.label)}</dd>
<dt>Files</dt><dd>${formatCount(batch.total)}${batch.collected ? '' : ' (the source was still being listed)'}</dd>
<dt>Delivered or already there</dt><dd>${formatCount(settled)} (${pct(settled)})</dd>
<dt>Problems</dt><dd>${formatCount(problems)} (${pct(problems)})</dd>
<dt>Data delivered</dt><dd>${h(formatBytes(time.bytesDone))}</dd>
</dl>
</section>

<section aria-labelledby="status-title">
<h2 id="status-title">Files per status</h2>
<table class="numbers">
<thead><tr><th scope="col">Status</th><th scope="col">Files</th><th scope="col">Share</th></tr></thead>
<tbody>
${shownStatuses.map((s) => `<tr><th scope="row"><span class="dot s-${s}"></span>${STATUS_LABEL[s]} <span class="code">${s}</span></th><td>${formatCount(batch.counts[s])}</td><td>${pct(batch.counts[s])}</td></tr>`).join('\n')}
</tbody>
<tfoot><tr><th scope="row">Total</th><td>${formatCount(batch.total)}</td><td></td></tr></tfoot>
</table>
</section>

<section aria-labelledby="timing-title">
<h2 id="timing-title">Timings and throughput</h2>
<dl class="facts">
<dt>Created</dt><dd>${h(formatTime(batch.createdAt))}</dd>
<dt>Started</dt><dd>${h(formatTime(batch.startedAt))}</dd>
<dt>Finished</dt><dd>${h(formatTime(batch.finishedAt))}</dd>
<dt>Elapsed</dt><dd>${h(formatDuration(elapsed))}</dd>
<dt>Last change to a file</dt><dd>${h(formatTime(time.lastUpdate))}</dd>
<dt>Attempts</dt><dd>${formatCount(time.attempts)} (${formatCount(time.retried)} files needed more than one)</dd>
</dl>
${throughputChartSvg(series)}
</section>
`);

  parts.push(`<section aria-labelledby="prov-title">
<h2 id="prov-title">Provenance</h2>
<dl class="facts">
<dt>Files came from</dt><dd>${h(batch.source.kind)}: ${h(batch.source.label)}</dd>
<dt>Files went to</dt><dd>${h(batch.target.kind)}: ${h(batch.target.label)}</dd>
</dl>
${
  licences.length === 0
    ? '<p class="muted">The files carry no licence or attribution in their metadata.</p>'
    : `<h3>Licences and credits</h3>
<table>
<thead><tr><th scope="col">Licence</th><th scope="col">Attribution</th><th scope="col" class="n">Files</th></tr></thead>
<tbody>
${licences.map((l) => `<tr><td class="wrap">${h(l.licence || '(not stated)')}</td><td class="wrap">${h(clip(l.attribution) || '—')}</td><td class="n">${formatCount(l.count)}</td></tr>`).join('\n')}
</tbody>
</table>
${licenceKinds > licences.length ? `<p class="more">and ${formatCount(licenceKinds - licences.length)} more licence and credit combinations (the JSON export carries each file's metadata).</p>` : ''}`
}
</section>
`);

  parts.push(groupSection(groups, totalGroups, shownStatuses));

  parts.push(`<section aria-labelledby="reasons-title">
<h2 id="reasons-title">Problems by reason</h2>
${
  reasons.length === 0
    ? '<p>No file failed, needs a person, was interrupted or went unmatched.</p>'
    : `<table>
<thead><tr><th scope="col">Status</th><th scope="col">Reason</th><th scope="col" class="n">Files</th><th scope="col">Example</th></tr></thead>
<tbody>
${reasons.map((r) => `<tr><td>${STATUS_LABEL[r.status]}</td><td class="code">${h(r.reason || '(none given)')}</td><td class="n">${formatCount(r.count)}</td><td class="wrap">${h(clip(r.sampleMessage, 300))}</td></tr>`).join('\n')}
</tbody>
</table>`
}
</section>
`);

  parts.push(problemSection(listed, problems, batch.name));
  parts.push(`<footer class="muted"><p>Batch ${batch.id} · ${h(batch.name)} · report generated ${h(formatTime(now))}. The CSV, XLSX and JSON exports list every file.</p></footer>
</main>
</body>
</html>
`);
  return { html: parts.join(''), problems, problemsListed: listed.length };
}

function groupSection(groups: GroupCounts[], totalGroups: number, statuses: ItemStatus[]): string {
  const named = groups.some((g) => g.group !== '');
  if (!named) return '';
  return `<section aria-labelledby="groups-title">
<h2 id="groups-title">Files per group</h2>
<p class="muted">A group is a subject, session or case, as the source names it.</p>
<table class="numbers">
<thead><tr><th scope="col">Group</th>${statuses.map((s) => `<th scope="col">${STATUS_LABEL[s]}</th>`).join('')}<th scope="col">Total</th></tr></thead>
<tbody>
${groups.map((g) => `<tr><th scope="row" class="group">${h(g.group || '(no group)')}</th>${statuses.map((s) => `<td>${g.counts[s] ? formatCount(g.counts[s]) : ''}</td>`).join('')}<td>${formatCount(g.total)}</td></tr>`).join('\n')}
</tbody>
</table>
${totalGroups > groups.length ? `<p class="more">and ${formatCount(totalGroups - groups.length)} more groups; the CSV export has the group of every file.</p>` : ''}
</section>
`;
}

function problemSection(rows: FailureRow[], total: number, batchName: string): string {
  if (total === 0) return '';
  const more = total - rows.length;
  return `<section aria-labelledby="problems-title" class="new-page">
<h2 id="problems-title">Files with problems</h2>
<p class="muted">${rows.length === total ? `All ${formatCount(total)} of them` : `The first ${formatCount(rows.length)} of ${formatCount(total)}`}, by status and in listing order.</p>
<table class="files">
<thead><tr><th scope="col" class="n">#</th><th scope="col">File</th><th scope="col">Group</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col" class="n">Attempts</th><th scope="col">Last change</th></tr></thead>
<tbody>
${rows.map((r) => `<tr><td class="n">${r.seq}</td><td class="wrap"><div class="name">${h(r.name)}</div>${r.path && r.path !== r.name ? `<div class="path">${h(clip(r.path, 600))}</div>` : ''}${r.message ? `<div class="msg">${h(clip(r.message))}</div>` : ''}</td><td class="group">${h(r.group)}</td><td>${STATUS_LABEL[r.status]}</td><td class="code">${h(r.reason ?? '')}</td><td class="n">${r.attempts}</td><td class="when">${h(formatTime(r.updatedAt))}</td></tr>`).join('\n')}
</tbody>
</table>
${more > 0 ? `<p class="more">and ${formatCount(more)} more files with problems, not listed here: export the batch as CSV (<code>courier export --batch ${h(shellQuote(batchName))} --format csv --out FILE</code>, or Report → CSV in the app) for the full list.</p>` : ''}
</section>
`;
}

function shellQuote(s: string): string {
  return /^[\w.@%+=:,/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Writes the HTML report of a batch to `file` (through a temporary name, so a reader never sees half a file). */
export async function writeHtmlReport(
  ledger: Ledger,
  batch: BatchSummary,
  file: string,
  options: HtmlReportOptions = {},
): Promise<HtmlReportResult> {
  const part = `${file}.part`;
  try {
    const { html, ...result } = renderHtmlReport(ledger, batch, options);
    await writeFile(part, html, 'utf8');
    await rename(part, file);
    return result;
  } catch (err) {
    await rm(part, { force: true });
    if (err instanceof CourierError) throw err;
    throw new CourierError({
      code: 'export-failed',
      message: `Could not write the report ${file}: ${(err as Error).message}`,
      cause: err,
    });
  }
}
