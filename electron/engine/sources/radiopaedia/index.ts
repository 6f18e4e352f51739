export { caseUrlFor, DEFAULT_SITE, parseCaseInputs } from './caseInputs';
export type { CaseInput, ParsedCaseInputs } from './caseInputs';
export { downloadImage, withExtension } from './downloadImage';
export type { DownloadedImage, DownloadImageOptions } from './downloadImage';
export { extractCase, isSignInUrl } from './extractCase';
export type { ExtractCaseOptions } from './extractCase';
export { DEFAULT_ALLOWED_FORMATS, detectFormat } from './fileFormat';
export type { FileFormat } from './fileFormat';
export { isExpectedLicence, licenceKey, RADIOPAEDIA_LICENCE } from './licence';
export { DEFAULT_CDN_BASE, stacksFromStacksJson, studyFromViewerJson } from './stacksData';
export type {
  RadiopaediaCase,
  RadiopaediaImage,
  RadiopaediaStack,
  RadiopaediaStudy,
  StacksSource,
} from './types';
