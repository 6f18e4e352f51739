export { createIsicClient, ISIC_API_URL, ISIC_PAGE_SIZE } from './isicClient';
export type { IsicClient, IsicClientOptions, IsicImagePage } from './isicClient';
export type { IsicCollection, IsicFile, IsicImage, IsicPage, IsicSearch } from './isicTypes';
export { alreadyDownloaded, imageFileName } from './isicDownload';
export type { DownloadResult } from './isicDownload';
export { cleanupPartialFiles, writeFileAtomic, PARTIAL_PREFIX } from './partialFiles';
export {
  licensesOf,
  metadataColumns,
  orderedAttributions,
  pythonCell,
  writeAttributionTxt,
  writeIsicOutputFiles,
  writeLicenseFiles,
  writeMetadataCsv,
  METADATA_BASE_COLUMNS,
} from './isicOutputFiles';
export type { IsicRecord, IsicRecordSource } from './isicOutputFiles';
