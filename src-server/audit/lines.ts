import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

/** Lines longer than this are skipped whole: an entry is a few hundred bytes, never this. */
export const MAX_LINE_BYTES = 64 * 1024;

const NL = 0x0a;

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * The lines of a file from the last to the first, read backwards in chunks, so that the newest
 * entries of a large log cost one chunk, not the whole file. Memory stays within a chunk and one
 * line: a line over {@link MAX_LINE_BYTES} (a damaged file) is skipped. A missing file has none.
 */
export async function* linesFromEnd(path: string, chunkBytes = 64 * 1024): AsyncGenerator<string> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  try {
    let pos = (await fh.stat()).size;
    // The start of the line that began before the chunk just read (its end is known).
    let tail: Buffer = Buffer.alloc(0);
    let oversized = false;
    while (pos > 0) {
      const size = Math.min(chunkBytes, pos);
      pos -= size;
      const chunk = Buffer.alloc(size);
      await fh.read(chunk, 0, size, pos);
      const data = tail.length ? Buffer.concat([chunk, tail]) : chunk;
      let end = data.length;
      for (let i = data.length - 1; i >= 0; i--) {
        if (data[i] !== NL) continue;
        if (oversized) oversized = false;
        else if (end > i + 1) yield data.subarray(i + 1, end).toString('utf8');
        end = i;
      }
      tail = data.subarray(0, end);
      if (tail.length > MAX_LINE_BYTES) {
        oversized = true;
        tail = Buffer.alloc(0);
      }
    }
    if (tail.length && !oversized) yield tail.toString('utf8');
  } finally {
    await fh.close();
  }
}

/**
 * The lines of a file from the first to the last, streamed in chunks with the same bound as
 * {@link linesFromEnd}: an over-long line is skipped, never buffered. A missing file has none.
 */
export async function* linesFromStart(path: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  let head: Buffer = Buffer.alloc(0);
  let oversized = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const data = head.length ? Buffer.concat([head, chunk]) : chunk;
      let start = 0;
      for (let i = data.indexOf(NL); i >= 0; i = data.indexOf(NL, start)) {
        if (oversized) oversized = false;
        else if (i > start) yield data.subarray(start, i).toString('utf8');
        start = i + 1;
      }
      head = data.subarray(start);
      if (head.length > MAX_LINE_BYTES) {
        oversized = true;
        head = Buffer.alloc(0);
      }
    }
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  if (head.length && !oversized) yield head.toString('utf8');
}
