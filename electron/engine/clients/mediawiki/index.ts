export { mediawikiClient, DEFAULT_CHUNK_SIZE } from './mediawikiClient';
export type { EditRequest, MediawikiClient, MediawikiClientOptions } from './mediawikiClient';
export type { WikiCredentials, LoggedIn } from './login';
export type { ChunkStatus } from './chunkedUpload';
export { findWarning, isAlreadyUploaded, parseUploadWarnings } from './uploadWarnings';
export type {
  AcceptStashedRequest,
  ChunkProgress,
  FileState,
  SiteInfo,
  UploadRequest,
  UploadResult,
  UploadWarning,
  UploadWarningCode,
  UploadWarningWithCode,
  UserInfo,
  WikiFile,
} from './types';
