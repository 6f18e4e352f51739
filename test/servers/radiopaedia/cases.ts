// The fixture's cases: deterministic, each one exercising one thing the extractor and the naming scheme
// must handle (reference/sources.md §2.2–2.4).
import type { FixtureFormat } from './media';

export const CC_BY_NC_SA_3 = 'http://creativecommons.org/licenses/by-nc-sa/3.0/';
export const CC_BY_SA_4 = 'https://creativecommons.org/licenses/by-sa/4.0/';

export interface FixtureImage {
  id: number;
  position: number;
  plane_projection: string | null;
  aux_modality: string | null;
  /** What the served original really is. */
  format: FixtureFormat;
  /** What the stacks JSON claims (`content_type`); the BMP case claims JPEG. */
  declaredType: string;
}

export interface FixtureStack {
  modality: string;
  plane_projection: string | null;
  aux_modality: string | null;
  images: FixtureImage[];
}

export interface FixtureStudy {
  id: number;
  modality: string;
  findings: string;
  caption: string;
  stacks: FixtureStack[];
}

/**
 * How the page gets its stacks: `stacks` = fetch `/studies/{id}/stacks` (older viewer), `viewer-json` =
 * fetch `/studies/{id}/annotated_viewer_json` (current viewer), `inline` = `var stackedImages = [...]`.
 */
export type DataMode = 'stacks' | 'viewer-json' | 'inline';

export interface FixtureCase {
  rid: number;
  slug: string;
  title: string;
  author: string;
  published: string;
  systems: string[];
  /** `<link rel="license">` href; null = no link at all. */
  license: string | null;
  requiresSignIn: boolean;
  dataMode: DataMode;
  studies: FixtureStudy[];
}

interface StackSpec {
  plane: string | null;
  aux: string | null;
  count: number;
  format?: FixtureFormat;
  /** Formats by image index, overriding `format`. */
  formats?: FixtureFormat[];
  declaredType?: string;
}

interface StudySpec {
  modality: string;
  findings: string;
  stacks: StackSpec[];
}

const TYPES: Record<FixtureFormat, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  mp4: 'video/mp4',
};

function buildCase(
  base: Omit<FixtureCase, 'studies' | 'requiresSignIn' | 'dataMode' | 'license'> &
    Partial<Pick<FixtureCase, 'requiresSignIn' | 'dataMode' | 'license'>>,
  studies: StudySpec[],
): FixtureCase {
  let imageSerial = 0;
  return {
    requiresSignIn: false,
    dataMode: 'stacks',
    license: CC_BY_NC_SA_3,
    ...base,
    studies: studies.map((study, s) => ({
      id: base.rid * 10 + s + 1,
      modality: study.modality,
      findings: study.findings,
      caption: `${study.modality} study ${s + 1}`,
      stacks: study.stacks.map((stack) => ({
        modality: study.modality,
        plane_projection: stack.plane,
        aux_modality: stack.aux,
        images: Array.from({ length: stack.count }, (_, i) => {
          const format = stack.formats?.[i] ?? stack.format ?? 'jpg';
          return {
            id: base.rid * 1000 + ++imageSerial,
            position: i + 1,
            plane_projection: stack.plane,
            aux_modality: stack.aux,
            format,
            declaredType: stack.declaredType ?? TYPES[format],
          };
        }),
      })),
    })),
  };
}

/** The catalogue. `largeCaseImages` sizes case 25855 (3 stacks), as in Fæ's example. */
export function fixtureCases(largeCaseImages = 250): FixtureCase[] {
  const axial = Math.ceil(largeCaseImages * 0.4);
  const coronal = Math.ceil((largeCaseImages - axial) / 2);
  const sagittal = largeCaseImages - axial - coronal;
  return [
    buildCase(
      {
        rid: 70001,
        slug: 'medulloblastoma-4',
        title: 'Medulloblastoma',
        author: 'Frank Gaillard',
        published: '14 Aug 2019',
        systems: ['Central Nervous System', 'Paediatrics'],
      },
      [
        {
          modality: 'MRI',
          findings: 'A midline posterior fossa mass arising from the vermis.',
          stacks: [
            { plane: 'Axial', aux: 'T1', count: 4 },
            { plane: 'Sagittal', aux: 'T2', count: 3, format: 'png' },
            { plane: 'Coronal', aux: 'T1 C+', count: 3 },
          ],
        },
      ],
    ),
    buildCase(
      {
        rid: 70002,
        slug: 'abdominal-aortic-aneurysm-12',
        title: 'Abdominal aortic aneurysm',
        author: 'Henry Knipe',
        published: '3 Feb 2021',
        systems: ['Vascular'],
        dataMode: 'viewer-json',
      },
      [
        {
          modality: 'CT',
          findings: 'Infrarenal aortic aneurysm, 6.1 cm.',
          stacks: [
            { plane: 'Axial', aux: 'C+ arterial phase', count: 3 },
            { plane: 'Sagittal', aux: 'C+ portal venous phase', count: 2 },
          ],
        },
        {
          modality: 'Ultrasound',
          findings: 'Aneurysmal infrarenal aorta.',
          stacks: [{ plane: null, aux: null, count: 2 }],
        },
      ],
    ),
    buildCase(
      {
        rid: 70003,
        slug: 'scaphoid-fracture-2',
        title: 'Scaphoid fracture',
        author: 'Andrew Dixon',
        published: '21 Jun 2015',
        systems: ['Musculoskeletal', 'Trauma'],
        dataMode: 'inline',
      },
      [
        {
          modality: 'X-ray',
          findings: 'Undisplaced waist fracture.',
          stacks: [{ plane: 'Frontal', aux: null, count: 1, format: 'png' }],
        },
      ],
    ),
    buildCase(
      {
        rid: 70004,
        slug: 'pelvic-fractures-oblique',
        title: 'Pelvic fractures: Tile C / open-book',
        author: 'Jeremy Jones',
        published: '9 Sep 2017',
        systems: ['Musculoskeletal'],
      },
      [
        {
          modality: 'X-ray',
          findings: 'Several oblique views.',
          stacks: [
            { plane: 'Oblique', aux: null, count: 2 },
            { plane: 'Oblique', aux: null, count: 1 },
            { plane: null, aux: null, count: 2 },
            { plane: 'Frontal', aux: null, count: 1 },
            { plane: 'Oblique', aux: null, count: 1 },
          ],
        },
      ],
    ),
    buildCase(
      {
        rid: 70005,
        slug: 'ovarian-torsion-us',
        title: 'Ovarian torsion',
        author: 'Maxime St-Amant',
        published: '2 Mar 2022',
        systems: ['Gynaecology'],
      },
      [
        {
          modality: 'Ultrasound',
          findings: 'Enlarged ovary without flow.',
          stacks: [{ plane: null, aux: null, count: 1, format: 'mp4' }],
        },
      ],
    ),
    buildCase(
      {
        rid: 70006,
        slug: 'old-bitmap-case',
        title: 'Osteoid osteoma',
        author: 'Bruno Di Muzio',
        published: '12 Jan 2011',
        systems: ['Musculoskeletal'],
      },
      [
        {
          modality: 'CT',
          findings: 'Nidus in the cortex.',
          stacks: [
            {
              plane: 'Axial',
              aux: 'bone window',
              count: 2,
              formats: ['jpg', 'bmp'],
              declaredType: 'image/jpeg',
            },
          ],
        },
      ],
    ),
    buildCase(
      {
        rid: 70007,
        slug: 'members-only-case',
        title: 'Members only case',
        author: 'Ian Bickle',
        published: '5 May 2020',
        systems: ['Chest'],
        requiresSignIn: true,
      },
      [
        {
          modality: 'X-ray',
          findings: 'Hidden behind sign-in.',
          stacks: [{ plane: 'PA', aux: null, count: 2 }],
        },
      ],
    ),
    buildCase(
      {
        rid: 70008,
        slug: 'no-licence-link',
        title: 'Pneumothorax',
        author: 'Craig Hacking',
        published: '1 Apr 2018',
        systems: ['Chest'],
        license: null,
      },
      [
        {
          modality: 'X-ray',
          findings: 'Left apical pneumothorax.',
          stacks: [{ plane: 'Frontal', aux: null, count: 2 }],
        },
      ],
    ),
    buildCase(
      {
        rid: 70009,
        slug: 'other-licence',
        title: 'Colloid cyst',
        author: 'Yuranga Weerakkody',
        published: '8 Nov 2016',
        systems: ['Central Nervous System'],
        license: CC_BY_SA_4,
      },
      [
        {
          modality: 'CT',
          findings: 'Hyperdense foramen of Monro lesion.',
          stacks: [{ plane: 'Axial', aux: 'non-contrast', count: 2 }],
        },
      ],
    ),
    buildCase(
      {
        rid: 25855,
        slug: 'large-stack-case',
        title: 'Glioblastoma',
        author: 'Frank Gaillard',
        published: '30 Oct 2013',
        systems: ['Central Nervous System', 'Oncology'],
      },
      [
        {
          modality: 'MRI',
          findings: 'A large enhancing mass with central necrosis.',
          stacks: [
            { plane: 'Axial', aux: 'T1 C+', count: axial },
            { plane: 'Coronal', aux: 'T1 C+', count: coronal },
            { plane: 'Sagittal', aux: 'T1 C+', count: sagittal },
          ].filter((s) => s.count > 0),
        },
      ],
    ),
  ];
}
