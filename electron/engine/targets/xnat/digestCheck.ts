import { CourierError } from '../../../../shared/errors';
import type { PutFileResult } from '../../clients/xnat/xnatClient';
import { describeOwner } from '../../clients/xnat/xnatPaths';
import type { UploadPlace } from './uploadPlace';
import type { XnatConnection } from './xnatConnections';

/**
 * Compares the MD5 of the bytes sent with the `digest` XNAT lists for the file (the listing may be shared
 * with other files of the resource that finished at the same time). A mismatch throws `digest-mismatch`
 * naming both digests; a file XNAT does not list yet is a retryable `xnat-file-missing`. Returns the
 * result marked verified, or unverified when the site keeps no checksums.
 */
export async function checkDigest(
  connection: XnatConnection,
  place: UploadPlace,
  sent: PutFileResult,
): Promise<PutFileResult> {
  const owner = {
    project: place.project,
    subject: place.subject,
    experiment: place.experiment,
    scan: place.scan,
  };
  const what = `upload of ${place.fileName} to resource '${place.resource}' of ${describeOwner(owner)}`;
  const listed = await connection.fresh(place);
  if (!listed) {
    throw new CourierError({
      code: 'xnat-file-missing',
      message: `${what}: XNAT accepted the file but does not list it in resource '${place.resource}'`,
      retryable: true,
    });
  }
  if (listed.digest === null) return { ...sent, serverDigest: null, verified: false };
  if (listed.digest !== sent.md5) {
    throw new CourierError({
      code: 'digest-mismatch',
      message:
        `${what}: XNAT holds MD5 ${listed.digest} but the local file's MD5 is ${sent.md5}` +
        (sent.duplicate
          ? ' (a different file of that name was already there; upload with overwrite to replace it)'
          : ''),
      retryable: false,
      detail: { localMd5: sent.md5, serverDigest: listed.digest, duplicate: sent.duplicate },
    });
  }
  return { ...sent, serverDigest: listed.digest, verified: true };
}
