import type { BatchSummary } from '../../shared/domain';

export interface ProgressOutput {
  update(summary: BatchSummary): void;
  done(): void;
}

function settled(s: BatchSummary): number {
  return s.counts.done + s.counts.skipped + s.counts.duplicate + s.counts.unmatched;
}

function line(s: BatchSummary): string {
  const c = s.counts;
  const parts = [`${settled(s)}/${s.total} settled`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.attention) parts.push(`${c.attention} need attention`);
  if (c.running) parts.push(`${c.running} in flight`);
  if (s.throughput) parts.push(`${s.throughput.toFixed(1)} files/s`);
  return parts.join(', ');
}

/** A redrawn bar on a terminal; plain lines (at most one every few seconds) when output is a file or pipe. */
export function progressOutput(stream: NodeJS.WriteStream, now: () => number = Date.now): ProgressOutput {
  const tty = stream.isTTY === true;
  let last = 0;
  let lastText = '';
  return {
    update(s) {
      const text = line(s);
      if (tty) {
        const width = 30;
        const filled = s.total > 0 ? Math.round((settled(s) / s.total) * width) : 0;
        stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}\x1b[K`);
        return;
      }
      if (text !== lastText && now() - last >= 2000) {
        stream.write(`${s.name}: ${text}\n`);
        last = now();
        lastText = text;
      }
    },
    done() {
      if (tty) stream.write('\n');
    },
  };
}
