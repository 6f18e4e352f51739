export function formatBytes(n: number | null): string {
  if (n === null) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Time of day for today's changes, else the date and time, compact enough for a table cell. */
export function formatTime(ms: number | null, now: number = Date.now()): string {
  if (ms === null) return '';
  const d = new Date(ms);
  const sameDay = d.toDateString() === new Date(now).toDateString();
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return sameDay
    ? time
    : `${d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })} ${time.slice(0, 5)}`;
}

export function formatEta(remaining: number, perSecond: number | null): string {
  if (!perSecond || perSecond <= 0 || remaining <= 0) return '';
  const s = Math.round(remaining / perSecond);
  if (s < 60) return `${s} s left`;
  if (s < 3600) return `${Math.round(s / 60)} min left`;
  return `${(s / 3600).toFixed(1)} h left`;
}
