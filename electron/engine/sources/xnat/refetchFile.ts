import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CourierError } from '../../../../shared/errors';
import { networkFailure } from '../../clients/httpFailure';
import { xnatNotFound } from '../../clients/xnat/xnatErrors';
import type { XnatClient } from '../../clients/xnat/xnatClient';

/**
 * Downloads one file of a resource (`GET …/resources/{R}/files/{path}`) into `dest` through a `.part`
 * file, checking it against the MD5 the zip gave: used when an item's staged copy is gone (a retry after
 * the batch cleaned up, a work folder emptied by hand). Returns the size.
 */
export async function refetchFile(
  client: XnatClient,
  restPath: string,
  dest: string,
  expectedMd5: string,
  signal: AbortSignal,
): Promise<number> {
  const what = `download of ${restPath}`;
  const response = await client.session.send({ method: 'GET', path: restPath, what, signal });
  if (response.status !== 200) {
    throw await client.session.failure(response, what, () =>
      xnatNotFound('file', `${restPath} is no longer on the server`, { path: restPath }),
    );
  }
  await mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const md5 = createHash('md5');
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      md5.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(response.body, hasher, createWriteStream(part, { highWaterMark: 1 << 20 }), { signal });
    if (!response.body.complete) throw new Error('the connection ended before the end of the file');
  } catch (err) {
    response.body.destroy();
    await rm(part, { force: true });
    throw networkFailure(err, what);
  }
  const digest = md5.digest('hex');
  if (expectedMd5 && digest !== expectedMd5) {
    await rm(part, { force: true });
    throw new CourierError({
      code: 'xnat-file-changed',
      message: `${what}: the file on XNAT changed since the experiment was downloaded (MD5 ${digest}, expected ${expectedMd5}); download the experiment again as a new batch`,
    });
  }
  await rename(part, dest);
  return size;
}
