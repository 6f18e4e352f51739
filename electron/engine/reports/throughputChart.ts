import type { ThroughputSeries } from './reportQueries';
import { escapeHtml, formatDuration, formatTime } from './reportFormat';

const W = 720;
const H = 220;
const M = { top: 24, right: 16, bottom: 40, left: 64 };

/** An inline SVG bar chart of files finished per second or minute; prints as drawn, needs no script. */
export function throughputChartSvg(series: ThroughputSeries): string {
  if (series.buckets.length === 0) {
    return '<p class="muted">No file has finished yet, so there is no throughput to draw.</p>';
  }
  const seconds = series.bucketMs / 1000;
  const peakPerSecond = Math.max(...series.buckets.map((b) => b.count)) / seconds;
  const perMinute = peakPerSecond < 1;
  const unit = perMinute ? 'files per minute' : 'files per second';
  const rate = (count: number) => (perMinute ? (count * 60) / seconds : count / seconds);
  const peak = Math.max(...series.buckets.map((b) => rate(b.count)), 1e-9);
  const top = niceCeiling(peak);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const barW = plotW / series.buckets.length;
  const y = (v: number) => M.top + plotH - (v / top) * plotH;
  const bars = series.buckets
    .map((b, i) => {
      const v = rate(b.count);
      if (v <= 0) return '';
      const h = Math.max(1, (v / top) * plotH);
      return `<rect x="${(M.left + i * barW + barW * 0.1).toFixed(1)}" y="${(M.top + plotH - h).toFixed(1)}" width="${Math.max(0.5, barW * 0.8).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(formatTime(b.at))}: ${b.count.toLocaleString('en')} files</title></rect>`;
    })
    .join('');
  const ticks = [0, top / 2, top]
    .map(
      (v) =>
        `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>` +
        `<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${formatRate(v)}</text>`,
    )
    .join('');
  const first = series.buckets[0]!.at;
  const last = series.buckets[series.buckets.length - 1]!.at + series.bucketMs;
  const summary = `Throughput chart: ${series.finished.toLocaleString('en')} files finished between ${formatTime(first)} and ${formatTime(last)}, in bars of ${formatDuration(series.bucketMs)}; the busiest bar reached ${formatRate(peak)} ${unit}.`;
  return `<figure class="chart">
<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">Files finished over time (${unit})</title>
<desc id="chart-desc">${escapeHtml(summary)}</desc>
<g class="axis">${ticks}
<text x="${M.left}" y="${M.top - 4}">${unit}</text>
<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + plotH}" y2="${M.top + plotH}"/>
<text x="${M.left}" y="${H - 18}">${escapeHtml(formatTime(first))}</text>
<text x="${W - M.right}" y="${H - 18}" text-anchor="end">${escapeHtml(formatTime(last))}</text>
<text x="${M.left + plotW / 2}" y="${H - 4}" text-anchor="middle">each bar: ${escapeHtml(formatDuration(series.bucketMs))}</text>
</g>
<g class="bars">${bars}</g>
</svg>
<figcaption>${escapeHtml(summary)}</figcaption>
</figure>`;
}

function niceCeiling(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function formatRate(v: number): string {
  if (v === 0) return '0';
  return v >= 10 ? Math.round(v).toLocaleString('en') : v.toFixed(v >= 1 ? 1 : 2);
}
