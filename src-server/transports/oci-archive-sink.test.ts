import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { list } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileSink } from './open-sink';
import type { FileSink } from './types';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'berth-oci-archive-sink-')));
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

async function* chunks(data: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += 4096) yield data.subarray(i, i + 4096);
}

/** Puts a small image (config + one layer) into a sink by digest; returns its manifest's digest. */
async function putImage(sink: FileSink, repo: string, extra: Record<string, unknown> = {}): Promise<{ digest: string; blobs: string[] }> {
  const layer = randomBytes(10_000);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(randomBytes(8))] } }));
  await sink.putBlob(repo, sha(layer), layer.length, chunks(layer));
  await sink.putBlob(repo, sha(config), config.length, chunks(config));
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
      ...extra,
    }),
  );
  const digest = await sink.putManifest(repo, sha(body), body, OCI_MANIFEST);
  return { digest, blobs: [sha(layer), sha(config)] };
}

/** The tar's entries, with data. */
async function entries(file: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await list({
    file,
    strict: true,
    onReadEntry: (e) => {
      const parts: Buffer[] = [];
      e.on('data', (c: Buffer) => parts.push(c));
      e.on('end', () => out.set(e.path, Buffer.concat(parts)));
    },
  });
  return out;
}

const json = (b: Buffer | undefined) => JSON.parse(b!.toString('utf8'));

describe('OCI archive sink', () => {
  it('writes blobs, manifests, index.json and oci-layout into a tar that appears only at commit, 0644', async () => {
    const out = join(fresh(), 'images.tar');
    const sink = await createFileSink('oci-archive', out, { naming: 'repository-tag' });
    const a = await putImage(sink, 'team/app');
    await sink.putManifest('team/app', 'v1', (await sink.getManifest('team/app', a.digest))!.body, OCI_MANIFEST);
    const b = await putImage(sink, 'other/tool');
    await sink.putManifest('other/tool', 'v1', (await sink.getManifest('other/tool', b.digest))!.body, OCI_MANIFEST);
    await sink.putManifest('team/app', 'latest', (await sink.getManifest('team/app', a.digest))!.body, OCI_MANIFEST);
    expect(existsSync(out)).toBe(false);
    const partials = readdirSync(dir).filter((n) => n.startsWith('.images.tar.berth-') && n.endsWith('.partial'));
    expect(partials).toHaveLength(1);
    expect(statSync(join(dir, partials[0]!)).mode & 0o777).toBe(0o600);
    expect(await sink.headBlob('any', a.blobs[0]!)).toBe(10_000);
    expect((await sink.headManifest('team/app', 'v1'))?.digest).toBe(a.digest);
    expect(await sink.headManifest('team/app', 'v2')).toBeNull();

    const done = await sink.commit();
    expect(done).toEqual({ path: out, bytes: statSync(out).size });
    expect(statSync(out).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['images.tar']);
    const files = await entries(out);
    expect(json(files.get('oci-layout'))).toEqual({ imageLayoutVersion: '1.0.0' });
    for (const d of [...a.blobs, ...b.blobs, a.digest, b.digest]) expect(sha(files.get(`blobs/sha256/${d.slice(7)}`)!)).toBe(d);
    const index = json(files.get('index.json'));
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m: any) => [m.digest, m.annotations['org.opencontainers.image.ref.name'], m.annotations['io.containerd.image.name']])).toEqual([
      [a.digest, 'team/app:v1', 'team/app:v1'],
      [b.digest, 'other/tool:v1', 'other/tool:v1'],
      [a.digest, 'team/app:latest', 'team/app:latest'],
    ]);
    // Real tar reads it, every entry once.
    const names = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).trim().split('\n');
    expect(new Set(names).size).toBe(names.length);
    await sink.abort();
    expect(existsSync(out)).toBe(true);
  });

  it("names by tag alone with naming 'tag', and a tag given again points at the new image", async () => {
    const out = join(fresh(), 'a.tar');
    const sink = await createFileSink('oci-archive', out, { naming: 'tag' });
    const a = await putImage(sink, 'app');
    const b = await putImage(sink, 'app');
    const body = async (d: string) => (await sink.getManifest('app', d))!.body;
    await sink.putManifest('app', 'v1', await body(a.digest), OCI_MANIFEST);
    await sink.putManifest('app', 'v1', await body(b.digest), OCI_MANIFEST);
    await sink.commit();
    const index = json((await entries(out)).get('index.json'));
    expect(index.manifests).toEqual([
      { mediaType: OCI_MANIFEST, digest: b.digest, size: (await body(b.digest)).length, annotations: { 'io.containerd.image.name': 'app:v1', 'org.opencontainers.image.ref.name': 'v1' } },
    ]);
  });

  it('serializes concurrent putBlob calls: one entry at a time, in the order they came, each blob once', async () => {
    const out = join(fresh(), 'c.tar');
    const sink = await createFileSink('oci-archive', out, { naming: 'tag' });
    const datas = [randomBytes(50_000), randomBytes(30_000), randomBytes(20_000)];
    const pulled: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstIn!: () => void;
    const firstPulled = new Promise<void>((r) => (firstIn = r));
    async function* gated(i: number): AsyncGenerator<Buffer> {
      pulled.push(i);
      const data = datas[i]!;
      yield data.subarray(0, 1000);
      if (i === 0) {
        firstIn();
        await gate;
      }
      yield data.subarray(1000);
    }
    const puts = datas.map((d, i) => sink.putBlob('r', sha(d), d.length, gated(i)));
    // The same blob twice at once is written once.
    const again = sink.putBlob('r', sha(datas[1]!), datas[1]!.length, gated(1));
    await firstPulled;
    // While the first blob is mid-entry, no other put has started reading.
    expect(pulled).toEqual([0]);
    release();
    await Promise.all([...puts, again]);
    expect(pulled).toEqual([0, 1, 2]);
    await sink.commit();
    const names = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(['blobs/', 'blobs/sha256/', ...datas.map((d) => `blobs/sha256/${sha(d).slice(7)}`), 'index.json', 'oci-layout']);
    const files = await entries(out);
    datas.forEach((d) => expect(files.get(`blobs/sha256/${sha(d).slice(7)}`)!.equals(d)).toBe(true));
  });

  it('a digest or size mismatch fails the put, and the sink refuses to commit and leaves no file', async () => {
    for (const mismatch of ['digest', 'size'] as const) {
      const out = join(fresh(), 'bad.tar');
      const sink = await createFileSink('oci-archive', out, { naming: 'tag' });
      await putImage(sink, 'app');
      const data = randomBytes(5000);
      const claimed = mismatch === 'digest' ? sha(randomBytes(5000)) : sha(data);
      const size = mismatch === 'size' ? 6000 : data.length;
      await expect(sink.putBlob('app', claimed, size, chunks(data))).rejects.toMatchObject({ code: mismatch === 'digest' ? 'DIGEST_INVALID' : 'SIZE_INVALID' });
      expect(await sink.headBlob('app', claimed)).toBeNull();
      await expect(sink.commit()).rejects.toMatchObject({ code: mismatch === 'digest' ? 'DIGEST_INVALID' : 'SIZE_INVALID', message: expect.stringContaining(`oci-archive:${out} was not written`) });
      expect(readdirSync(dir)).toEqual([]);
      rmSync(dir, { recursive: true });
    }
  });

  it('abort drops the partial file; nothing can be written afterwards', async () => {
    const out = join(fresh(), 'x.tar');
    writeFileSync(out, 'earlier content');
    const sink = await createFileSink('oci-archive', out, { naming: 'tag' });
    await putImage(sink, 'app');
    await sink.abort();
    await sink.abort();
    expect(readdirSync(dir)).toEqual(['x.tar']);
    expect(execFileSync('cat', [out], { encoding: 'utf8' })).toBe('earlier content');
    await expect(putImage(sink, 'app')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(sink.commit()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('lists referrers in index.json and answers for them; refuses a manifest whose blobs were not written', async () => {
    const out = join(fresh(), 'r.tar');
    const sink = await createFileSink('oci-archive', out, { naming: 'repository-tag' });
    const img = await putImage(sink, 'app');
    const subjectBody = (await sink.getManifest('app', img.digest))!.body;
    await sink.putManifest('app', 'v1', subjectBody, OCI_MANIFEST);
    const sig = await putImage(sink, 'app', { artifactType: 'application/vnd.example.sig', subject: { mediaType: OCI_MANIFEST, digest: img.digest, size: subjectBody.length } });
    expect((await sink.referrers('app', img.digest))?.map((r) => [r.digest, r.artifactType])).toEqual([[sig.digest, 'application/vnd.example.sig']]);
    const orphan = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'x/y', digest: sha(Buffer.from('nope')), size: 4 }, layers: [] }));
    await expect(sink.putManifest('app', 'v2', orphan, OCI_MANIFEST)).rejects.toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN' });
    await expect(sink.putManifest('app', sha(Buffer.from('x')), subjectBody, OCI_MANIFEST)).rejects.toMatchObject({ code: 'DIGEST_INVALID' });
    await expect(sink.putManifest('app', 'v3', Buffer.from('{not json'), OCI_MANIFEST)).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    await sink.commit();
    const index = json((await entries(out)).get('index.json'));
    expect(index.manifests.map((m: any) => [m.digest, m.artifactType, m.annotations?.['org.opencontainers.image.ref.name']])).toEqual([
      [img.digest, undefined, 'app:v1'],
      [sig.digest, 'application/vnd.example.sig', undefined],
    ]);
  });

  it('refuses destinations it cannot write, naming the path, and leaves nothing behind', async () => {
    const base = fresh();
    mkdirSync(join(base, 'folder'));
    await expect(createFileSink('oci-archive', join(base, 'folder'), { naming: 'tag' })).rejects.toMatchObject({
      code: 'IMAGE_PLACE_INVALID',
      message: `cannot write the archive ${join(base, 'folder')}: it is a folder; name a file`,
    });
    await expect(createFileSink('docker-archive', join(base, 'missing', 'a.tar'), { naming: 'tag' })).rejects.toMatchObject({
      code: 'IMAGE_PLACE_INVALID',
      message: expect.stringContaining(join(base, 'missing')),
    });
    writeFileSync(join(base, 'file'), '');
    await expect(createFileSink('oci-archive', join(base, 'file', 'a.tar'), { naming: 'tag' })).rejects.toMatchObject({
      code: 'IMAGE_PLACE_INVALID',
      message: expect.stringMatching(/file.*not a folder/),
    });
    expect(readdirSync(base).sort()).toEqual(['file', 'folder']);
    expect(readdirSync(join(base, 'folder'))).toEqual([]);
  });

  it('names a folder it may not write in', async () => {
    const ro = join(fresh(), 'ro');
    mkdirSync(ro);
    // root writes through file modes: an immutable folder (ext4) refuses it too.
    const root = process.getuid?.() === 0;
    if (root) execFileSync('chattr', ['+i', ro]);
    else chmodSync(ro, 0o555);
    try {
      await expect(createFileSink('oci-archive', join(ro, 'a.tar'), { naming: 'tag' })).rejects.toMatchObject({
        code: 'IMAGE_PLACE_INVALID',
        message: expect.stringMatching(new RegExp(`^cannot write the archive into the folder ${ro}: (permission denied|operation not permitted)$`)),
      });
      expect(readdirSync(ro)).toEqual([]);
    } finally {
      if (root) execFileSync('chattr', ['-i', ro]);
    }
  });
});
