import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../electron/engine/sources/radiopaedia/fileFormat';
import { isExpectedLicence, licenceKey } from '../../../electron/engine/sources/radiopaedia/licence';
import { fixtureBytes } from '../../servers/radiopaedia/media';

const bytes = (...parts: (number[] | string)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('detectFormat', () => {
  it.each([
    ['jpg', fixtureBytes('jpg', 'x', 500)],
    ['png', fixtureBytes('png', 'x', 500)],
    ['gif', fixtureBytes('gif', 'x', 500)],
    ['webp', fixtureBytes('webp', 'x', 500)],
    ['bmp', fixtureBytes('bmp', 'x', 500)],
    ['mp4', fixtureBytes('mp4', 'x', 500)],
    ['mp4', bytes([0, 0, 0, 0x20], 'ftypmp42', [0, 0, 0, 0])],
    ['mov', bytes([0, 0, 0, 0x14], 'ftypqt  ', [0, 0, 0, 0])],
    ['avif', bytes([0, 0, 0, 0x1c], 'ftypavif', [0, 0, 0, 0])],
    ['webm', bytes([0x1a, 0x45, 0xdf, 0xa3, 1, 2])],
    ['tif', bytes([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0])],
    ['tif', bytes([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8])],
    ['pdf', bytes('%PDF-1.7\n')],
    ['svg', bytes('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>')],
    ['html', bytes('\n  <!DOCTYPE html><html><body>Sign in</body></html>')],
    ['avi', bytes('RIFF', [0, 0, 0, 0], 'AVI LIST')],
  ])('%s', (ext, data) => {
    expect(detectFormat(data)?.ext).toBe(ext);
  });

  it.each([
    ['empty', bytes()],
    ['text', bytes('hello world')],
    ['"BM" without a bitmap header', bytes('BMnot really a bitmap at all, no')],
  ])('unknown: %s', (_, data) => {
    expect(detectFormat(data)).toBeNull();
  });
});

describe('licence', () => {
  it.each([
    ['http://creativecommons.org/licenses/by-nc-sa/3.0/', true],
    ['https://creativecommons.org/licenses/by-nc-sa/3.0', true],
    ['https://creativecommons.org/licenses/by-nc-sa/3.0/deed.en', true],
    ['https://www.creativecommons.org/licenses/by-nc-sa/3.0/legalcode', true],
    ['https://creativecommons.org/licenses/by-nc-sa/4.0/', false],
    ['https://creativecommons.org/licenses/by-sa/3.0/', false],
    ['https://radiopaedia.org/licence', false],
  ])('%s expected: %s', (url, ok) => {
    expect(isExpectedLicence(url, ['https://creativecommons.org/licenses/by-nc-sa/3.0/'])).toBe(ok);
  });

  it('reduces a URL to its identity', () => {
    expect(licenceKey('HTTPS://creativecommons.org/licenses/by-nc-sa/3.0/?x=1')).toBe(
      'creativecommons.org/licenses/by-nc-sa/3.0',
    );
  });
});
