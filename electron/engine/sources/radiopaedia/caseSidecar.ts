// One JSON file per case next to its images: all metadata, source URLs, licence and attribution, and what
// became of each file — what a person (or a later wiki batch) needs to credit and trace every image.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SettledItem } from '../../runner/adapters';
import { USER_AGENT } from '../../clients/httpFailure';
import { caseRecordName, isImageMeta } from './caseItems';
import type { CaseSummary, ImageItemMeta } from './caseItems';

export interface SidecarImage {
  id: number;
  position: number;
  /** The file's name in the folder, or null while it is not there. */
  file: string | null;
  status: string;
  /** The full-size download. */
  sourceUrl: string;
  thumbnailUrl: string | null;
  size: number | null;
  sha1: string | null;
  md5: string | null;
}

export interface SidecarStack {
  position: number;
  label: string;
  plane_projection: string | null;
  aux_modality: string | null;
  modality: string | null;
  images: SidecarImage[];
}

export interface SidecarStudy {
  id: number;
  modality: string | null;
  findings: string | null;
  url: string;
  stacks: SidecarStack[];
}

export interface CaseSidecar extends CaseSummary {
  licence: { url: string | null; problem: string | null; approved: boolean };
  attribution: string;
  attributionHtml: string;
  studies: SidecarStudy[];
  archivedAt: string;
  archivedBy: string;
}

/** Sidecars for every case with at least one image item, keyed by file name, cases and images in item order. */
export function caseSidecars(items: Iterable<SettledItem>, now: number): Map<string, CaseSidecar> {
  const byCase = new Map<number, CaseSidecar>();
  for (const item of items) {
    if (!isImageMeta(item.meta)) continue;
    const meta: ImageItemMeta = item.meta;
    let sidecar = byCase.get(meta.case.rid);
    if (!sidecar) {
      sidecar = {
        ...meta.case,
        licence: { url: meta.licence.url, problem: meta.licence.problem?.code ?? null, approved: false },
        attribution: meta.attribution,
        attributionHtml: meta.attributionHtml,
        studies: [],
        archivedAt: new Date(now).toISOString(),
        archivedBy: USER_AGENT,
      };
      byCase.set(meta.case.rid, sidecar);
    }
    if (meta.licence.problem && (meta.licence.approved || item.meta['approved'])) {
      sidecar.licence.approved = true;
    }
    let study = sidecar.studies.find((s) => s.id === meta.study.id);
    if (!study) {
      study = { ...meta.study, stacks: [] };
      sidecar.studies.push(study);
    }
    let stack = study.stacks.find((s) => s.position === meta.stack.index + 1);
    if (!stack) {
      stack = {
        position: meta.stack.index + 1,
        label: meta.stack.label,
        plane_projection: meta.stack.plane_projection,
        aux_modality: meta.stack.aux_modality,
        modality: meta.stack.modality,
        images: [],
      };
      study.stacks.push(stack);
    }
    stack.images.push({
      id: meta.image.id,
      position: meta.image.position,
      file: item.target ? path.basename(item.target) : null,
      status: item.status,
      sourceUrl: meta.image.fullUrl,
      thumbnailUrl: meta.image.thumbnailUrl,
      size: item.size,
      sha1: item.sha1,
      md5: item.md5,
    });
  }
  return new Map([...byCase.values()].map((s) => [caseRecordName(s.rid), s]));
}

/** Writes each case's sidecar into `dir`, each through a temporary name so a reader never sees half a file. */
export async function writeCaseSidecars(
  dir: string,
  items: Iterable<SettledItem>,
  now: number,
): Promise<string[]> {
  const written: string[] = [];
  await mkdir(dir, { recursive: true });
  for (const [name, sidecar] of caseSidecars(items, now)) {
    const target = path.join(dir, name);
    const temp = `${target}.${randomUUID().slice(0, 8)}.part`;
    try {
      await writeFile(temp, `${JSON.stringify(sidecar, null, 2)}\n`);
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
    written.push(target);
  }
  return written;
}
