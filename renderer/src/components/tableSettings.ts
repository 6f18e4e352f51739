/** What the operator chose for the files table (hidden columns, widths), kept in this browser. */
export interface TableSettings {
  hidden: string[];
  sizes: Record<string, number>;
}

const KEY = 'courier.filesTable.v1';

export function loadTableSettings(): TableSettings {
  try {
    const raw = localStorage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as Partial<TableSettings>) : {};
    return {
      hidden: Array.isArray(parsed.hidden) ? parsed.hidden.filter((h) => typeof h === 'string') : [],
      sizes:
        parsed.sizes && typeof parsed.sizes === 'object'
          ? Object.fromEntries(
              Object.entries(parsed.sizes).filter(([, v]) => typeof v === 'number' && v > 0 && v < 5000),
            )
          : {},
    };
  } catch {
    return { hidden: [], sizes: {} };
  }
}

export function saveTableSettings(settings: TableSettings): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(settings));
  } catch {
    // Storage full or disabled: the choice lasts for this page only.
  }
}
