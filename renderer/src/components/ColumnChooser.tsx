import { useEffect, useRef, useState } from 'react';

export interface ChooserColumn {
  id: string;
  label: string;
  visible: boolean;
  /** Always shown. */
  fixed: boolean;
}

/** A "Columns" button whose panel shows and hides the files table's columns. */
export function ColumnChooser({
  columns,
  onToggle,
  onReset,
}: {
  columns: ChooserColumn[];
  onToggle(id: string, visible: boolean): void;
  onReset(): void;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);
  return (
    <div
      className="column-chooser"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      <button
        ref={button}
        type="button"
        className="button small"
        aria-expanded={open}
        aria-controls="column-chooser-panel"
        onClick={() => setOpen((o) => !o)}
      >
        Columns
      </button>
      {open && (
        <fieldset id="column-chooser-panel" className="column-panel">
          <legend>Shown columns</legend>
          {columns
            .filter((c) => !c.fixed)
            .map((c) => (
              <label key={c.id} className="column-option">
                <input
                  type="checkbox"
                  checked={c.visible}
                  onChange={(e) => onToggle(c.id, e.target.checked)}
                />
                {c.label}
              </label>
            ))}
          <button type="button" className="button small" onClick={onReset}>
            Reset columns and widths
          </button>
        </fieldset>
      )}
    </div>
  );
}
