import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileSink } from './open-sink';
import type { FileSink } from './types';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'berth-oci-layout-sink-')));
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const REF = 'org.opencontainers.image.ref.name';

async function put(sink: FileSink, data: Buffer): Promise<void> {
  await sink.putBlob('r', sha(data), data.length, (async function* () { yield data.subarray(0, 100); yield data.subarray(100); })());
}

/** An image tagged `repo:tag` in the sink; returns its manifest digest and blobs. */
async function putImage(sink: FileSink, repo: string, tag: string) {
  const layer = randomBytes(2000);
  const config = Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, n: randomBytes(4).toString('hex') }));
  await put(sink, layer);
  await put(sink, config);
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
    }),
  );
  const digest = await sink.putManifest(repo, tag, body, OCI_MANIFEST);
  return { digest, blobs: [sha(layer), sha(config)] };
}

const index = (layout: string) => JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
const names = (layout: string) => index(layout).manifests.map((m) => [m.annotations?.[REF], m.digest]);

describe('OCI layout sink', () => {
  it('creates a missing folder with oci-layout, puts blobs in place as they come and index.json at commit', async () => {
    const layout = join(fresh(), 'nested', 'layout');
    const sink = await createFileSink('oci', layout, { naming: 'tag' });
    expect(JSON.parse(readFileSync(join(layout, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const a = await putImage(sink, 'app', 'v1');
    for (const d of [...a.blobs, a.digest]) expect(sha(readFileSync(join(layout, 'blobs/sha256', d.slice(7))))).toBe(d);
    expect(readdirSync(join(layout, 'blobs/sha256')).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(existsSync(join(layout, 'index.json'))).toBe(false);
    const done = await sink.commit();
    expect(done.path).toBe(layout);
    expect(names(layout)).toEqual([['v1', a.digest]]);
    expect(index(layout).manifests[0]!.annotations?.['io.containerd.image.name']).toBe('app:v1');
  });

  it('merges into an existing layout: earlier entries kept, a tag given again replaced, present blobs not written again', async () => {
    const layout = join(fresh(), 'layout');
    const first = await createFileSink('oci', layout, { naming: 'tag' });
    const old1 = await putImage(first, 'app', 'v1');
    const old2 = await putImage(first, 'app', 'v2');
    await first.commit();

    const second = await createFileSink('oci', layout, { naming: 'tag' });
    // What the layout held answers for the tag, so that a copy can tell it would replace it.
    expect((await second.headManifest('app', 'v1'))?.digest).toBe(old1.digest);
    expect(await second.headBlob('app', old2.blobs[0]!)).toBe(2000);
    const fresh1 = await putImage(second, 'app', 'v1');
    const added = await putImage(second, 'app', 'v3');
    expect((await second.headManifest('app', 'v1'))?.digest).toBe(fresh1.digest);
    await second.commit();
    expect(names(layout)).toEqual([
      ['v2', old2.digest],
      ['v1', fresh1.digest],
      ['v3', added.digest],
    ]);
  });

  it('refuses a folder that is not an OCI layout, and a file, and touches neither', async () => {
    const base = fresh();
    const foreign = join(base, 'docs');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    await expect(createFileSink('oci', foreign, { naming: 'tag' })).rejects.toMatchObject({
      code: 'IMAGE_PLACE_INVALID',
      message: `${foreign} is not an OCI image layout (it has files but no oci-layout file); name a new or empty folder, or an existing layout`,
    });
    expect(readdirSync(foreign)).toEqual(['notes.txt']);
    writeFileSync(join(base, 'file'), 'x');
    await expect(createFileSink('oci', join(base, 'file'), { naming: 'tag' })).rejects.toMatchObject({ code: 'IMAGE_PLACE_INVALID', message: expect.stringContaining('it is a file, not a folder') });
    const broken = join(base, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(broken, 'index.json'), '{"manifests": "no"}');
    await expect(createFileSink('oci', broken, { naming: 'tag' })).rejects.toMatchObject({ code: 'ARCHIVE_INVALID', message: expect.stringContaining(`${join(broken, 'index.json')}: no manifests list`) });
    // A layout whose blobs folder leads elsewhere is not written through.
    const outside = join(base, 'outside');
    mkdirSync(outside);
    const linked = join(base, 'linked');
    mkdirSync(join(linked, 'blobs'), { recursive: true });
    writeFileSync(join(linked, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    symlinkSync(outside, join(linked, 'blobs', 'sha256'));
    await expect(createFileSink('oci', linked, { naming: 'tag' })).rejects.toMatchObject({ code: 'IMAGE_PLACE_INVALID', message: expect.stringContaining('blobs/sha256 is a symbolic link') });
    expect(readdirSync(outside)).toEqual([]);
  });

  it('a wrong digest leaves no blob and no temporary file, and no commit; abort keeps the old index.json', async () => {
    const layout = join(fresh(), 'layout');
    const first = await createFileSink('oci', layout, { naming: 'repository-tag' });
    const a = await putImage(first, 'app', 'v1');
    await first.commit();
    const before = readFileSync(join(layout, 'index.json'), 'utf8');
    expect(names(layout)).toEqual([['app:v1', a.digest]]);

    const sink = await createFileSink('oci', layout, { naming: 'repository-tag' });
    const data = randomBytes(3000);
    const claimed = sha(randomBytes(3000));
    await expect(sink.putBlob('app', claimed, data.length, (async function* () { yield data; })())).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    expect(existsSync(join(layout, 'blobs/sha256', claimed.slice(7)))).toBe(false);
    expect(readdirSync(join(layout, 'blobs/sha256')).filter((n) => n.startsWith('.'))).toEqual([]);
    await putImage(sink, 'app', 'v1');
    await expect(sink.commit()).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    expect(readFileSync(join(layout, 'index.json'), 'utf8')).toBe(before);

    const third = await createFileSink('oci', layout, { naming: 'repository-tag' });
    await putImage(third, 'app', 'v9');
    await third.abort();
    expect(readFileSync(join(layout, 'index.json'), 'utf8')).toBe(before);
  });
});
