/** The OCI layout reader on a hand-made layout: tags, manifests, verified blobs, and nothing read outside the folder. */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOciLayout } from '../../src-server/contents/oci-layout-reader';
import { tempDir } from '../helpers/berth-server';
import { LayoutWriter, sha256, writeContentsFixture, type ContentsFixture } from '../helpers/contents-images';

let tmp: ReturnType<typeof tempDir>;
let fx: ContentsFixture;

beforeAll(() => {
  tmp = tempDir('berth-oci-reader-');
  fx = writeContentsFixture(join(tmp.dir, 'layout'));
});
afterAll(() => tmp.cleanup());

async function readAll(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(c);
  return Buffer.concat(out);
}

describe('openOciLayout', () => {
  it('resolves tags and reads manifests and blobs', async () => {
    const r = await openOciLayout(fx.dir);
    expect(r.tags).toEqual(['base', 'v2', 'multi', 'hostile']);
    expect(r.label).toBe(`oci:${fx.dir}`);
    expect(r.resolve('base')).toBe(fx.base.manifest.digest);
    const m = (await r.manifest('base'))!;
    expect(m.digest).toBe(fx.base.manifest.digest);
    expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const index = (await r.manifest(r.resolve('multi')))!;
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const child = (await r.manifest(fx.multi.arm64.manifest.digest))!;
    expect(sha256(child.body)).toBe(fx.multi.arm64.manifest.digest);
    const layer = fx.base.layers[1]!;
    const blob = (await r.blob(layer.digest))!;
    expect(blob.size).toBe(layer.size);
    expect(sha256(await readAll(blob.chunks))).toBe(layer.digest);
    expect(await r.manifest('nope')).toBeNull();
    expect(await r.blob(`sha256:${'0'.repeat(64)}`)).toBeNull();
  });

  it('names the tags when the layout holds several images and none was named', async () => {
    const r = await openOciLayout(fx.dir);
    expect(() => r.resolve()).toThrow('holds 4 images: name one as oci:DIR:TAG (tags: base, v2, multi, hostile)');
    expect(() => r.resolve('v9')).toThrow('has no image tagged "v9"; its tags: base, v2, multi, hostile');
  });

  it('takes the only image of a one-image layout', async () => {
    const w = new LayoutWriter(join(tmp.dir, 'one'));
    const img = w.image({ layers: [{ entries: [{ path: 'a', data: 'a' }] }] });
    w.tag('only', [img]);
    expect((await openOciLayout(w.dir)).resolve()).toBe(img.manifest.digest);
  });

  it('refuses folders that are not layouts', async () => {
    await expect(openOciLayout(join(tmp.dir, 'missing'))).rejects.toThrow('no such folder');
    mkdirSync(join(tmp.dir, 'empty'));
    await expect(openOciLayout(join(tmp.dir, 'empty'))).rejects.toThrow('it has no oci-layout file');
    const big = join(tmp.dir, 'big');
    mkdirSync(big);
    writeFileSync(join(big, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(big, 'index.json'), Buffer.alloc(5 << 20, 0x20));
    await expect(openOciLayout(big)).rejects.toThrow(/index.json: .*more than/);
    writeFileSync(join(big, 'index.json'), 'not json');
    await expect(openOciLayout(big)).rejects.toThrow('index.json is not JSON');
  });

  it('refuses a blob that is a symlink out of the layout, and one whose bytes are not its digest', async () => {
    const w = new LayoutWriter(join(tmp.dir, 'evil'));
    const img = w.image({ layers: [{ entries: [{ path: 'a', data: 'a' }] }] });
    w.tag('t', [img]);
    const outside = join(tmp.dir, 'outside-secret');
    writeFileSync(outside, 'secret');
    const layerPath = join(w.dir, 'blobs', 'sha256', img.layers[0]!.digest.slice(7));
    rmSync(layerPath);
    symlinkSync(outside, layerPath);
    const r = await openOciLayout(w.dir);
    await expect(r.blob(img.layers[0]!.digest)).rejects.toThrow('points outside it');
    // A config replaced by other bytes: read in full, then refused.
    writeFileSync(join(w.dir, 'blobs', 'sha256', img.config.digest.slice(7)), '{"tampered":true}');
    const blob = (await r.blob(img.config.digest))!;
    await expect(readAll(blob.chunks)).rejects.toThrow('does not match its digest');
    writeFileSync(join(w.dir, 'blobs', 'sha256', img.manifest.digest.slice(7)), '{}');
    await expect(r.manifest('t')).rejects.toThrow('does not match its digest');
    await expect(r.blob('../../etc/passwd')).rejects.toThrow('is not a digest');
  });
});
