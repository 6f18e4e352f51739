import { describe, expect, it } from 'vitest';
import {
  stacksFromStacksJson,
  studyFromViewerJson,
} from '../../../electron/engine/sources/radiopaedia/stacksData';

const page = 'https://radiopaedia.org/cases/70432';

describe('stacksFromStacksJson', () => {
  it('reads the /stacks shape: full-size = download_image_url, thumbnail = fullscreen_filename, position order', () => {
    const json = [
      {
        modality: 'MRI',
        images: [
          {
            id: 2,
            plane_projection: 'Sagittal',
            aux_modality: 'T1',
            position: 2,
            content_type: 'image/png',
            download_image_url: '/images/2/download?layout=false',
            fullscreen_filename: 'https://cdn.example/images/2/a_big_gallery.jpeg',
            public_filename: 'https://cdn.example/images/2/a.png',
          },
          {
            id: 1,
            plane_projection: 'Sagittal',
            aux_modality: 'T1',
            position: 1,
            content_type: 'image/png',
            download_image_url: '/images/1/download?layout=false',
            fullscreen_filename: null,
            public_filename: 'https://cdn.example/images/1/b.png',
            show_pin: false,
          },
        ],
      },
      { modality: 'MRI', images: [{ id: '3', plane_projection: null, aux_modality: 'null' }] },
    ];
    const stacks = stacksFromStacksJson(json, page);
    expect(stacks[0]).toEqual({
      position: 1,
      plane_projection: 'Sagittal',
      aux_modality: 'T1',
      modality: 'MRI',
      images: [
        {
          id: 1,
          position: 1,
          fullUrl: 'https://radiopaedia.org/images/1/download?layout=false',
          thumbnailUrl: 'https://cdn.example/images/1/b.png',
          contentType: 'image/png',
        },
        {
          id: 2,
          position: 2,
          fullUrl: 'https://radiopaedia.org/images/2/download?layout=false',
          thumbnailUrl: 'https://cdn.example/images/2/a_big_gallery.jpeg',
          contentType: 'image/png',
        },
      ],
    });
    expect(stacks[1]).toMatchObject({ position: 2, plane_projection: null, aux_modality: null });
    expect(stacks[1]?.images[0]).toMatchObject({
      id: 3,
      position: null,
      fullUrl: 'https://radiopaedia.org/images/3/download?layout=false',
    });
  });

  it('refuses data without image ids', () => {
    expect(() => stacksFromStacksJson([{ images: [{ plane_projection: 'Axial' }] }], page)).toThrow();
    expect(() => stacksFromStacksJson({ not: 'an array' }, page)).toThrow();
  });
});

describe('studyFromViewerJson', () => {
  it('turns series into stacks (perspective → plane, specifics → aux) and frames into images', () => {
    const json = {
      study: {
        id: 98689,
        case_id: 83581,
        modality: 'CT',
        caption: null,
        findings: 'Aneurysm',
        series: [
          {
            perspective: 'Axial',
            specifics: 'C+ arterial phase',
            content_type: 'image/jpeg',
            frames: [{ id: 11 }, { id: 12 }],
            encodings: {
              thumbnailed_files: [
                { original: 'a.jpg', big_gallery: 'a_big_gallery.jpeg' },
                { original: 'b.jpg', big_gallery: 'b_big_gallery.jpeg' },
              ],
            },
          },
          { perspective: null, specifics: null, frames: [{ id: 13 }] },
        ],
      },
    };
    const study = studyFromViewerJson(json, page, 'https://cdn.example/images/');
    expect(study).toMatchObject({ id: 98689, modality: 'CT', findings: 'Aneurysm' });
    expect(study.stacks[0]).toEqual({
      position: 1,
      plane_projection: 'Axial',
      aux_modality: 'C+ arterial phase',
      modality: 'CT',
      images: [
        {
          id: 11,
          position: 1,
          fullUrl: 'https://radiopaedia.org/images/11/download?layout=false',
          thumbnailUrl: 'https://cdn.example/images/11/a_big_gallery.jpeg',
          contentType: 'image/jpeg',
        },
        {
          id: 12,
          position: 2,
          fullUrl: 'https://radiopaedia.org/images/12/download?layout=false',
          thumbnailUrl: 'https://cdn.example/images/12/b_big_gallery.jpeg',
          contentType: 'image/jpeg',
        },
      ],
    });
    expect(study.stacks[1]?.images[0]).toMatchObject({ id: 13, thumbnailUrl: null, contentType: null });
  });
});
