import { CourierError } from '../../../../shared/errors';
import type { PutFileResult } from '../../clients/xnat/xnatClient';
import { digestMismatch } from '../../clients/xnat/xnatFiles';
import { describeOwner } from '../../clients/xnat/xnatPaths';
import type { UploadPlace } from './uploadPlace';
import type { RequestGate, XnatConnection } from './xnatConnections';

/**
 * Compares the MD5 of the bytes sent with the `digest` XNAT lists for the file. The listing may be shared
 * with other files of the resource that finished at the same time; `gate` lets it through the host's
 * limits. A mismatch throws `digest-mismatch` naming both digests (retried by the runner, which replaces
 * this batch's own damaged copy, then `attention`); a file XNAT does not list yet is a retryable
 * `xnat-file-missing`. Returns the result marked verified, or unverified when the site keeps no checksums.
 */
export async function checkDigest(
  connection: XnatConnection,
  place: UploadPlace,
  sent: PutFileResult,
  gate?: RequestGate,
): Promise<PutFileResult> {
  const owner = {
    project: place.project,
    subject: place.subject,
    experiment: place.experiment,
    scan: place.scan,
  };
  const what = `upload of ${place.fileName} to resource '${place.resource}' of ${describeOwner(owner)}`;
  const listed = await connection.fresh(place, gate);
  if (!listed) {
    throw new CourierError({
      code: 'xnat-file-missing',
      message: `${what}: XNAT accepted the file but does not list it in resource '${place.resource}'`,
      retryable: true,
    });
  }
  if (listed.digest === null) return { ...sent, serverDigest: null, verified: false };
  if (listed.digest !== sent.md5) throw digestMismatch(what, listed.digest, sent.md5, sent.duplicate);
  return { ...sent, serverDigest: listed.digest, verified: true };
}
