/** Text helpers of the HTML report: escaping of untrusted text, times and sizes for people. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text made safe for HTML element content and quoted attributes. File names, messages and metadata
 * come from archives and folders, so they are treated as hostile: markup characters are escaped, and
 * control and bidirectional-override characters (which could make a name read as another) are shown
 * as visible code points.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/[&<>"']/g, (c) => ESCAPES[c]!)
    .replace(
      // Control characters are exactly what this replacement is for.
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g,
      (c) => `&lt;U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}&gt;`,
    );
}

/** Cuts long text (server answers can be pages long) to `max` characters. */
export function clip(value: string | null, max = 400): string {
  if (!value) return '';
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** A time as `2026-11-22 17:40:05 UTC`: reports are read later and elsewhere, so the zone is stated. */
export function formatTime(ms: number | null): string {
  if (ms === null) return '—';
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** A duration as `2 h 05 min`, `3 min 20 s` or `12 s`. */
export function formatDuration(ms: number | null): string {
  if (ms === null || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${String(s % 60).padStart(2, '0')} s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${n.toLocaleString('en')} bytes` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en');
}
