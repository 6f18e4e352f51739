import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Streams `source` as the answer body with backpressure. With `cutAfter`, sends that many bytes and then
 * drops the connection, as a proxy or a crashed server would (the client sees a premature close).
 */
export async function streamBody(
  source: Readable,
  res: ServerResponse,
  cutAfter: number | null,
): Promise<void> {
  if (cutAfter === null) {
    await pipeline(source, res).catch(() => res.destroy());
    return;
  }
  let sent = 0;
  try {
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      const room = cutAfter - sent;
      const part = buf.length > room ? buf.subarray(0, room) : buf;
      sent += part.length;
      const flushed = await new Promise<boolean>((resolve) => {
        if (!res.write(part, () => resolve(true))) res.once('close', () => resolve(false));
      });
      if (!flushed || sent >= cutAfter) break;
    }
  } finally {
    source.destroy();
    res.socket?.destroy();
    res.destroy();
  }
}
