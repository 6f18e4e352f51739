/** What extraction returns for one Radiopaedia case (reference/sources.md §2.2). */

export interface RadiopaediaImage {
  id: number;
  /** `position` from the data (1-based order in the stack); null when the data has none. */
  position: number | null;
  /** The full-size "authorized download" (needs the browser's session cookie). */
  fullUrl: string;
  /** A thumbnail/gallery rendition, when the data names one. Never the full-size file. */
  thumbnailUrl: string | null;
  /** What the data claims (`content_type`); the real type comes from the downloaded bytes. */
  contentType: string | null;
}

export interface RadiopaediaStack {
  /** 1-based order of the stack in its study's carousel. */
  position: number;
  plane_projection: string | null;
  aux_modality: string | null;
  modality: string | null;
  images: RadiopaediaImage[];
}

export interface RadiopaediaStudy {
  id: number;
  modality: string | null;
  findings: string | null;
  /** `/cases/{rID}/studies/{studyId}` on the site. */
  url: string;
  /** Where the stacks were read from. */
  source: StacksSource;
  stacks: RadiopaediaStack[];
}

/**
 * `stacks` / `viewer-json`: the page's own request for `/studies/{id}/stacks` or `annotated_viewer_json`;
 * `inline`: the page's `var stackedImages`; `fetched`: the page did not load it, so we asked the same
 * endpoint in the page's context.
 */
export type StacksSource = 'stacks' | 'viewer-json' | 'inline' | 'fetched';

export interface RadiopaediaCase {
  rid: number;
  /** The page's URL after redirects. */
  url: string;
  title: string;
  author: string | null;
  published: string | null;
  systems: string[];
  /** `<link rel="license">` href, absolute; null when the page has none. */
  licenseUrl: string | null;
  description: string | null;
  studies: RadiopaediaStudy[];
}
