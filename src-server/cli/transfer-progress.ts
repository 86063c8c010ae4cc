/**
 * Progress of `berth copy|export|import` on stderr: a redrawn line on a terminal; otherwise a line
 * when an image starts and at most one every few seconds while bytes move, so that logs stay short.
 */
import type { TransferProgress } from '../contract';
import { formatBytes } from './format';

/** Gap between two plain (non-terminal) byte lines. */
const PLAIN_EVERY_MS = 5000;

/** A progress display fed with `transfer:progress` events. */
export interface TransferDisplay {
  update(p: TransferProgress): void;
  finish(): void;
}

/** Creates the display for `stream`, lines starting with `label` (`copy:`, `export:`, `import:`). */
export function transferDisplay(stream: NodeJS.WriteStream, label: string, now: () => number = Date.now): TransferDisplay {
  const tty = stream.isTTY === true;
  let lastImage: string | null = null;
  let lastLine = 0;
  let drawn = false;
  const text = (p: TransferProgress) => {
    const of = p.imagesTotal > 1 ? ` (${Math.min(p.imagesDone + 1, p.imagesTotal)}/${p.imagesTotal})` : '';
    const bytes = p.bytesTotal > 0 ? `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : formatBytes(p.bytesDone);
    const rate = p.bytesPerSecond ? `, ${formatBytes(p.bytesPerSecond)}/s` : '';
    return `${label} ${p.image}${of}: ${bytes}${rate}`;
  };
  return {
    update(p) {
      // Nothing to say until an image's bytes are known (a copy that fails while resolving says only why).
      if (!p.image || p.bytesTotal === 0) return;
      if (tty) {
        stream.write(`\r\x1b[2K${text(p)}`);
        drawn = true;
        return;
      }
      const t = now();
      if (p.image !== lastImage || t - lastLine >= PLAIN_EVERY_MS) {
        stream.write(`${text(p)}\n`);
        lastImage = p.image;
        lastLine = t;
      }
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
