import { describe, expect, it } from 'vitest';
import { zstd } from '../../test/helpers/layers';
import { ZstdStream } from './zstd-stream';

function decode(bytes: Uint8Array, piece = 7): Buffer {
  const z = new ZstdStream('sha256:test');
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += piece) for (const p of z.write(bytes.subarray(at, at + piece))) out.push(...p);
  out.push(...z.end());
  return Buffer.concat(out);
}

describe('ZstdStream', () => {
  it('decodes frames cut anywhere, skippable frames included', () => {
    const data = Buffer.from('hello zstd '.repeat(50_000));
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const bytes = Buffer.concat([zstd(data, ['--check']), skippable, zstd(data)]);
    expect(decode(bytes).equals(Buffer.concat([data, data]))).toBe(true);
    expect(decode(bytes, 65536).equals(Buffer.concat([data, data]))).toBe(true);
  });

  it('never yields more than a few blocks per push, even for a stream of tiny RLE blocks', () => {
    // One frame of 1,000 RLE blocks of 128 KiB each: 4 bytes in, 128 KiB out per block.
    const header = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58];
    const rle = (last: boolean) => {
      const v = ((128 * 1024) << 3) | (1 << 1) | (last ? 1 : 0);
      return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, 0x61];
    };
    const blocks = Array.from({ length: 1000 }, (_, i) => rle(i === 999)).flat();
    const z = new ZstdStream('sha256:rle');
    let biggest = 0;
    let total = 0;
    for (const pieces of z.write(Uint8Array.from([...header, ...blocks]))) {
      const n = pieces.reduce((s, p) => s + p.length, 0);
      biggest = Math.max(biggest, n);
      total += n;
    }
    z.end();
    expect(total).toBe(1000 * 128 * 1024);
    expect(biggest).toBeLessThanOrEqual(16 * 128 * 1024);
  });

  it('refuses blocks over 128 KiB and reserved block types', () => {
    const header = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58];
    const big = ((256 * 1024) << 3) | (1 << 1) | 1;
    const z = new ZstdStream('sha256:big');
    expect(() => [...z.write(Uint8Array.from([...header, big & 0xff, (big >> 8) & 0xff, (big >> 16) & 0xff, 0x61]))]).toThrow(/exceeds the format's 128 KiB/);
    const reserved = new ZstdStream('sha256:res');
    expect(() => [...reserved.write(Uint8Array.from([...header, 0x07, 0, 0]))]).toThrow(/reserved type/);
  });
});
