/**
 * A zstd stream decoded piece by piece with fzstd, behind a guard that reads the frame and block
 * headers first. fzstd trusts them: it allocates whatever window a frame asks for (up to 2 GiB)
 * and decodes every complete block a push holds at once. The guard refuses windows beyond
 * MAX_ZSTD_WINDOW and blocks beyond the format's 128 KiB, and cuts the input after a few blocks, so
 * one push never yields more than a few MiB: memory stays bounded even for a hostile stream.
 *
 * Frame format: RFC 8878 (https://www.rfc-editor.org/rfc/rfc8878#section-3.1).
 */
import { Decompress } from 'fzstd';
import { MAX_ZSTD_WINDOW } from './limits';
import { LayerError } from './types';

const ZSTD_MAGIC = 0xfd2fb528;
const MAX_BLOCK = 128 * 1024;
/** Blocks per push: at most this many times 128 KiB come out of one push. */
const BLOCKS_PER_PUSH = 16;

type State = 'magic' | 'frameHeader' | 'blockHeader' | 'block' | 'skip' | 'skipSize';

/** Reads a little-endian unsigned integer of `n` bytes (n ≤ 8) without 32-bit overflow. */
function readLE(bytes: number[], from: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + bytes[from + i]!;
  return v;
}

/** Decodes one zstd stream; `write` and `end` return the bytes that came out, in order. */
export class ZstdStream {
  private state: State = 'magic';
  /** Bytes of the header being read, and how many it needs in all. */
  private head: number[] = [];
  private need = 4;
  /** Bytes left in the current block, skippable frame or checksum. */
  private remaining = 0;
  private lastBlock = false;
  private checksum = false;
  private frames = 0;
  private readonly decoder: Decompress;
  private out: Uint8Array[] = [];

  constructor(private readonly label: string) {
    this.decoder = new Decompress((data) => {
      if (data.length) this.out.push(data);
    });
  }

  /** Decodes `chunk`, yielding what came out after each few blocks. */
  *write(chunk: Uint8Array): Generator<Uint8Array[]> {
    let from = 0;
    let blocks = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'block' || this.state === 'skip') {
        const n = Math.min(this.remaining, chunk.length - i);
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) {
          if (this.state === 'block' && this.endBlock()) blocks++;
          else this.startHeader('magic', 4);
        }
      } else {
        this.head.push(chunk[i++]!);
        if (this.head.length === this.need) this.readHeader();
      }
      if (blocks >= BLOCKS_PER_PUSH) {
        yield this.push(chunk.subarray(from, i));
        from = i;
        blocks = 0;
      }
    }
    if (from < chunk.length) yield this.push(chunk.subarray(from));
  }

  /** Ends the stream: throws CORRUPT when it stops inside a frame or held none. */
  end(): Uint8Array[] {
    if (this.state !== 'magic' || this.head.length > 0) throw this.corrupt('the zstd stream is truncated');
    if (this.frames === 0) throw this.corrupt('the zstd stream holds no frame');
    return this.push(new Uint8Array(0), true);
  }

  private push(piece: Uint8Array, final = false): Uint8Array[] {
    try {
      this.decoder.push(piece, final);
    } catch (err) {
      throw this.corrupt(`zstd: ${(err as Error).message}`);
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  private corrupt(why: string): LayerError {
    return new LayerError('CORRUPT', `layer ${this.label} is corrupt: ${why}`);
  }

  private startHeader(state: State, need: number): void {
    this.state = state;
    this.head = [];
    this.need = need;
  }

  /** Called at the end of a block's bytes; true when it ended a block (for the push cut). */
  private endBlock(): boolean {
    if (!this.lastBlock) this.startHeader('blockHeader', 3);
    else if (this.checksum) {
      this.state = 'skip';
      this.remaining = 4;
    } else this.startHeader('magic', 4);
    return true;
  }

  /** A header is complete in `head`: check it and move on. */
  private readHeader(): void {
    const h = this.head;
    switch (this.state) {
      case 'magic': {
        const magic = readLE(h, 0, 4);
        if (magic === ZSTD_MAGIC) return this.startHeader('frameHeader', 1);
        if (magic >>> 4 === 0x184d2a5) return this.startHeader('skipSize', 4);
        throw this.corrupt(this.frames ? 'garbage after a zstd frame' : 'not a zstd stream');
      }
      case 'skipSize':
        this.state = 'skip';
        this.remaining = readLE(h, 0, 4);
        if (this.remaining === 0) this.startHeader('magic', 4);
        return;
      case 'frameHeader':
        return this.readFrameHeader();
      case 'blockHeader': {
        const v = readLE(h, 0, 3);
        this.lastBlock = (v & 1) === 1;
        const type = (v >> 1) & 3;
        const size = v >>> 3;
        if (type === 3) throw this.corrupt('a zstd block has the reserved type');
        if (size > MAX_BLOCK) throw this.corrupt(`a zstd block of ${size} bytes exceeds the format's 128 KiB`);
        this.state = 'block';
        this.remaining = type === 1 ? 1 : size;
        if (this.remaining === 0) this.endBlock();
        return;
      }
    }
  }

  /** Frame header: descriptor, window descriptor, dictionary id, content size. */
  private readFrameHeader(): void {
    const h = this.head;
    const fhd = h[0]!;
    const singleSegment = (fhd >> 5) & 1;
    const dictBytes = [0, 1, 2, 4][fhd & 3]!;
    const fcsFlag = fhd >> 6;
    const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
    const total = 1 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes;
    if (h.length < total) {
      this.need = total;
      return;
    }
    if (fhd & 8) throw this.corrupt('a zstd frame header sets a reserved bit');
    const dictAt = 1 + (singleSegment ? 0 : 1);
    if (dictBytes && readLE(h, dictAt, dictBytes) !== 0) {
      throw new LayerError('UNSUPPORTED', `layer ${this.label} needs a zstd dictionary, which a layer cannot name`);
    }
    let window: number;
    if (singleSegment) {
      window = readLE(h, dictAt + dictBytes, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
    } else {
      const wd = h[1]!;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    if (window > MAX_ZSTD_WINDOW) {
      throw new LayerError(
        'TOO_LARGE',
        `layer ${this.label} asks for a zstd window of ${Math.round(window / 1024 ** 2)} MiB, beyond the ${MAX_ZSTD_WINDOW / 1024 ** 2} MiB Berth allows`,
      );
    }
    this.checksum = ((fhd >> 2) & 1) === 1;
    this.frames++;
    this.startHeader('blockHeader', 3);
  }
}
