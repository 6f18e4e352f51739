import type { ComponentType } from 'react';

/** One kind of batch the archivist can start from the GUI ("Download from XNAT", …). */
export interface NewBatchFlow {
  /** The route segment: `#/new/<id>`. */
  id: string;
  title: string;
  /** One line under the title on the chooser: from where to where. */
  summary: string;
  /** The form; it creates the batch and then goes to `#/batches/<id>`. */
  Component: ComponentType;
}
