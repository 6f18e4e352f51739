// The wiki form's page-text options turned into the one template the wiki target takes: a licence chosen
// for every file replaces `${licence}`, extra categories are added below, and an untouched default stays
// unset (so the target's own default applies).
import {
  categoryName,
  DEFAULT_PAGE_TEMPLATE,
  licenceTemplate,
  unknownPlaceholders,
} from '../../../../shared/wikiPage';

export const COMMONS_API = 'https://commons.wikimedia.org/w/api.php';

export interface PageOptions {
  template: string;
  /** A licence template name for every file (`CC-BY-4.0`); empty: each file's own licence. */
  licence: string;
  /** Extra categories, one per line. */
  categories: string;
}

/** The names in a multi-line field: trimmed, blank lines dropped, repeats removed. */
export function linesOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
}

/** The page template to send, or undefined for the target's default. */
export function composePageTemplate(options: PageOptions): string | undefined {
  let template = options.template;
  const licence = options.licence.trim();
  if (licence) {
    const tpl = licenceTemplate(licence);
    template = template.replaceAll('${licence}', tpl).replaceAll('${license}', tpl);
  }
  const categories = linesOf(options.categories)
    .map((c) => categoryName(c.replace(/^\[\[|\]\]$/g, '').replace(/^category:/i, '')))
    .filter(Boolean);
  if (categories.length > 0) {
    template = `${template.trimEnd()}\n${categories.map((c) => `[[Category:${c}]]`).join('\n')}\n`;
  }
  return template === DEFAULT_PAGE_TEMPLATE ? undefined : template;
}

/** What is wrong with a template, in words, or null. */
export function templateError(template: string): string | null {
  if (!template.trim()) return 'The page text cannot be empty.';
  const unknown = unknownPlaceholders(template);
  return unknown.length > 0
    ? `Unknown placeholder${unknown.length === 1 ? '' : 's'}: ${unknown.map((n) => `\${${n}}`).join(', ')}.`
    : null;
}

/** What is wrong with the reference wikis, or null. */
export function referenceError(text: string): string | null {
  const bad = linesOf(text).filter((line) => {
    try {
      return !['http:', 'https:'].includes(new URL(line).protocol);
    } catch {
      return true;
    }
  });
  return bad.length > 0 ? `Not the address of a wiki’s api.php: ${bad.join(', ')}.` : null;
}
