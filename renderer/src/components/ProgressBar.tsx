import type { StatusCounts } from '../../../shared/status';

/** A stacked bar: settled (done, skipped, duplicate, unmatched), problems, in flight, left. */
export function ProgressBar({
  counts,
  total,
  label,
}: {
  counts: StatusCounts;
  total: number;
  label: string;
}) {
  const settled = counts.done + counts.skipped + counts.duplicate + counts.unmatched;
  const problems = counts.failed + counts.attention + counts.interrupted;
  const pct = (n: number) => (total > 0 ? (n / total) * 100 : 0);
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={settled}
      aria-valuetext={`${settled.toLocaleString()} of ${total.toLocaleString()} settled${problems ? `, ${problems.toLocaleString()} with problems` : ''}`}
    >
      <span className="progress-settled" style={{ width: `${pct(settled)}%` }} />
      <span className="progress-problems" style={{ width: `${pct(problems)}%` }} />
      <span className="progress-running" style={{ width: `${pct(counts.running)}%` }} />
    </div>
  );
}
