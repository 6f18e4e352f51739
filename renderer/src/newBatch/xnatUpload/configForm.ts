import type { UploaderConfig } from '../../../../shared/commands/xnatUpload';

/**
 * The Configuration sheet as the form edits it: each pattern's cells as one line split at `/` (one cell
 * per path level, as a path is written), each mapping's cells split at `,`, the XNAT section as rows.
 */
export interface ConfigForm {
  patterns: { label: string; cells: string }[];
  mappings: { name: string; sources: string }[];
  xnat: { key: string; value: string }[];
}

export function formOf(config: UploaderConfig): ConfigForm {
  return {
    patterns: config.paths.map((p) => ({ label: p.label, cells: p.cells.join('/') })),
    mappings: Object.entries(config.mappings).map(([name, sources]) => ({
      name,
      sources: sources.join(', '),
    })),
    xnat: Object.entries(config.xnat).map(([key, value]) => ({ key, value })),
  };
}

export function splitCells(line: string): string[] {
  return line
    .split('/')
    .map((c) => c.trim())
    .filter((c, i, all) => c !== '' || (i > 0 && i < all.length - 1));
}

export function splitSources(line: string): string[] {
  return line
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function configOf(form: ConfigForm): UploaderConfig {
  const mappings: Record<string, string[]> = {};
  for (const m of form.mappings) if (m.name.trim()) mappings[m.name.trim()] = splitSources(m.sources);
  const xnat: Record<string, string> = {};
  for (const x of form.xnat) if (x.key.trim()) xnat[x.key.trim()] = x.value.trim();
  return {
    paths: form.patterns.map((p) => ({ label: p.label.trim(), cells: splitCells(p.cells) })),
    mappings,
    xnat,
  };
}

/** Sets (or adds) a key of the XNAT section, keeping the letter case the sheet used. */
export function withXnat(form: ConfigForm, key: string, value: string): ConfigForm {
  const at = form.xnat.findIndex((x) => x.key.toLowerCase() === key.toLowerCase());
  const xnat = [...form.xnat];
  if (at >= 0) xnat[at] = { key: xnat[at]!.key, value };
  else xnat.push({ key, value });
  return { ...form, xnat };
}

export function xnatValue(form: ConfigForm, key: string): string {
  return form.xnat.find((x) => x.key.toLowerCase() === key.toLowerCase())?.value ?? '';
}
