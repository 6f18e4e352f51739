import type { NewBatchFlow } from '../flow';
import RadiopaediaForm from './RadiopaediaForm';

export { RadiopaediaCases } from './RadiopaediaCases';

export const radiopaediaFlows: NewBatchFlow[] = [
  {
    id: 'radiopaedia',
    title: 'Radiopaedia cases',
    summary:
      'Case pages you name → full-size images named by the NC Commons scheme, with a JSON record per case.',
    Component: RadiopaediaForm,
  },
];
