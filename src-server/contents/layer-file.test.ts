import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { LAYER, descriptor, gzip, memoryBlob, sha256, tarOf, zstd } from '../../test/helpers/layers';
import { openLayerFile } from './layer-file';
import type { LayerFile } from './layer-file';

const wanted = randomBytes(3 * 1024 ** 2);
const tar = tarOf([
  { path: 'etc', type: 'dir' },
  { path: 'etc/link', type: 'symlink', link: 'passwd' },
  { path: './etc/data.bin', body: wanted },
  { path: 'tail', body: randomBytes(6 * 1024 ** 2) },
]);

async function readAll(file: LayerFile): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of file.stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('openLayerFile', () => {
  it.each([
    ['gzip', gzip(tar), LAYER.ociGzip],
    ['zstd', zstd(tar), LAYER.ociZstd],
    ['tar', tar, LAYER.ociTar],
  ])('streams one file of a %s layer and stops reading the blob after it', async (_n, bytes, type) => {
    const { blob, probe } = memoryBlob(bytes, 32 * 1024);
    const file = await openLayerFile(blob, descriptor(bytes, type), 'etc/data.bin');
    expect(file?.size).toBe(wanted.length);
    expect((await readAll(file!)).equals(wanted)).toBe(true);
    while (!probe.cancelled) await new Promise((r) => setImmediate(r));
    expect(probe.read).toBeLessThan(bytes.length);
  });

  it('resolves null for a path that is not a regular file of the layer, after reading all of it', async () => {
    const bytes = gzip(tar);
    for (const path of ['etc/nothing', 'etc', 'etc/link', '../etc/data.bin', '']) {
      const { blob } = memoryBlob(bytes);
      expect(await openLayerFile(blob, descriptor(bytes, LAYER.ociGzip), path)).toBeNull();
    }
  });

  it('checks the content against the listing digest when given one', async () => {
    const bytes = gzip(tar);
    const good = await openLayerFile(memoryBlob(bytes).blob, descriptor(bytes, LAYER.ociGzip), 'etc/data.bin', { digest: sha256(wanted) });
    expect((await readAll(good!)).equals(wanted)).toBe(true);
    const bad = await openLayerFile(memoryBlob(bytes).blob, descriptor(bytes, LAYER.ociGzip), 'etc/data.bin', { digest: sha256('other') });
    await expect(readAll(bad!)).rejects.toMatchObject({ kind: 'DIGEST_MISMATCH' });
  });

  it('a consumer that destroys the stream ends the read of the blob', async () => {
    const bytes = tar;
    const { blob, probe } = memoryBlob(bytes, 16 * 1024);
    const file = await openLayerFile(blob, descriptor(bytes, LAYER.ociTar), 'etc/data.bin');
    const stream = file!.stream;
    const first = await new Promise<Buffer>((resolve) =>
      stream.once('data', (chunk: Buffer) => {
        stream.pause();
        resolve(chunk);
      }),
    );
    expect(first.length).toBeGreaterThan(0);
    file!.stream.destroy();
    while (!probe.cancelled) await new Promise((r) => setImmediate(r));
    expect(probe.read).toBeLessThan(2 * 1024 ** 2);
  });

  it('a slow consumer slows the blob: it is not read ahead', async () => {
    const { blob, probe } = memoryBlob(tar, 16 * 1024);
    const file = await openLayerFile(blob, descriptor(tar, LAYER.ociTar), 'etc/data.bin');
    let maxAhead = 0;
    let consumed = 0;
    await pipeline(
      file!.stream,
      new Writable({
        highWaterMark: 16 * 1024,
        write(chunk: Buffer, _enc, done) {
          consumed += chunk.length;
          maxAhead = Math.max(maxAhead, probe.read - consumed);
          setImmediate(done);
        },
      }),
    );
    expect(consumed).toBe(wanted.length);
    expect(maxAhead).toBeLessThan(1024 ** 2);
  });

  it('an error of the layer after the file was found reaches the stream', async () => {
    const bytes = gzip(tar).subarray(0, 1024 ** 2);
    const file = await openLayerFile(memoryBlob(bytes).blob, descriptor(bytes, LAYER.ociGzip), 'etc/data.bin');
    await expect(readAll(file!)).rejects.toMatchObject({ kind: 'CORRUPT' });
  });
});
