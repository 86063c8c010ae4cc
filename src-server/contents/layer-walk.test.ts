import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LAYER, descriptor, fileBlob, gzip, memoryBlob, tarOf, zstd } from '../../test/helpers/layers';
import { walkLayer, type WalkItem } from './layer-walk';
import { LayerError } from './types';

const dir = mkdtempSync(join(tmpdir(), 'berth-walk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tar = tarOf([
  { path: 'a', body: randomBytes(300_000) },
  { path: 'b', type: 'dir' },
  { path: 'b/.wh.c' },
  { path: 'd', body: randomBytes(300_000) },
  { path: 'e', body: 'e' },
]);

describe('walkLayer', () => {
  it('visits items in order and discards bodies the visitor ignores', async () => {
    const bytes = gzip(tar);
    const { blob, probe } = memoryBlob(bytes);
    const seen: string[] = [];
    const r = await walkLayer(blob, descriptor(bytes, LAYER.ociGzip), (item, body) => {
      seen.push(`${item.kind}:${item.kind === 'entry' ? item.entry.path : item.path}:${body ? 'body' : '-'}`);
    });
    expect(seen).toEqual(['entry:a:body', 'entry:b:-', 'whiteout:b/c:-', 'entry:d:body', 'entry:e:body']);
    expect(r).toEqual({ uncompressedSize: tar.length, warnings: [], entries: 5, stopped: false });
    expect(probe.done).toBe(true);
  });

  it('waits for a visitor that reads slowly, in order', async () => {
    const bytes = zstd(tar);
    const { blob } = memoryBlob(bytes, 4096);
    const sizes: [string, number][] = [];
    await walkLayer(blob, descriptor(bytes, LAYER.ociZstd), async (item, body) => {
      if (!body || item.kind !== 'entry') return;
      let n = 0;
      for await (const chunk of body as AsyncIterable<Buffer>) {
        n += chunk.length;
        await new Promise((r) => setImmediate(r));
      }
      sizes.push([item.entry.path, n]);
    });
    expect(sizes).toEqual([
      ['a', 300_000],
      ['d', 300_000],
      ['e', 1],
    ]);
  });

  it("'stop' ends the walk at once and cancels the blob's read", async () => {
    const big = tarOf([{ path: 'first', body: 'x' }, { path: 'rest', body: randomBytes(4 * 1024 ** 2) }]);
    const bytes = gzip(big);
    const { blob, probe } = memoryBlob(bytes, 16 * 1024);
    const items: WalkItem[] = [];
    const r = await walkLayer(blob, descriptor(bytes, LAYER.ociGzip), (item) => {
      items.push(item);
      return 'stop';
    });
    expect(items).toHaveLength(1);
    expect(r.stopped).toBe(true);
    expect(probe.cancelled).toBe(true);
    expect(probe.read).toBeLessThan(bytes.length / 4);
  });

  it('an error thrown by the visitor ends the walk with that error', async () => {
    const bytes = gzip(tar);
    const { blob, probe } = memoryBlob(bytes, 16 * 1024);
    const boom = new Error('visitor failed');
    await expect(
      walkLayer(blob, descriptor(bytes, LAYER.ociGzip), () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(probe.cancelled).toBe(true);
  });

  it('an abort signal ends the walk', async () => {
    const bytes = gzip(tar);
    const { blob } = memoryBlob(bytes, 1024);
    const ac = new AbortController();
    const walking = walkLayer(
      blob,
      descriptor(bytes, LAYER.ociGzip),
      async () => {
        ac.abort(new Error('user went away'));
      },
      { signal: ac.signal },
    );
    await expect(walking).rejects.toThrow('user went away');
  });

  it('a body left unread stalls the blob: backpressure reaches the blob instead of buffering the layer', async () => {
    // A 50 MB file read slowly: the blob must not be drained ahead of the reader.
    const payload = randomBytes(50 * 1024 ** 2);
    const bytes = tarOf([{ path: 'big', body: payload }, { path: 'after', body: 'z' }]);
    const path = join(dir, 'big.tar');
    writeFileSync(path, bytes);
    const { blob, probe } = memoryBlob(bytes, 64 * 1024);
    let body: Readable | null = null;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const walking = walkLayer(blob, descriptor(bytes, LAYER.ociTar), async (item, b) => {
      if (item.kind === 'entry' && item.entry.path === 'big') {
        body = b;
        await released;
      }
    });
    // Wait until the body has something to read, read 1 MiB of it, then let it sit.
    while (!body) await new Promise((r) => setImmediate(r));
    const readable = body as Readable;
    let got = 0;
    while (got < 1024 ** 2) {
      const chunk = readable.read() as Buffer | null;
      if (chunk) got += chunk.length;
      else await once(readable, 'readable');
    }
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(probe.read).toBeLessThan(8 * 1024 ** 2);
    readable.resume();
    release();
    await walking;
    expect(probe.done).toBe(true);
    // And the same layer from a file, read as a registry's blob store would serve it.
    const r = await walkLayer(fileBlob(path, bytes.length), descriptor(bytes, LAYER.ociTar), () => {});
    expect(r.entries).toBe(2);
  });

  it('a walk of a corrupt layer destroys the body being read with the error', async () => {
    const bytes = gzip(tarOf([{ path: 'f', body: randomBytes(2 * 1024 ** 2) }])).subarray(0, 1024 ** 2);
    const { blob } = memoryBlob(bytes);
    let bodyError: unknown;
    await expect(
      walkLayer(blob, descriptor(bytes, LAYER.ociGzip), (_item, body) => {
        body?.on('error', (e) => (bodyError = e));
        body?.resume();
      }),
    ).rejects.toMatchObject({ kind: 'CORRUPT' });
    await new Promise((r) => setImmediate(r));
    expect(bodyError).toBeInstanceOf(LayerError);
  });
});
