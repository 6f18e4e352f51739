import type { ItemExtra } from '../../itemExtras';

export const wikiItemExtras: ItemExtra[] = [];
