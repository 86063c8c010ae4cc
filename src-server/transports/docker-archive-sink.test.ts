import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { list } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileSink } from './open-sink';
import type { FileSink } from './types';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'berth-docker-archive-sink-')));
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const hex = (d: string) => d.slice('sha256:'.length);
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const FOREIGN = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

async function put(sink: FileSink, data: Buffer): Promise<void> {
  await sink.putBlob('r', sha(data), data.length, (async function* () { yield data; })());
}

/** A docker image of two layers (and a foreign one when asked), put by digest; returns its parts. */
async function putImage(sink: FileSink, repo: string, opts: { foreign?: boolean; subject?: { digest: string; size: number } } = {}) {
  const layers = [randomBytes(3000), randomBytes(4000)];
  const foreign = { mediaType: FOREIGN, digest: sha(Buffer.from('elsewhere')), size: 9, urls: ['https://example.invalid/layer'] };
  const diffIds = [...(opts.foreign ? [sha(Buffer.from('foreign-diff'))] : []), sha(randomBytes(8)), sha(randomBytes(8))];
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } }));
  for (const b of [...layers, config]) await put(sink, b);
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(config), size: config.length },
      layers: [...(opts.foreign ? [foreign] : []), ...layers.map((l) => ({ mediaType: DOCKER_LAYER, digest: sha(l), size: l.length }))],
      ...(opts.subject ? { subject: { mediaType: DOCKER_MANIFEST, ...opts.subject } } : {}),
    }),
  );
  const digest = await sink.putManifest(repo, sha(body), body, DOCKER_MANIFEST);
  return { digest, body, config: sha(config), layers: layers.map(sha), foreign, diffIds };
}

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

describe('docker archive sink', () => {
  it("writes docker 25's layout: blobs, index.json, oci-layout, manifest.json with RepoTags, repositories", async () => {
    const out = join(fresh(), 'd.tar');
    const sink = await createFileSink('docker-archive', out, { naming: 'tag' });
    const a = await putImage(sink, 'team/app');
    await sink.putManifest('team/app', 'v1', a.body, DOCKER_MANIFEST);
    await sink.putManifest('team/app', 'latest', a.body, DOCKER_MANIFEST);
    const untagged = await putImage(sink, 'team/app');
    const b = await putImage(sink, 'tool', { foreign: true });
    await sink.putManifest('tool', '1.0', b.body, DOCKER_MANIFEST);
    await sink.commit();
    expect(readdirSync(dir)).toEqual(['d.tar']);

    const files = await entries(out);
    expect([...files.keys()].slice(-4)).toEqual(['index.json', 'manifest.json', 'oci-layout', 'repositories']);
    for (const d of [a.digest, a.config, ...a.layers, untagged.digest, b.digest]) expect(sha(files.get(`blobs/sha256/${hex(d)}`)!)).toBe(d);
    expect(files.has(`blobs/sha256/${hex(b.foreign.digest)}`)).toBe(false);
    expect(json(files.get('manifest.json'))).toEqual([
      { Config: `blobs/sha256/${hex(a.config)}`, RepoTags: ['team/app:v1', 'team/app:latest'], Layers: a.layers.map((l) => `blobs/sha256/${hex(l)}`) },
      { Config: `blobs/sha256/${hex(untagged.config)}`, RepoTags: null, Layers: untagged.layers.map((l) => `blobs/sha256/${hex(l)}`) },
      {
        Config: `blobs/sha256/${hex(b.config)}`,
        RepoTags: ['tool:1.0'],
        Layers: [b.foreign.digest, ...b.layers].map((l) => `blobs/sha256/${hex(l)}`),
        LayerSources: { [b.diffIds[0]!]: b.foreign },
      },
    ]);
    expect(json(files.get('repositories'))).toEqual({ 'team/app': { v1: hex(a.layers[1]!), latest: hex(a.layers[1]!) }, tool: { '1.0': hex(b.layers[1]!) } });
    const index = json(files.get('index.json'));
    expect(index.manifests.map((m: any) => [m.digest, m.mediaType, m.annotations])).toEqual([
      [a.digest, DOCKER_MANIFEST, { 'io.containerd.image.name': 'team/app:v1', 'org.opencontainers.image.ref.name': 'v1' }],
      [a.digest, DOCKER_MANIFEST, { 'io.containerd.image.name': 'team/app:latest', 'org.opencontainers.image.ref.name': 'latest' }],
      [b.digest, DOCKER_MANIFEST, { 'io.containerd.image.name': 'tool:1.0', 'org.opencontainers.image.ref.name': '1.0' }],
    ]);
    expect(json(files.get('oci-layout'))).toEqual({ imageLayoutVersion: '1.0.0' });
  });

  it('refuses an index: one platform per image', async () => {
    const sink = await createFileSink('docker-archive', join(fresh(), 'd.tar'), { naming: 'repository-tag' });
    const a = await putImage(sink, 'app');
    for (const mediaType of ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']) {
      const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: [{ mediaType: DOCKER_MANIFEST, digest: a.digest, size: a.body.length, platform: { os: 'linux', architecture: 'amd64' } }] }));
      await expect(sink.putManifest('app', 'multi', index, mediaType)).rejects.toMatchObject({
        code: 'IMAGE_PLACE_INVALID',
        message: expect.stringContaining('a docker archive holds one platform per image: choose a platform'),
      });
    }
    await sink.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps referrers out, counts them in leftOut, and still reports them so that no referrers tag is written', async () => {
    const out = join(fresh(), 'd.tar');
    const sink = await createFileSink('docker-archive', out, { naming: 'repository-tag' });
    const a = await putImage(sink, 'app');
    await sink.putManifest('app', 'v1', a.body, DOCKER_MANIFEST);
    const sig = await putImage(sink, 'app', { subject: { digest: a.digest, size: a.body.length } });
    await sink.putManifest('app', sig.digest, sig.body, DOCKER_MANIFEST);
    expect(sink.leftOut).toBe(1);
    // A referrer that is an index is left out as well, not refused as an index.
    const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
    const list = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [], subject: { mediaType: DOCKER_MANIFEST, digest: a.digest, size: a.body.length } }));
    await sink.putManifest('app', sha(list), list, OCI_INDEX);
    expect(sink.leftOut).toBe(2);
    expect((await sink.referrers('app', a.digest))?.map((r) => r.digest)).toEqual([sig.digest, sha(list)]);
    expect(await sink.headManifest('app', sig.digest)).toBeNull();
    await sink.commit();
    const files = await entries(out);
    expect(files.has(`blobs/sha256/${hex(sig.digest)}`)).toBe(false);
    expect(json(files.get('manifest.json')).map((m: any) => m.RepoTags)).toEqual([['app:v1']]);
    expect(json(files.get('index.json')).manifests.map((m: any) => m.annotations['org.opencontainers.image.ref.name'])).toEqual(['app:v1']);
  });
});
