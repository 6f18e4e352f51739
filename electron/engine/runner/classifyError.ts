import { CourierError } from '../../../shared/errors';

const FILE_ERRORS: Record<string, { code: string; text: string; retryable: boolean }> = {
  ENOENT: { code: 'missing-file', text: 'the file or folder does not exist', retryable: false },
  EACCES: { code: 'permission-denied', text: 'permission denied', retryable: false },
  EPERM: { code: 'permission-denied', text: 'the operation is not permitted', retryable: false },
  EROFS: { code: 'read-only', text: 'the destination is on a read-only file system', retryable: false },
  ENOSPC: { code: 'disk-full', text: 'the disk is full', retryable: false },
  EDQUOT: { code: 'disk-full', text: 'the disk quota is exhausted', retryable: false },
  EISDIR: { code: 'is-directory', text: 'a folder stands where a file was expected', retryable: false },
  ENOTDIR: { code: 'not-directory', text: 'a file stands where a folder was expected', retryable: false },
  EMFILE: { code: 'too-many-open-files', text: 'too many files are open', retryable: true },
  EBUSY: { code: 'busy', text: 'the file is busy or locked', retryable: true },
  EIO: { code: 'io-error', text: 'the disk reported an input/output error', retryable: true },
};

/** Turns anything thrown by a step into a CourierError that names the item and says what to do. */
export function classifyError(err: unknown, itemLabel: string): CourierError {
  if (err instanceof CourierError) return err;
  const e = err as NodeJS.ErrnoException | null;
  const known = e?.code ? FILE_ERRORS[e.code] : undefined;
  if (known) {
    const where = e?.path ? ` (${e.path})` : '';
    return new CourierError({
      code: known.code,
      message: `${itemLabel}: ${known.text}${where}`,
      retryable: known.retryable,
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CourierError({
    code: 'internal',
    message: `${itemLabel}: unexpected error: ${message}`,
    cause: err,
  });
}
