import { AdapterRegistry } from './runner/adapters';
import { folderSource } from './sources/folder/folderSource';
import { folderTarget } from './targets/folder/folderTarget';

/** Every source and target this build ships. */
export function builtInAdapters(): AdapterRegistry {
  return new AdapterRegistry().addSource(folderSource).addTarget(folderTarget);
}
