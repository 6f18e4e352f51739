import { describe, expect, it } from 'vitest';
import { COMMONS_API, mediawikiTargetConfig } from '../../../electron/engine/targets/mediawiki/targetConfig';
import { suffixedName } from '../../../electron/engine/targets/mediawiki/outcomes';

describe('mediawiki target settings', () => {
  it('checks against Wikimedia Commons, with maxlag 5, unless told otherwise', () => {
    expect(mediawikiTargetConfig.parse({ api: 'https://nccommons.org/api.php' })).toEqual({
      api: 'https://nccommons.org/api.php',
      checkApis: [COMMONS_API],
      dryRun: false,
      targetLookupBytes: 1024 * 1024,
      maxlag: 5,
    });
  });

  it.each([
    [{ api: 'ftp://x/api.php' }, 'api: must be an http(s) URL of api.php'],
    [
      { api: 'https://x/api.php', pageTemplate: '${description} ${lisence}' },
      'pageTemplate: unknown placeholder(s): ${lisence}',
    ],
    [{ api: 'https://x/api.php', chunkSize: 100 }, 'chunkSize'],
    [
      { api: 'https://x/api.php', checkApis: ['not a url'] },
      'checkApis.0: must be an http(s) URL of api.php',
    ],
  ])('refuses %j', (config, problem) => {
    const parsed = mediawikiTargetConfig.safeParse(config);
    expect(parsed.success).toBe(false);
    const issues = parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    expect(issues).toContain(problem);
  });

  it.each([
    ['Chest.png', 'Chest (2).png'],
    ['Scan.v2.jpg', 'Scan.v2 (2).jpg'],
    ['NoExtension', 'NoExtension (2)'],
  ])('offers %s renamed as %s', (name, renamed) => {
    expect(suffixedName(name)).toBe(renamed);
  });
});
