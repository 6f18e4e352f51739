/** Files chosen in the files table: some by id, or every file matching the current filter. */
export type Selection = { kind: 'ids'; ids: ReadonlySet<number> } | { kind: 'matching' };

export const NO_SELECTION: Selection = { kind: 'ids', ids: new Set() };

export function selectionSize(selection: Selection, matching: number): number {
  return selection.kind === 'matching' ? matching : selection.ids.size;
}

export function isSelected(selection: Selection, id: number): boolean {
  return selection.kind === 'matching' || selection.ids.has(id);
}

/** Adds or removes ids; from "all matching", removing is not possible by id, so it starts afresh. */
export function withIds(selection: Selection, ids: readonly number[], on: boolean): Selection {
  const next = new Set(selection.kind === 'ids' ? selection.ids : []);
  for (const id of ids) {
    if (on) next.add(id);
    else next.delete(id);
  }
  return { kind: 'ids', ids: next };
}
