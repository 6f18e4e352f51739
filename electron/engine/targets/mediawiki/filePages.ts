import { capitaliseFirst, fileNameToDbKey } from '../../../../shared/wikiTitle';
import type { SiteInfo, WikiFile } from '../../clients/mediawiki';

// wfUrlencode keeps these readable in page URLs.
const KEPT = /%(3B|40|24|21|2A|28|29|2C|2F|7E|3A)/g;

/** The URL of a file's description page, from the wiki's own server and article path. */
export function filePageUrl(site: SiteInfo, apiUrl: string, name: string): string {
  const server = site.server.startsWith('//') ? `${new URL(apiUrl).protocol}${site.server}` : site.server;
  const key = capitaliseFirst(fileNameToDbKey(name));
  const encoded = encodeURIComponent(`File:${key}`).replace(KEPT, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
  return `${server}${site.articlePath.replace('$1', encoded)}`;
}

/** A file found on a wiki, as the ledger and the operator see it. */
export interface FoundFile {
  /** The wiki's api.php. */
  api: string;
  /** `File:Name.png` */
  title: string;
  url: string;
}

export function foundFile(api: string, file: WikiFile): FoundFile {
  return { api, title: file.title, url: file.descriptionUrl || file.url };
}

/** `File:A.png (https://…), File:B.png (https://…)` for a message. */
export function describeFound(files: readonly FoundFile[]): string {
  return files.map((f) => `${f.title} (${f.url})`).join(', ');
}
