/** The start of a file as text, when it is text: what the GUI's preview shows. */
import type { Readable } from 'node:stream';

/** Reads at most `max` bytes of `stream` (then destroys it) and says whether they are UTF-8 text. */
export async function textPreview(stream: Readable, size: number, max: number): Promise<{ size: number; text: string | null; truncated: boolean }> {
  const parts: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      got += chunk.length;
      if (got >= max) break;
    }
  } finally {
    stream.destroy();
  }
  const bytes = Buffer.concat(parts).subarray(0, max);
  const truncated = size > bytes.length;
  return { size, text: asText(bytes, truncated), truncated };
}

/** The bytes as a string, or null when they are not text (a NUL, or invalid UTF-8 before a cut). */
export function asText(bytes: Buffer, truncated: boolean): string | null {
  if (bytes.includes(0)) return null;
  // A cut may split a character: up to 3 bytes at the end are allowed to be incomplete.
  for (let trim = 0; trim <= (truncated ? 3 : 0) && trim <= bytes.length; trim++) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - trim));
    } catch {
      // Try one byte shorter.
    }
  }
  return null;
}
