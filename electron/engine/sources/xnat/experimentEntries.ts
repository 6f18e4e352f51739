import type { ItemDraft } from '../../ledger/ledger';
import type { ResolvedExperiment, StagingManifest } from './downloadStaging';

export type DownloadKind = 'scan' | 'assessor';

/** Where a file sits in an experiment, read from XNAT's zip layout `scans/<id>/resources/<R>/files/<path>`. */
export interface EntryPlace {
  /** Scan ID, or the assessor's label. */
  owner: string;
  resource: string;
  /** The path inside the resource (may hold sub-folders). */
  file: string;
}

const FOLDER: Record<DownloadKind, string> = { scan: 'scans', assessor: 'assessors' };

/** The common top folder of the extracted paths (XNAT names it after the session), or '' when there is none. */
export function commonRoot(paths: readonly string[]): string {
  const first = paths[0];
  if (first === undefined || !first.includes('/')) return '';
  const root = first.slice(0, first.indexOf('/'));
  return paths.every((p) => p.startsWith(`${root}/`)) ? root : '';
}

/** Reads owner, resource and file from a key in XNAT's default zip layout; null for any other layout. */
export function placeOf(key: string, kind: DownloadKind): EntryPlace | null {
  const parts = key.split('/');
  if (parts.length < 6 || parts[0] !== FOLDER[kind] || parts[2] !== 'resources' || parts[4] !== 'files') {
    return null;
  }
  return { owner: parts[1] ?? '', resource: parts[3] ?? '', file: parts.slice(5).join('/') };
}

/** The REST path of one file of the experiment (for fetching it again on its own). */
export function fileRestPath(experiment: ResolvedExperiment, kind: DownloadKind, place: EntryPlace): string {
  const seg = encodeURIComponent;
  return (
    `/data/projects/${seg(experiment.project)}/subjects/${seg(experiment.subject)}` +
    `/experiments/${seg(experiment.label)}/${FOLDER[kind]}/${seg(place.owner)}` +
    `/resources/${seg(place.resource)}/files/${place.file.split('/').map(seg).join('/')}`
  );
}

/**
 * One item per extracted file: key = the path inside the experiment, name = that path under a folder
 * named after the accession number, group = the scan (or assessor), meta = where it came from and its MD5.
 */
export function* itemDrafts(
  manifest: StagingManifest,
  options: { server: string; kind: DownloadKind; outputFolder: string; chunk: number },
): Generator<ItemDraft[]> {
  const { experiment } = manifest;
  let chunk: ItemDraft[] = [];
  for (const { key, size, md5 } of manifest.files) {
    const place = placeOf(key, options.kind);
    const ownerMeta =
      options.kind === 'scan' ? { scanId: place?.owner ?? '' } : { assessor: place?.owner ?? '' };
    chunk.push({
      key,
      path: place ? `${options.server}${fileRestPath(experiment, options.kind, place)}` : key,
      name: `${options.outputFolder}/${key}`,
      group: place?.owner ?? '',
      size,
      meta: {
        ...ownerMeta,
        resource: place?.resource ?? '',
        md5,
        project: experiment.project,
        subject: experiment.subject,
        experiment: experiment.label,
      },
    });
    if (chunk.length >= options.chunk) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
