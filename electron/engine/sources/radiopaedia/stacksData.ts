// The study data Radiopaedia pages load (reference/sources.md §2.3), turned into one shape. The JSON is
// private and undocumented: every field is optional here, and ids are what must be present.
import { z } from 'zod';
import type { RadiopaediaImage, RadiopaediaStack } from './types';

export const DEFAULT_CDN_BASE = 'https://prod-images-static.radiopaedia.org/images';

const id = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
const text = z.string().nullish().catch(null);

const stackImageSchema = z.object({
  id,
  fullscreen_filename: text,
  public_filename: text,
  plane_projection: text,
  aux_modality: text,
  position: z.number().nullish().catch(null),
  content_type: text,
  download_image_url: text,
});

/** `GET /studies/{id}/stacks` and the inline `var stackedImages`: an array of stacks. */
export const stacksJsonSchema = z.array(
  z.object({
    modality: text,
    images: z
      .array(stackImageSchema)
      .nullish()
      .transform((v) => v ?? []),
  }),
);

/** `GET /studies/{id}/annotated_viewer_json`. */
export const viewerJsonSchema = z.object({
  study: z.object({
    id,
    modality: text,
    findings: text,
    caption: text,
    series: z
      .array(
        z.object({
          perspective: text,
          specifics: text,
          content_type: text,
          frames: z
            .array(z.object({ id }))
            .nullish()
            .transform((v) => v ?? []),
          encodings: z
            .object({
              thumbnailed_files: z
                .array(z.object({ original: text, big_gallery: text, gallery: text }))
                .nullish()
                .catch(null),
            })
            .nullish()
            .catch(null),
        }),
      )
      .nullish()
      .transform((v) => v ?? []),
  }),
});

function absolute(url: string | null | undefined, base: string): string | null {
  if (!url) return null;
  try {
    return new URL(url, base).href;
  } catch {
    return null;
  }
}

/** The "authorized download" of the full-size file (Fæ; §2.3). */
export function downloadUrlFor(imageId: number, siteUrl: string): string {
  return new URL(`/images/${imageId}/download?layout=false`, siteUrl).href;
}

function clean(value: string | null | undefined): string | null {
  const v = value?.trim();
  return v && v.toLowerCase() !== 'null' ? v : null;
}

/** Stacks from the `/stacks` JSON (or inline `stackedImages`), images in `position` order. */
export function stacksFromStacksJson(json: unknown, pageUrl: string): RadiopaediaStack[] {
  const stacks = stacksJsonSchema.parse(json);
  return stacks.map((stack, index) => {
    const images: RadiopaediaImage[] = stack.images.map((img) => ({
      id: img.id,
      position: img.position ?? null,
      fullUrl: absolute(img.download_image_url, pageUrl) ?? downloadUrlFor(img.id, pageUrl),
      thumbnailUrl: absolute(img.fullscreen_filename ?? img.public_filename, pageUrl),
      contentType: img.content_type ?? null,
    }));
    const positioned = images.every((img) => img.position !== null);
    if (positioned) images.sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    const first = stack.images[0];
    return {
      position: index + 1,
      plane_projection: clean(first?.plane_projection),
      aux_modality: clean(first?.aux_modality),
      modality: clean(stack.modality),
      images,
    };
  });
}

/** A study's fields and stacks from `annotated_viewer_json`: series → stacks, frames in order. */
export function studyFromViewerJson(
  json: unknown,
  pageUrl: string,
  cdnBase = DEFAULT_CDN_BASE,
): { id: number; modality: string | null; findings: string | null; stacks: RadiopaediaStack[] } {
  const { study } = viewerJsonSchema.parse(json);
  const base = cdnBase.replace(/\/+$/, '');
  return {
    id: study.id,
    modality: clean(study.modality),
    findings: clean(study.findings),
    stacks: study.series.map((series, index) => ({
      position: index + 1,
      plane_projection: clean(series.perspective),
      aux_modality: clean(series.specifics),
      modality: clean(study.modality),
      images: series.frames.map((frame, i) => {
        const files = series.encodings?.thumbnailed_files?.[i];
        const thumb = files?.big_gallery ?? files?.gallery;
        return {
          id: frame.id,
          position: i + 1,
          fullUrl: downloadUrlFor(frame.id, pageUrl),
          thumbnailUrl: thumb ? `${base}/${frame.id}/${thumb}` : null,
          contentType: series.content_type ?? null,
        };
      }),
    })),
  };
}
