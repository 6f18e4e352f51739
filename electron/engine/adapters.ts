import { AdapterRegistry } from './runner/adapters';
import { folderSource } from './sources/folder/folderSource';
import { radiopaediaSource } from './sources/radiopaedia/radiopaediaSource';
import { isicSource } from './sources/isic/isicSource';
import { xnatDownloadSource } from './sources/xnat/xnatDownloadSource';
import { folderTarget } from './targets/folder/folderTarget';
import { earlierBatchSource } from './sources/batchItems/earlierBatchSource';
import { sheetSource } from './sources/sheet/sheetSource';
import { mediawikiTarget } from './targets/mediawiki/mediawikiTarget';
import { dicomFolderSource } from './sources/dicomFolder/dicomFolderSource';
import { xnatTarget } from './targets/xnat/xnatTarget';

/** Every source and target this build ships. */
export function builtInAdapters(): AdapterRegistry {
  return new AdapterRegistry()
    .addSource(folderSource)
    .addSource(isicSource)
    .addSource(xnatDownloadSource)
    .addSource(radiopaediaSource)
    .addSource(earlierBatchSource)
    .addSource(sheetSource)
    .addSource(dicomFolderSource)
    .addTarget(mediawikiTarget)
    .addTarget(xnatTarget)
    .addTarget(folderTarget);
}
