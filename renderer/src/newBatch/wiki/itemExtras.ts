import type { ItemExtra } from '../../itemExtras';
import { WikiConflictView } from './WikiConflictView';

export const wikiItemExtras: ItemExtra[] = [
  {
    id: 'wiki-conflict',
    title: 'Conflicting file on the wiki',
    applies: (detail, batch) =>
      batch.target.kind === 'mediawiki' &&
      (detail.item.status === 'attention' || detail.item.status === 'duplicate'),
    Component: WikiConflictView,
  },
];
