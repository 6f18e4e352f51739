import { AdapterRegistry } from './runner/adapters';
import { folderSource } from './sources/folder/folderSource';
import { radiopaediaSource } from './sources/radiopaedia/radiopaediaSource';
import { isicSource } from './sources/isic/isicSource';
import { xnatDownloadSource } from './sources/xnat/xnatDownloadSource';
import { folderTarget } from './targets/folder/folderTarget';

/** Every source and target this build ships. */
export function builtInAdapters(): AdapterRegistry {
  return new AdapterRegistry()
    .addSource(folderSource)
    .addSource(isicSource)
    .addSource(xnatDownloadSource)
    .addSource(radiopaediaSource)
    .addTarget(folderTarget);
}
