import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SettledItem } from '../../../electron/engine/runner/adapters';
import { casePlaces } from '../../../electron/engine/sources/batchItems/casePlaces';
import { nameWithExtension, rowDraft } from '../../../electron/engine/sources/sheet/sheetItems';

describe('sheet names', () => {
  it.each([
    ['Chest film', '/x/a.png', 'Chest film.png'],
    ['Chest film.png', '/x/a.png', 'Chest film.png'],
    ['Chest film.PNG', '/x/a.png', 'Chest film.PNG'],
    ['Slice 1.5 mm', '/x/a.jpg', 'Slice 1.5 mm.jpg'],
    ['No extension', '/x/README', 'No extension'],
  ])('%s for %s → %s', (name, file, expected) => {
    expect(nameWithExtension(name, file)).toBe(expected);
  });

  it('resolves paths against the sheet and splits categories on ;', () => {
    const draft = rowDraft(
      { row: 4, cells: { path: 'img/a.png', categories: ' A ; [[Category:B]];; ' } },
      '/data/sheets/upload.csv',
    );
    expect(draft).toMatchObject({
      key: `4:${path.resolve('/data/sheets/img/a.png')}`,
      path: path.resolve('/data/sheets/img/a.png'),
      name: 'a.png',
      meta: { sheet: { row: 4, categories: ['A', 'B'] } },
    });
  });
});

function image(id: number, rid: number, study: number, stack: number): SettledItem {
  return {
    id,
    batchId: 1,
    key: String(id),
    path: '',
    name: '',
    group: '',
    attempts: 1,
    size: 1,
    status: id % 2 ? 'done' : 'failed',
    target: null,
    sha1: null,
    md5: null,
    meta: { kind: 'radiopaedia-image', case: { rid }, study: { id: study }, stack: { index: stack } },
  };
}

describe('case places', () => {
  it('numbers images and stacks per case over the whole batch, whatever their status', () => {
    const places = casePlaces([
      image(1, 10, 100, 0),
      image(2, 10, 100, 0),
      image(3, 20, 200, 0),
      image(4, 10, 101, 0),
      image(5, 10, 100, 1),
      { ...image(6, 30, 300, 0), meta: { isic_id: 'ISIC_0000001' } },
    ]);
    expect(places.get(1)).toEqual({ studies: 2, stacks: 3, imageNo: 1, stackNo: 1 });
    expect(places.get(4)).toEqual({ studies: 2, stacks: 3, imageNo: 3, stackNo: 2 });
    expect(places.get(5)).toEqual({ studies: 2, stacks: 3, imageNo: 4, stackNo: 3 });
    expect(places.get(3)).toEqual({ studies: 1, stacks: 1, imageNo: 1, stackNo: 1 });
    expect(places.has(6)).toBe(false);
  });
});
