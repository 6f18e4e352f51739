import type { UploadWarning, UploadWarningCode, UploadWarningWithCode } from './types';

const NAMED_WARNINGS = new Set([
  'exists',
  'exists-normalized',
  'duplicate-archive',
  'was-deleted',
  'page-exists',
  'badfilename',
  'bad-prefix',
  'thumb',
  'thumb-name',
]);

function asTimestamp(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (
    value &&
    typeof value === 'object' &&
    typeof (value as { timestamp?: unknown }).timestamp === 'string'
  ) {
    return (value as { timestamp: string }).timestamp;
  }
  return null;
}

function asNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (value && typeof value === 'object')
    return Object.values(value).filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** Typed warnings from the `warnings` object of an `action=upload` result (`formatversion=2`). */
export function parseUploadWarnings(raw: unknown): UploadWarning[] {
  if (!raw || typeof raw !== 'object') return [];
  const warnings: UploadWarning[] = [];
  for (const [code, value] of Object.entries(raw as Record<string, unknown>)) {
    if (code === 'duplicate') warnings.push({ code, files: asNames(value) });
    else if (code === 'nochange') warnings.push({ code, timestamp: asTimestamp(value) });
    else if (code === 'duplicateversions') {
      const list = Array.isArray(value) ? value : [value];
      warnings.push({ code, timestamps: list.map(asTimestamp).filter((t): t is string => t !== null) });
    } else if (NAMED_WARNINGS.has(code) && typeof value === 'string') {
      warnings.push({ code: code as Extract<UploadWarning, { file: string }>['code'], file: value });
    } else warnings.push({ code: 'other', apiCode: code, value });
  }
  return warnings;
}

/** The first warning with this code, typed. */
export function findWarning<C extends UploadWarningCode>(
  warnings: readonly UploadWarning[],
  code: C,
): UploadWarningWithCode<C> | undefined {
  return warnings.find((w): w is UploadWarningWithCode<C> => w.code === code);
}

/** True when the wiki already holds these very bytes under this name (`exists` + `nochange`). */
export function isAlreadyUploaded(warnings: readonly UploadWarning[]): boolean {
  return findWarning(warnings, 'exists') !== undefined && findWarning(warnings, 'nochange') !== undefined;
}
