/** The report's own style sheet, inlined so the file stands alone; print rules make a clean PDF. */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 4px 0 6px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 8px; }
.kicker { margin: 0; text-transform: uppercase; letter-spacing: .06em; font-size: 12px; color: var(--accent); font-weight: 600; }
.muted { color: var(--muted); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
thead th { background: var(--soft); font-weight: 600; border-bottom: 2px solid var(--line); }
tfoot th, tfoot td { font-weight: 600; border-top: 2px solid var(--line); }
table.numbers td, table.numbers thead th:not(:first-child), .n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.group, th.group { overflow-wrap: break-word; min-width: 6em; }
.wrap { overflow-wrap: anywhere; word-break: break-word; }
.code, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
th .code { color: var(--muted); font-weight: 400; margin-left: 4px; }
.files .name { font-weight: 600; }
.files .path { color: var(--muted); font-size: 12px; }
.files .msg { margin-top: 2px; }
.files .when { white-space: nowrap; font-size: 12px; }
.more { font-style: italic; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; background: #8c959f; }
.s-done { background: #1a7f37; } .s-failed { background: #cf222e; } .s-attention { background: #bf8700; }
.s-running { background: #0969da; } .s-duplicate { background: #6e7781; } .s-skipped { background: #afb8c1; }
.s-unmatched { background: #8250df; } .s-interrupted { background: #bc4c00; } .s-pending { background: #d0d7de; }
.chart { margin: 14px 0 0; }
.chart svg { display: block; max-width: 100%; height: auto; }
.chart .bars rect { fill: var(--accent); }
.chart .axis text { font-size: 11px; fill: var(--muted); }
.chart .axis line { stroke: #8c959f; stroke-width: 1; }
.chart .axis line.grid { stroke: var(--line); stroke-dasharray: 3 3; }
.chart figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
footer { margin-top: 36px; font-size: 12px; border-top: 1px solid var(--line); }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 11pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  tfoot { display: table-footer-group; }
  tr, .chart, .facts { break-inside: avoid; page-break-inside: avoid; }
  .new-page { break-before: page; page-break-before: always; }
  table { font-size: 9pt; }
  a { color: inherit; text-decoration: none; }
}
`;
