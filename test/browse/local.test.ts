/**
 * Browsing the local registry in-process (createServices in a temp dir, images written through
 * LocalSource): multi-arch sizes and shared bytes against values computed here, config and history,
 * artifacts and referrers, tag pages with origins, repository sizes, repository paging at 10,000
 * repositories, and tag deletion that keeps siblings.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../src-server/browse/browser';
import { BrowseCache } from '../../src-server/browse/cache';
import { LocalSource } from '../../src-server/browse/local-source';
import type { RegistrySource } from '../../src-server/browse/source';
import { RegistryError } from '../../src-server/core/errors';
import { createServices, type Services } from '../../src-server/services';
import { tempDir } from '../helpers/berth-server';
import { bytes, distinctBytes, MT, putArtifact, putImage, putIndex, type Written } from './fixtures';

let tmp: ReturnType<typeof tempDir>;
let services: Services;
let local: LocalSource;
let browser: Browser;
let db: Database.Database;

const L = { shared: bytes('shared', 3000), amd: bytes('amd', 2000), arm: bytes('arm', 1500), v2: bytes('v2', 700) };
let amd: Written;
let arm: Written;
let index: Written;
let single: Written;
let sbom: Written;

function makeBrowser(source: RegistrySource = local): Browser {
  return new Browser({ cache: new BrowseCache(db), source: async (c) => (c === 'local' ? source : Promise.reject(new Error(`unknown ${c}`))), registry: services.registry });
}

beforeAll(async () => {
  tmp = tempDir('berth-browse-local-');
  services = await createServices({ dataDir: join(tmp.dir, 'data') });
  local = new LocalSource(services.registry, () => '127.0.0.1:5000');
  db = new Database(join(tmp.dir, 'browse.db'));
  browser = makeBrowser();
  const history = [
    { created_by: 'ADD rootfs /', created: '2024-01-01T00:00:00Z' },
    { created_by: 'ENV A=1', empty_layer: true },
    { created_by: 'RUN make' },
  ];
  amd = await putImage(local, 'team/app', null, {
    layers: [L.shared, L.amd],
    created: '2024-02-01T00:00:00Z',
    author: 'Ann',
    run: { Entrypoint: ['/bin/app'], Cmd: ['--serve'], Env: ['PATH=/bin', 'A=1'], WorkingDir: '/srv', User: 'app', Labels: { 'org.opencontainers.image.version': '1.0' }, ExposedPorts: { '8080/tcp': {} }, Volumes: { '/data': {} } },
    history,
  });
  arm = await putImage(local, 'team/app', null, { layers: [L.shared, L.arm], architecture: 'arm64', variant: 'v8', created: '2024-03-01T00:00:00Z', history });
  index = await putIndex(local, 'team/app', 'v1', [
    { image: amd, platform: { os: 'linux', architecture: 'amd64' } },
    { image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ]);
  await local.putManifest('team/app', 'latest', index.body, MT.ociIndex);
  single = await putImage(local, 'team/app', 'v2', { layers: [L.shared, L.v2], docker: true, created: '2024-04-01T00:00:00Z' });
  sbom = await putArtifact(local, 'team/app', null, 'application/spdx+json', [Buffer.from('{"spdx":true}')], index);
});

afterAll(() => {
  db?.close();
  services?.close();
  tmp?.cleanup();
});

describe('image details', () => {
  it('gives each platform its size and the bytes it shares with the other platforms', async () => {
    const d = await browser.image({ connection: 'local', repository: 'team/app', reference: 'v1' });
    expect(d.isIndex).toBe(true);
    expect(d.digest).toBe(index.digest);
    expect(d.manifestSize).toBe(index.size);
    const [cAmd, cArm] = [amd.blobs[0]!, arm.blobs[0]!];
    expect(d.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
    const [pa, pr] = d.platforms;
    expect(pa!.size).toBe(cAmd.size + 3000 + 2000);
    expect(pa!.sharedBytes).toBe(3000);
    expect(pa!.uniqueBytes).toBe(cAmd.size + 2000);
    expect(pr!.size).toBe(cArm.size + 3000 + 1500);
    expect(pr!.sharedBytes).toBe(3000);
    expect(pa!.layers.map((l) => l.shared)).toEqual([true, false]);
    expect(pa!.manifestSize).toBe(amd.size);
    expect(d.sharedBytes).toBe(3000);
    expect(d.totalBytes).toBe(index.size + amd.size + arm.size + distinctBytes([...amd.blobs, ...arm.blobs]));
    expect(d.tags).toEqual(['latest']);
    expect(d.pullByDigest).toBe(`127.0.0.1:5000/team/app@${index.digest}`);
    expect(d.origin?.source).toBe('pushed');
    expect(d.referrersSupported).toBe(true);
    expect(d.referrers).toEqual([{ digest: sbom.digest, mediaType: MT.ociManifest, artifactType: 'application/spdx+json', size: sbom.size, annotations: { 'org.example.kind': 'test' } }]);
  });

  it('parses the config and gives each history step that made a layer its size', async () => {
    const d = await browser.image({ connection: 'local', repository: 'team/app', reference: index.digest });
    const p = d.platforms[0]!;
    expect(p.config).toEqual({
      created: '2024-02-01T00:00:00Z',
      author: 'Ann',
      os: 'linux',
      architecture: 'amd64',
      variant: null,
      entrypoint: ['/bin/app'],
      cmd: ['--serve'],
      env: ['PATH=/bin', 'A=1'],
      workingDir: '/srv',
      user: 'app',
      labels: { 'org.opencontainers.image.version': '1.0' },
      exposedPorts: ['8080/tcp'],
      volumes: ['/data'],
    });
    expect(p.configDigest).toBe(amd.blobs[0]!.digest);
    expect(p.history.map((h) => [h.createdBy, h.emptyLayer, h.size])).toEqual([
      ['ADD rootfs /', false, 3000],
      ['ENV A=1', true, null],
      ['RUN make', false, 2000],
    ]);
    // Both tags point at it; asked by digest, no tag is "the other".
    expect(d.tags).toEqual(['latest', 'v1']);
  });

  it('shows a Docker schema 2 single image as one platform with nothing shared', async () => {
    const d = await browser.image({ connection: 'local', repository: 'team/app', reference: 'v2' });
    expect(d.isIndex).toBe(false);
    expect(d.mediaType).toBe(MT.dockerManifest);
    expect(d.platforms).toHaveLength(1);
    expect(d.platforms[0]).toMatchObject({ platform: 'linux/amd64', size: distinctBytes(single.blobs), sharedBytes: 0, artifactType: null });
    expect(d.platforms[0]!.layers.map((l) => l.mediaType)).toEqual([MT.dockerLayer, MT.dockerLayer]);
    expect(d.totalBytes).toBe(single.size + distinctBytes(single.blobs));
    expect(d.referrers).toEqual([]);
  });

  it('shows an artifact with its artifactType and no image config', async () => {
    const d = await browser.image({ connection: 'local', repository: 'team/app', reference: sbom.digest });
    expect(d.platforms[0]).toMatchObject({ platform: 'unknown', artifactType: 'application/spdx+json', config: null, history: [] });
    expect(d.platforms[0]!.size).toBe(2 + '{"spdx":true}'.length);
  });

  it('answers MANIFEST_UNKNOWN for a tag that does not exist', async () => {
    await expect(browser.image({ connection: 'local', repository: 'team/app', reference: 'nope' })).rejects.toMatchObject({ what: 'manifest' });
  });
});

describe('tags and sizes', () => {
  it('lists tags with digest, platforms, size, created and origin, a page at a time', async () => {
    const first = await browser.tags({ connection: 'local', repository: 'team/app', n: 2 });
    expect(first.total).toBe(3);
    expect(first.items.map((t) => t.name)).toEqual(['latest', 'v1']);
    expect(first.next).toBe('v1');
    const v1 = first.items[1]!;
    expect(v1).toMatchObject({ digest: index.digest, mediaType: MT.ociIndex, platforms: ['linux/amd64', 'linux/arm64/v8'], created: '2024-03-01T00:00:00Z' });
    expect(v1.size).toBe(index.size + amd.size + arm.size + distinctBytes([...amd.blobs, ...arm.blobs]));
    expect(v1.origin?.source).toBe('pushed');
    const rest = await browser.tags({ connection: 'local', repository: 'team/app', n: 2, last: first.next! });
    expect(rest.items.map((t) => [t.name, t.platforms, t.size])).toEqual([['v2', ['linux/amd64'], single.size + distinctBytes(single.blobs)]]);
    expect(rest.next).toBeNull();
    const filtered = await browser.tags({ connection: 'local', repository: 'team/app', query: 'V' });
    expect(filtered.items.map((t) => t.name)).toEqual(['v1', 'v2']);
  });

  it('sizes a repository counting blobs shared between tags once', async () => {
    const size = await browser.repositorySize({ connection: 'local', repository: 'team/app' });
    const expected = index.size + amd.size + arm.size + single.size + distinctBytes([...amd.blobs, ...arm.blobs, ...single.blobs]);
    // What the repository stores in all also holds the untagged SBOM that refers to v1.
    const stored = expected + sbom.size + distinctBytes(sbom.blobs);
    expect(size).toEqual({ repository: 'team/app', tags: 3, images: 2, bytes: expected, failed: [], stored });
  });

  it('pages 10,000 repositories with counts and sizes from the index, fast', async () => {
    const { dir, cleanup } = tempDir('berth-browse-many-');
    const many = await createServices({ dataDir: dir });
    try {
      const info = { mediaType: MT.ociManifest, kind: 'image' as const, artifactType: null, config: { mediaType: MT.ociConfig, digest: `sha256:${'c'.repeat(64)}`, size: 10 }, layers: [{ mediaType: MT.ociLayer, digest: `sha256:${'a'.repeat(64)}`, size: 1000 }], manifests: [], subject: null, annotations: null };
      many.index.db.transaction(() => {
        for (let i = 0; i < 10_000; i++) {
          const name = `ns/repo-${String(i).padStart(5, '0')}`;
          many.index.addManifest(name, { digest: `sha256:${'b'.repeat(64)}`, size: 500, info });
          many.index.setTag(name, 'latest', `sha256:${'b'.repeat(64)}`);
        }
      })();
      const b = new Browser({ cache: new BrowseCache(new Database(':memory:')), source: async () => new LocalSource(many.registry, () => 'x'), registry: many.registry });
      const t0 = performance.now();
      const page = await b.repositories({ connection: 'local', n: 100, last: 'ns/repo-05000' });
      const filtered = await b.repositories({ connection: 'local', query: '-0999' });
      const ms = performance.now() - t0;
      expect(page.items).toHaveLength(100);
      expect(page.items[0]).toEqual({ name: 'ns/repo-05001', tagCount: 1, size: 1510 });
      expect(page.next).toBe('ns/repo-05100');
      expect(page.total).toBe(10_000);
      expect(page.source).toBe('index');
      expect(filtered.items.map((r) => r.name)).toEqual(Array.from({ length: 10 }, (_, i) => `ns/repo-0999${i}`));
      expect(filtered.total).toBe(10);
      expect(ms).toBeLessThan(500);
    } finally {
      many.close();
      cleanup();
    }
  });
});

describe('deleting a tag on the local registry', () => {
  it('previews the siblings and deletes only the tag, keeping them', async () => {
    const plan = await browser.deletePreview({ connection: 'local', repository: 'team/app', tag: 'latest' });
    expect(plan).toMatchObject({ tag: 'latest', digest: index.digest, siblings: ['v1'], method: 'tag' });
    expect(plan.message).toContain('v1');
    const result = await browser.deleteTag({ connection: 'local', repository: 'team/app', tag: 'latest', digest: index.digest });
    expect(result).toEqual({ digest: index.digest, method: 'tag', removedTags: ['latest'] });
    expect(services.index.tags('team/app', 100)).toEqual(['v1', 'v2']);
    expect(services.index.resolveTag('team/app', 'v1')).toBe(index.digest);
  });

  it('refuses with TAG_MOVED when the tag points elsewhere than confirmed, and deletes nothing', async () => {
    const err = await browser.deleteTag({ connection: 'local', repository: 'team/app', tag: 'v2', digest: index.digest }).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ code: 'TAG_MOVED', status: 409, detail: { expected: index.digest, actual: single.digest } });
    expect(services.index.resolveTag('team/app', 'v2')).toBe(single.digest);
  });

  it('says the local registry refuses deletes when they are off', async () => {
    const { dir, cleanup } = tempDir('berth-browse-nodelete-');
    const ro = await createServices({ dataDir: dir, deleteEnabled: false });
    try {
      const src = new LocalSource(ro.registry, () => 'x');
      const img = await putImage(src, 'a', 't', { layers: [bytes('x', 10)] });
      const b = new Browser({ cache: new BrowseCache(new Database(':memory:')), source: async () => src, registry: ro.registry });
      expect((await b.deletePreview({ connection: 'local', repository: 'a', tag: 't' })).method).toBe('unsupported');
      await expect(b.deleteTag({ connection: 'local', repository: 'a', tag: 't', digest: img.digest })).rejects.toMatchObject({
        code: 'UNSUPPORTED',
        message: expect.stringContaining('does not allow deletes'),
      });
    } finally {
      ro.close();
      cleanup();
    }
  });
});
