import type { NewBatchFlow } from '../flow';
import IsicForm from './IsicForm';

export const isicFlows: NewBatchFlow[] = [
  {
    id: 'isic',
    title: 'ISIC Archive',
    summary: 'ISIC Archive search → local folder: images, metadata.csv, attribution and licences.',
    Component: IsicForm,
  },
];
