import { BASE_JPEGS_BASE64 } from './baseJpegs';

/**
 * A deterministic stand-in for the ISIC Archive's public images: every value is a hash of
 * (seed, image index, field), so the same options always give the same archive, and 10,000 images cost
 * only their metadata (file bytes are made on request). Shapes follow ImageOut / CollectionOut of
 * ImageMarkup/isic (reference/sources.md §1.1); values are invented.
 */

export interface IsicDatasetOptions {
  /** Number of images (default 300). */
  images?: number;
  seed?: number;
  /** Sizes of the full images in bytes (each is a valid JPEG padded to a size in this range). */
  imageBytes?: { min: number; max: number };
}

export interface FixtureImage {
  index: number;
  isicId: string;
  /** Python's str(datetime) of `created`, the cursor position (newest first). */
  created: string;
  public: boolean;
  copyrightLicense: string;
  attribution: string;
  fullSize: number;
  thumbnailSize: number;
  baseJpeg: number;
  metadata: { acquisition: Record<string, unknown>; clinical: Record<string, unknown> };
  collections: number[];
}

export interface FixtureCollection {
  id: number;
  name: string;
  description: string;
  public: boolean;
  pinned: boolean;
  locked: boolean;
  doi: string | null;
  doi_url: string | null;
  created: string;
  /** Which images belong: a share of the archive chosen by hash. */
  share: number;
}

export const LICENSE_TEXTS: Record<string, string> = {
  'CC-0':
    'CC0 1.0 Universal (fixture copy)\n\nThe person who associated a work with this deed has dedicated the work to the public domain by waiving all of his or her rights to the work worldwide under copyright law.\n\nhttps://creativecommons.org/publicdomain/zero/1.0/legalcode\n',
  'CC-BY':
    'Attribution 4.0 International (fixture copy)\n\nYou are free to share and adapt the material for any purpose, provided you give appropriate credit.\n\nhttps://creativecommons.org/licenses/by/4.0/legalcode\n',
  'CC-BY-NC':
    'Attribution-NonCommercial 4.0 International (fixture copy)\n\nYou are free to share and adapt the material, provided you give appropriate credit and do not use it for commercial purposes.\n\nhttps://creativecommons.org/licenses/by-nc/4.0/legalcode\n',
};

/** Cohorts: an attribution with the licence its images carry, and a weight. */
const COHORTS: { attribution: string; license: string; weight: number }[] = [
  { attribution: 'Memorial Sloan Kettering Cancer Center', license: 'CC-0', weight: 30 },
  { attribution: 'Hospital Clínic de Barcelona', license: 'CC-BY-NC', weight: 25 },
  {
    attribution: 'ViDIR Group, Department of Dermatology, Medical University of Vienna',
    license: 'CC-BY-NC',
    weight: 20,
  },
  {
    attribution: 'Department of Dermatology, Hospital Italiano de Buenos Aires',
    license: 'CC-BY',
    weight: 10,
  },
  {
    attribution: 'The University of Queensland Diamantina Institute, Dermatology Research Centre',
    license: 'CC-BY',
    weight: 5,
  },
  { attribution: 'Anonymous', license: 'CC-0', weight: 10 },
];

/** [diagnosis_1, diagnosis_2, diagnosis_3, melanocytic, weight] */
const DIAGNOSES: [string, string | null, string | null, boolean | null, number][] = [
  ['Benign', 'Benign melanocytic proliferations', 'Nevus', true, 40],
  ['Benign', 'Benign epidermal proliferations', 'Pigmented benign keratosis', false, 10],
  ['Benign', 'Benign epidermal proliferations', 'Seborrheic keratosis', false, 6],
  ['Benign', 'Benign epidermal proliferations', 'Solar lentigo', false, 4],
  ['Benign', 'Benign soft tissue proliferations - Fibro-histiocytic', 'Dermatofibroma', false, 3],
  ['Malignant', 'Malignant melanocytic proliferations (Melanoma)', 'Melanoma Invasive', true, 10],
  ['Malignant', 'Malignant melanocytic proliferations (Melanoma)', 'Melanoma in situ', true, 6],
  ['Malignant', 'Malignant adnexal epithelial proliferations - Follicular', 'Basal cell carcinoma', false, 8],
  ['Malignant', 'Malignant epidermal proliferations', 'Squamous cell carcinoma, Invasive', false, 3],
  ['Indeterminate', null, null, null, 2],
];

const IMAGE_TYPES: [string, number][] = [
  ['dermoscopic', 75],
  ['clinical: close-up', 15],
  ['clinical: overview', 5],
  ['TBP tile: close-up', 5],
];
const DERMOSCOPIC_TYPES = ['contact polarized', 'contact non-polarized', 'non-contact polarized'];
const SITES = [
  'head/neck',
  'upper extremity',
  'lower extremity',
  'anterior torso',
  'posterior torso',
  'palms/soles',
];
const CONFIRM_TYPES = ['serial imaging showing no change', 'single image expert consensus', 'histopathology'];
const FITZPATRICK = ['I', 'II', 'III', 'IV', 'V', 'VI'];

export const FIXTURE_COLLECTIONS: readonly Omit<FixtureCollection, 'created'>[] = [
  coll(61, 'Challenge 2016: Training', 0.3, true, '10.34970/100001'),
  coll(74, 'Challenge 2017: Training', 0.4, true, '10.34970/100002'),
  coll(212, 'Challenge 2019: Training', 0.5, false, null),
  coll(249, 'HAM10000', 0.35, true, '10.34970/100004'),
  coll(289, 'Consecutive biopsies (fixture)', 0.1, false, null),
  coll(301, 'Empty collection (fixture)', 0, false, null),
];

function coll(id: number, name: string, share: number, pinned: boolean, doi: string | null) {
  return {
    id,
    name,
    description: `${name} — a collection of the ISIC fixture archive.`,
    public: true,
    pinned,
    locked: doi !== null,
    doi,
    doi_url: doi ? `https://doi.org/${doi}` : null,
    share,
  };
}

/** A 32-bit hash of the inputs, mapped to [0, 1). */
function rand(seed: number, index: number, salt: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ index, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13) ^ salt, 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x27d4eb2f) >>> 0;
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

function weighted<T>(items: T[], weightOf: (item: T) => number, r: number): T {
  const total = items.reduce((sum, item) => sum + weightOf(item), 0);
  let x = r * total;
  for (const item of items) {
    x -= weightOf(item);
    if (x < 0) return item;
  }
  return items[items.length - 1]!;
}

const BASES = BASE_JPEGS_BASE64.map((b64) => Buffer.from(b64, 'base64'));
const MAX_SEGMENT = 65537; // a COM segment: 2 marker bytes, 2 length bytes, at most 65533 bytes of text

/** The size a base JPEG reaches when padded towards `target` (padding needs at least 4 bytes). */
export function paddedLength(baseLength: number, target: number): number {
  return target - baseLength >= 4 ? target : baseLength;
}

/** A valid JPEG: the base with COM segments after its APP0 header until it is `size` bytes long. */
export function paddedJpeg(base: number, size: number, text: string): Buffer {
  const jpeg = BASES[base % BASES.length]!;
  const app0End = 4 + jpeg.readUInt16BE(4); // SOI (2) + APP0 marker (2) + APP0 length
  const out = Buffer.allocUnsafe(size);
  jpeg.copy(out, 0, 0, app0End);
  let at = app0End;
  let pad = size - jpeg.length;
  const filler = Buffer.from(`${text} `);
  while (pad >= 4) {
    let take = Math.min(pad, MAX_SEGMENT);
    if (pad - take > 0 && pad - take < 4) take -= 4;
    out[at] = 0xff;
    out[at + 1] = 0xfe;
    out.writeUInt16BE(take - 2, at + 2);
    out.fill(filler, at + 4, at + take);
    at += take;
    pad -= take;
  }
  jpeg.copy(out, at, app0End);
  return out;
}

function pythonDatetime(ms: number, micros: number): string {
  const iso = new Date(ms).toISOString(); // 2019-01-01T00:00:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(micros).padStart(6, '0')}+00:00`;
}

export function generateDataset(options: IsicDatasetOptions = {}): {
  images: FixtureImage[];
  collections: FixtureCollection[];
} {
  const count = options.images ?? 300;
  const seed = options.seed ?? 7;
  const minBytes = options.imageBytes?.min ?? 2048;
  const maxBytes = Math.max(minBytes, options.imageBytes?.max ?? 6144);
  const start = Date.UTC(2019, 0, 1);
  const collections = FIXTURE_COLLECTIONS.map((c, i) => ({
    ...c,
    created: pythonDatetime(Date.UTC(2020, i, 1), 0),
  }));

  const images: FixtureImage[] = [];
  for (let i = 0; i < count; i++) {
    const r = (salt: number) => rand(seed, i, salt);
    // Cohorts come in runs of consecutive accessions, as uploads do.
    const cohort = weighted(COHORTS, (c) => c.weight, rand(seed, Math.floor(i / 37), 1));
    const baseJpeg = Math.floor(r(2) * BASES.length);
    const base = BASES[baseJpeg]!;
    const fullSize = paddedLength(base.length, minBytes + Math.floor(r(3) * (maxBytes - minBytes + 1)));
    const thumbnailSize = paddedLength(base.length, base.length + 200 + Math.floor(r(4) * 400));

    const imageType = weighted(IMAGE_TYPES, (t) => t[1], r(5))[0];
    const acquisition: Record<string, unknown> = {
      pixels_x: 600 + Math.floor(r(6) * 54) * 100,
      pixels_y: 450 + Math.floor(r(7) * 40) * 100,
      image_type: imageType,
    };
    if (imageType === 'dermoscopic' && r(8) < 0.6) {
      acquisition.dermoscopic_type = DERMOSCOPIC_TYPES[Math.floor(r(9) * DERMOSCOPIC_TYPES.length)];
    }
    if (r(10) < 0.2) acquisition.marker_pen = r(11) < 0.3;

    const [d1, d2, d3, melanocytic] = weighted(DIAGNOSES, (d) => d[4], r(12));
    const clinical: Record<string, unknown> = {};
    if (r(13) < 0.92) clinical.age_approx = 5 * (1 + Math.floor(r(14) * 17));
    if (r(15) < 0.95) clinical.sex = r(16) < 0.5 ? 'male' : 'female';
    if (r(17) < 0.85) clinical.anatom_site_1 = SITES[Math.floor(r(18) * SITES.length)];
    clinical.diagnosis_1 = d1;
    if (d2) clinical.diagnosis_2 = d2;
    if (d3) clinical.diagnosis_3 = d3;
    clinical.diagnosis_confirm_type =
      d1 === 'Malignant' ? 'histopathology' : CONFIRM_TYPES[Math.floor(r(19) * CONFIRM_TYPES.length)];
    if (melanocytic !== null && r(20) < 0.8) clinical.melanocytic = melanocytic;
    if (r(21) < 0.7) clinical.lesion_id = `IL_${String(Math.floor(r(22) * 1e7)).padStart(7, '0')}`;
    if (r(23) < 0.6) clinical.patient_id = `IP_${String(Math.floor(r(24) * 1e7)).padStart(7, '0')}`;
    if (r(25) < 0.2) clinical.clin_size_long_diam_mm = Math.round((2 + r(26) * 13) * 10) / 10;
    if (r(27) < 0.25) {
      clinical.family_hx_mm = r(28) < 0.2;
      clinical.personal_hx_mm = r(29) < 0.3;
    }
    if (r(30) < 0.15) clinical.fitzpatrick_skin_type = FITZPATRICK[Math.floor(r(31) * FITZPATRICK.length)];
    if (d3 === 'Melanoma Invasive' && r(32) < 0.5)
      clinical.mel_thick_mm = Math.round((0.2 + r(33) * 3.3) * 100) / 100;
    if (r(34) < 0.4) clinical.concomitant_biopsy = d1 === 'Malignant' || r(35) < 0.2;

    const inCollections = collections.filter((c, k) => rand(seed, i, 100 + k) < c.share).map((c) => c.id);
    images.push({
      index: i,
      isicId: `ISIC_${String(i).padStart(7, '0')}`,
      created: pythonDatetime(start + i * 61_000, Math.floor(r(36) * 1e6)),
      public: true,
      copyrightLicense: cohort.license,
      attribution: cohort.attribution,
      fullSize,
      thumbnailSize,
      baseJpeg,
      metadata: { acquisition, clinical },
      collections: inCollections,
    });
  }
  return { images, collections };
}
