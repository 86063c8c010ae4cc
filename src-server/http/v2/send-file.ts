import type { ServerResponse } from 'node:http';
import type { HeldFile } from '../../storage/driver';

/** Size of each of the two reused read buffers. */
const CHUNK = 1 << 20;

/**
 * Streams bytes `start..end` (inclusive) of an open file to a response whose headers are set, through two reused buffers: a buffer is read into again only after the socket has taken the
 * previous write, so a multi-GiB download allocates nothing per chunk (fresh 1 MiB buffers per
 * chunk made garbage collection the bottleneck). Resolves when the response has ended or the client
 * went away; closes the file either way (which gives its descriptor slot back).
 */
export async function sendFileRange(res: ServerResponse, file: Pick<HeldFile, 'handle' | 'close'>, start: number, end: number): Promise<void> {
  const fh = file.handle;
  // Gone already (it went away while the file waited for its descriptor): 'close' will not come again.
  if (res.destroyed || res.socket?.destroyed !== false) {
    await file.close();
    return;
  }
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  const flushed: Array<Promise<void> | null> = [null, null];
  let aborted = false;
  void closed.then(() => (aborted = !res.writableFinished));
  try {
    let pos = start;
    for (let i = 0; pos <= end && !aborted; i ^= 1) {
      if (flushed[i]) await Promise.race([flushed[i], closed]);
      if (aborted) break;
      const buf = buffers[i]!;
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, end - pos + 1), pos);
      if (bytesRead === 0) throw new Error(`file ended at ${pos}, before ${end + 1}`);
      pos += bytesRead;
      flushed[i] = new Promise<void>((resolve) => res.write(buf.subarray(0, bytesRead), () => resolve()));
    }
    if (!aborted) {
      await Promise.race([Promise.all(flushed), closed]);
      res.end();
    }
  } catch (err) {
    // Headers are out: the only honest signal left to the client is a cut connection.
    res.destroy(err as Error);
  } finally {
    await file.close();
  }
}
