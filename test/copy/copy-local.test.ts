/**
 * copyImage between two real embedded registries (services on two temp data dirs, read and written
 * in-process through LocalSource), and between two repositories of one registry (mounts).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RegistrySource } from '../../src-server/browse/source';
import { LocalSource } from '../../src-server/browse/local-source';
import { copyImage } from '../../src-server/copy/copy-image';
import type { CopyProgressEvent } from '../../src-server/copy/progress';
import { parseDigest } from '../../src-server/core/digest';
import { RegistryError } from '../../src-server/core/errors';
import { silentLogger } from '../../src-server/logger';
import { createServices, type Services } from '../../src-server/services';
import { tempDir } from '../helpers/berth-server';
import { artifact, blob, gatedSource, manifest, MT, multiArch, openUploads, totalSize, type BuiltImage } from './images';

let cleanups: (() => void)[] = [];
let a: LocalSource;
let b: LocalSource;
let servicesA: Services;
let dirB: string;

async function local(): Promise<{ source: LocalSource; services: Services; dir: string }> {
  const tmp = tempDir('berth-copy-');
  const services = await createServices({ dataDir: tmp.dir, fsync: false, log: silentLogger });
  cleanups.push(() => {
    services.close();
    tmp.cleanup();
  });
  return { source: new LocalSource(services.registry, () => 'localhost'), services, dir: tmp.dir };
}

beforeEach(async () => {
  const first = await local();
  a = first.source;
  servicesA = first.services;
  // Two LocalSources share the id "local"; the second is another registry, so give it its own id.
  const second = await local();
  b = second.source;
  dirB = second.dir;
  Object.defineProperty(b, 'id', { value: 'other' });
  Object.defineProperty(b, 'name', { value: 'other registry' });
});

afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Every blob and manifest of `img` is readable from `src:repo`. */
async function expectComplete(src: RegistrySource, repo: string, img: BuiltImage, platforms = [...img.children.keys()]) {
  for (const p of platforms) {
    expect(await src.headManifest(repo, img.children.get(p)!.digest), p).not.toBeNull();
    for (const d of img.platformBlobs.get(p)!) expect(await src.headBlob(repo, d), d).toBe(img.blobs.get(d));
  }
}

function recorder() {
  const events: CopyProgressEvent[] = [];
  return { events, onProgress: (p: CopyProgressEvent) => events.push(p) };
}

/** Progress rules: phases in order, counts never go back, the last event is done and complete. */
function expectProgress(events: CopyProgressEvent[], bytesTotal: number, blobsTotal: number) {
  const order = ['resolve', 'blobs', 'manifests', 'done'];
  expect([...new Set(events.map((e) => e.phase))]).toEqual(order);
  for (let i = 1; i < events.length; i++) {
    expect(order.indexOf(events[i]!.phase)).toBeGreaterThanOrEqual(order.indexOf(events[i - 1]!.phase));
    expect(events[i]!.bytesDone).toBeGreaterThanOrEqual(events[i - 1]!.bytesDone);
    expect(events[i]!.blobsDone).toBeGreaterThanOrEqual(events[i - 1]!.blobsDone);
  }
  for (const e of events.filter((e) => e.phase !== 'resolve')) {
    expect(e.bytesTotal).toBe(bytesTotal);
    expect(e.blobsTotal).toBe(blobsTotal);
    expect(e.bytesDone).toBeLessThanOrEqual(bytesTotal);
  }
  const last = events[events.length - 1]!;
  expect(last).toMatchObject({ phase: 'done', bytesDone: bytesTotal, bytesTotal, blobsDone: blobsTotal, blobsTotal, current: null });
}

describe('copyImage between two local registries', () => {
  it('copies a whole OCI index (every platform, same digest, shared layer once) and reports progress', async () => {
    const img = await multiArch(a, 'src/app', 'v1', { annotations: { 'org.opencontainers.image.title': 'app' } });
    const rec = recorder();
    const report = await copyImage(a, b, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v2' }, rec);
    expect(img.blobs.size).toBe(7);
    expect(report).toMatchObject({
      digest: img.digest,
      target: 'dst/app:v2',
      manifests: 4,
      blobsCopied: 7,
      blobsMounted: 0,
      blobsSkipped: 0,
      bytesCopied: totalSize(img.blobs),
    });
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
    const copied = await b.getManifest('dst/app', 'v2');
    expect(copied!.digest).toBe(img.digest);
    expect(copied!.mediaType).toBe(MT.ociIndex);
    expect(copied!.body.equals((await a.getManifest('src/app', 'v1'))!.body)).toBe(true);
    await expectComplete(b, 'dst/app', img);
    expectProgress(rec.events, totalSize(img.blobs), 7);
    // One event per finished blob at least, and blob events name the blob.
    expect(rec.events.filter((e) => e.phase === 'blobs' && e.current !== null).length).toBeGreaterThanOrEqual(7);
  });

  it('copies nothing when the target already has everything, and pushes by digest without a tag', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    await copyImage(a, b, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v1' });
    const rec = recorder();
    const again = await copyImage(a, b, { fromRepository: 'src/app', fromReference: img.digest, toRepository: 'dst/app' }, rec);
    expect(again).toMatchObject({ digest: img.digest, target: `dst/app@${img.digest}`, blobsCopied: 0, blobsMounted: 0, blobsSkipped: 7, bytesCopied: 0 });
    expectProgress(rec.events, 0, 0);
  });

  it('copies a Docker schema 2 manifest list as it is', async () => {
    const img = await multiArch(a, 'docker/app', 'latest', { kind: 'docker', platforms: ['linux/amd64', 'windows/amd64'] });
    const report = await copyImage(a, b, { fromRepository: 'docker/app', fromReference: 'latest', toRepository: 'docker/app', toReference: 'latest' });
    expect(report).toMatchObject({ digest: img.digest, manifests: 3, blobsCopied: 5 });
    const list = await b.getManifest('docker/app', 'latest');
    expect(list!.mediaType).toBe(MT.dockerList);
    const child = await b.getManifest('docker/app', img.children.get('windows/amd64')!.digest);
    expect(child!.mediaType).toBe(MT.dockerManifest);
    await expectComplete(b, 'docker/app', img);
  });

  it('copies an artifact (empty config, layers of any media type)', async () => {
    const art = await artifact(a, 'art/bundle', 'sig');
    const report = await copyImage(a, b, { fromRepository: 'art/bundle', fromReference: 'sig', toRepository: 'art/bundle', toReference: 'sig' });
    expect(report).toMatchObject({ digest: art.digest, manifests: 1, blobsCopied: 3, bytesCopied: totalSize(art.blobs) });
    for (const [d, size] of art.blobs) expect(await b.headBlob('art/bundle', d)).toBe(size);
    const m = JSON.parse((await b.getManifest('art/bundle', 'sig'))!.body.toString());
    expect(m.artifactType).toBe('application/vnd.example.bundle');
  });

  it('copies a single image without any index', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    const child = img.children.get('linux/arm64')!;
    const report = await copyImage(a, b, { fromRepository: 'src/app', fromReference: child.digest, toRepository: 'one/app', toReference: 'arm' });
    expect(report).toMatchObject({ digest: child.digest, target: 'one/app:arm', manifests: 1, blobsCopied: 3 });
    await expectComplete(b, 'one/app', img, ['linux/arm64']);
  });
});

describe('foreign layers', () => {
  it('a non-distributable layer the source lacks is skipped, as registries do; the manifest still copies', async () => {
    const config = await blob(a, 'win/app', Buffer.from('{"os":"windows","architecture":"amd64"}'), MT.ociConfig);
    const own = await blob(a, 'win/app', randomBytes(1000), MT.ociLayer);
    const foreign = {
      mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
      digest: `sha256:${'f'.repeat(64)}`,
      size: 123456,
      urls: ['https://example.invalid/base.tar.gz'],
    };
    const m = await manifest(a, 'win/app', { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [foreign, own] }, 'ltsc');
    const rec = recorder();
    const report = await copyImage(a, b, { fromRepository: 'win/app', fromReference: 'ltsc', toRepository: 'win/app', toReference: 'ltsc' }, rec);
    expect(report).toMatchObject({ digest: m.digest, blobsCopied: 2, blobsSkipped: 1, bytesCopied: config.size + own.size });
    expectProgress(rec.events, config.size + own.size, 2);
    expect((await b.getManifest('win/app', 'ltsc'))!.digest).toBe(m.digest);
  });
});

describe('platform subsets', () => {
  it('one platform: that image alone, under the target tag', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    const report = await copyImage(a, b, {
      fromRepository: 'src/app',
      fromReference: 'v1',
      toRepository: 'dst/app',
      toReference: 'arm',
      platforms: ['linux/arm/v7'],
    });
    const child = img.children.get('linux/arm/v7')!;
    expect(report).toMatchObject({ digest: child.digest, target: 'dst/app:arm', manifests: 1, blobsCopied: 3 });
    const m = await b.getManifest('dst/app', 'arm');
    expect(m).toMatchObject({ digest: child.digest, mediaType: MT.ociManifest });
    await expectComplete(b, 'dst/app', img, ['linux/arm/v7']);
    // The other platforms' own blobs did not travel.
    for (const p of ['linux/amd64', 'linux/arm64']) expect(await b.headBlob('dst/app', img.platformBlobs.get(p)![2]!)).toBeNull();
    expect(await b.headManifest('dst/app', img.digest)).toBeNull();
  });

  it('several platforms: a new index with exactly those children, annotations kept', async () => {
    const img = await multiArch(a, 'src/app', 'v1', { annotations: { 'org.example.note': 'kept' } });
    const report = await copyImage(a, b, {
      fromRepository: 'src/app',
      fromReference: 'v1',
      toRepository: 'dst/app',
      toReference: 'two',
      platforms: ['linux/arm64', 'linux/amd64'],
    });
    expect(report.digest).not.toBe(img.digest);
    expect(report).toMatchObject({ manifests: 3, blobsCopied: 5 });
    const m = await b.getManifest('dst/app', 'two');
    expect(m!.digest).toBe(report.digest);
    expect(parseDigest(report.digest)).not.toBeNull();
    expect(m!.mediaType).toBe(MT.ociIndex);
    const index = JSON.parse(m!.body.toString());
    expect(index.annotations).toEqual({ 'org.example.note': 'kept' });
    // Index order is kept, whatever order the platforms were asked in.
    expect(index.manifests).toEqual([img.children.get('linux/amd64'), img.children.get('linux/arm64')]);
    await expectComplete(b, 'dst/app', img, ['linux/amd64', 'linux/arm64']);
    expect(await b.headManifest('dst/app', img.children.get('linux/arm/v7')!.digest)).toBeNull();
  });

  it('an unknown platform is PLATFORM_UNKNOWN listing the available ones, and writes nothing', async () => {
    await multiArch(a, 'src/app', 'v1');
    const err = await copyImage(a, b, {
      fromRepository: 'src/app',
      fromReference: 'v1',
      toRepository: 'dst/app',
      toReference: 'x',
      platforms: ['linux/amd64', 'linux/s390x'],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('PLATFORM_UNKNOWN');
    expect((err as RegistryError).message).toContain('linux/s390x');
    expect((err as RegistryError).detail).toEqual({ platform: 'linux/s390x', available: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] });
    expect(await b.tags('dst/app')).toBeNull();
  });

  it('platforms for a single image are refused clearly', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    await expect(
      copyImage(a, b, { fromRepository: 'src/app', fromReference: img.children.get('linux/amd64')!.digest, toRepository: 'x/y', platforms: ['linux/amd64'] }),
    ).rejects.toMatchObject({ code: 'PLATFORM_UNKNOWN', message: expect.stringContaining('single image') });
  });
});

describe('within one registry', () => {
  it('mounts every blob from the source repository: no bytes streamed', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    const rec = recorder();
    const report = await copyImage(a, a, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'team/app', toReference: 'v1' }, rec);
    expect(report).toMatchObject({ digest: img.digest, blobsMounted: 7, blobsCopied: 0, blobsSkipped: 0, bytesCopied: 0 });
    await expectComplete(a, 'team/app', img);
    // Mounted blobs count as done, whole: the bar still ends full.
    expectProgress(rec.events, totalSize(img.blobs), 7);
  });
});

describe('failures', () => {
  it('a blob missing from the source: a clear error naming it, and no manifest on the target', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    const gone = img.platformBlobs.get('linux/arm64')![2]!;
    await servicesA.registry.deleteBlob('src/app', parseDigest(gone)!);
    const err = await copyImage(a, b, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BLOB_UNKNOWN', message: expect.stringContaining(gone) });
    expect((err as Error).message).toContain(img.children.get('linux/arm64')!.digest);
    expect(await b.tags('dst/app')).toBeNull();
    for (const c of img.children.values()) expect(await b.headManifest('dst/app', c.digest)).toBeNull();
  });

  it('an unknown source reference is MANIFEST_UNKNOWN naming it', async () => {
    await expect(copyImage(a, b, { fromRepository: 'src/none', fromReference: 'v9', toRepository: 'dst/app' })).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
      message: expect.stringContaining('src/none:v9'),
    });
  });

  it('a target digest that is not the copied one is refused before anything moves', async () => {
    await multiArch(a, 'src/app', 'v1');
    const wrong = `sha256:${'0'.repeat(64)}`;
    await expect(copyImage(a, b, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: wrong })).rejects.toMatchObject({
      code: 'DIGEST_INVALID',
    });
    expect(await b.tags('dst/app')).toBeNull();
  });
});

describe('the target tag: never overwritten unasked', () => {
  it('refuses to replace a tag holding another image (a 3-platform index by one platform), before anything moves', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    const there = await multiArch(b, 'dst/app', 'v1');
    const child = img.children.get('linux/arm64')!;
    const err = await copyImage(a, b, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v1', platforms: ['linux/arm64'] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ code: 'DESTINATION_EXISTS', status: 409, detail: { current: there.digest, copied: child.digest } });
    expect((err as Error).message).toContain(`dst/app:v1 on "other registry" holds another image (${there.digest})`);
    expect((await b.getManifest('dst/app', 'v1'))!.digest).toBe(there.digest);
    for (const d of img.blobs.keys()) expect(await b.headBlob('dst/app', d), d).toBeNull();
    expect(await b.headManifest('dst/app', child.digest)).toBeNull();
  });

  it('replaces it when told the digest it holds, and reports what it replaced', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    const there = await multiArch(b, 'dst/app', 'v1');
    const child = img.children.get('linux/arm64')!;
    const report = await copyImage(a, b, {
      fromRepository: 'src/app',
      fromReference: 'v1',
      toRepository: 'dst/app',
      toReference: 'v1',
      platforms: ['linux/arm64'],
      expectDestination: there.digest,
    });
    expect(report).toMatchObject({ digest: child.digest, target: 'dst/app:v1', replaced: there.digest });
    expect((await b.getManifest('dst/app', 'v1'))!.digest).toBe(child.digest);
  });

  it('refuses when the tag is not what was confirmed: another digest, or there when it should not exist', async () => {
    await multiArch(a, 'src/app', 'v1');
    const there = await multiArch(b, 'dst/app', 'v1');
    const args = { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v1' };
    const stale = `sha256:${'5'.repeat(64)}`;
    await expect(copyImage(a, b, { ...args, expectDestination: stale })).rejects.toMatchObject({
      code: 'DESTINATION_CHANGED',
      detail: { expected: stale, current: there.digest },
      message: expect.stringContaining(`held ${stale} when the copy was confirmed and now holds ${there.digest}`),
    });
    await expect(copyImage(a, b, { ...args, expectDestination: null })).rejects.toMatchObject({
      code: 'DESTINATION_CHANGED',
      message: expect.stringContaining('did not exist when the copy was confirmed'),
    });
    expect((await b.getManifest('dst/app', 'v1'))!.digest).toBe(there.digest);
  });

  it('writes a new tag, and a tag that holds the copied digest already, without asking', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    const args = { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v1' };
    expect(await copyImage(a, b, { ...args, expectDestination: null })).not.toHaveProperty('replaced');
    const again = await copyImage(a, b, args);
    expect(again).toMatchObject({ digest: img.digest, blobsSkipped: 7 });
    expect(again).not.toHaveProperty('replaced');
  });

  it('looks again just before writing the tag: a push meanwhile is not overwritten', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    let intruder = '';
    // The tag is pushed by someone else while the copy's first blob goes across.
    const racing: RegistrySource = Object.create(b, {
      putBlob: {
        value: async (repo: string, digest: string, size: number, chunks: AsyncIterable<Buffer>) => {
          if (!intruder) intruder = (await multiArch(b, 'dst/app', 'v1', { platforms: ['linux/s390x'] })).digest;
          return b.putBlob(repo, digest, size, chunks);
        },
      },
    });
    const err = await copyImage(a, racing, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v1', expectDestination: null }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'DESTINATION_CHANGED', detail: { expected: null, current: intruder, copied: img.digest } });
    expect((await b.getManifest('dst/app', 'v1'))!.digest).toBe(intruder);
  });

  it('an expected digest needs a target tag', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    await expect(copyImage(a, b, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', expectDestination: img.digest })).rejects.toMatchObject({
      code: 'TAG_INVALID',
    });
  });
});

describe('cancel', () => {
  it('stops between blobs: no manifest, the tag as it was, and says what stayed', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    const there = await multiArch(b, 'dst/app', 'v1');
    const ctl = new AbortController();
    const seen: CopyProgressEvent[] = [];
    const err = await copyImage(a, b, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v1', expectDestination: there.digest }, {
      signal: ctl.signal,
      concurrency: 1,
      onProgress: (p) => {
        seen.push(p);
        // After the first blob: the worker takes no second one.
        if (p.blobsDone === 1) ctl.abort(new Error('the user said stop'));
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ code: 'CANCELLED', detail: { blobsCopied: 1, blobsMounted: 0, manifestsWritten: 0 } });
    expect((err as Error).message).toMatch(/^the copy to dst\/app:v1 was cancelled before the tag was written: dst\/app:v1 is as it was; 1 blob \(\d+ bytes streamed\) already copied stay in dst\/app, unreferenced, until a garbage collection removes them$/);
    expect(seen.some((e) => e.phase === 'manifests')).toBe(false);
    expect((await b.getManifest('dst/app', 'v1'))!.digest).toBe(there.digest);
    for (const c of img.children.values()) expect(await b.headManifest('dst/app', c.digest)).toBeNull();
    const copied = [...img.blobs.keys()].filter((d) => seen.some((e) => e.current === d));
    expect(copied).toHaveLength(1);
    for (const d of img.blobs.keys()) if (d !== copied[0]) expect(await b.headBlob('dst/app', d), d).toBeNull();
  });

  it('aborts a blob in flight and waits for it: the upload is gone at the target when the copy says it stopped', async () => {
    const big = await blob(a, 'big/app', randomBytes(4 << 20), MT.ociLayer);
    const config = await blob(a, 'big/app', Buffer.from('{"os":"linux","architecture":"amd64"}'), MT.ociConfig);
    await manifest(a, 'big/app', { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [big] }, 'v1');
    const gated = gatedSource(a);
    const ctl = new AbortController();
    const run = copyImage(gated.source, b, { fromRepository: 'big/app', fromReference: 'v1', toRepository: 'big/app', toReference: 'v1' }, { signal: ctl.signal, concurrency: 1 });
    const moving = await gated.firstChunk;
    // The blob's upload is open at the target, and its first chunk went in.
    expect(openUploads(dirB, 'big/app')).toHaveLength(1);
    ctl.abort(new Error('stop'));
    const err = await run.catch((e: unknown) => e);
    expect(openUploads(dirB, 'big/app')).toEqual([]);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(await b.headBlob('big/app', moving)).toBeNull();
    expect(await b.tags('big/app')).toBeNull();
    gated.release();
  });

  it('once the tag is being written the copy completes: a late cancel does not make it a lie', async () => {
    const img = await multiArch(a, 'src/app', 'v1');
    const ctl = new AbortController();
    const late: RegistrySource = Object.create(b, {
      putManifest: {
        value: (repo: string, ref: string, body: Buffer, mediaType: string) => {
          if (ref === 'v1') ctl.abort(new Error('too late'));
          return b.putManifest(repo, ref, body, mediaType);
        },
      },
    });
    const report = await copyImage(a, late, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v1' }, { signal: ctl.signal });
    expect(report).toMatchObject({ digest: img.digest, target: 'dst/app:v1' });
    expect((await b.getManifest('dst/app', 'v1'))!.digest).toBe(img.digest);
  });

  it('cancelled before it starts: nothing read, nothing written', async () => {
    await multiArch(a, 'src/app', 'v1');
    const ctl = new AbortController();
    ctl.abort(new Error('never mind'));
    await expect(copyImage(a, b, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v1' }, { signal: ctl.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
      message: expect.stringContaining('nothing was written'),
    });
    expect(await b.tags('dst/app')).toBeNull();
  });
});

describe('copy failures in words', () => {
  it('name the connections by the names the user gave them, never by their ids', async () => {
    const img = await multiArch(a, 'named/app', 'v1');
    const refusing: RegistrySource = Object.create(b, {
      id: { value: 'c-5f0e2a' },
      name: { value: 'Team registry' },
      putBlob: {
        value: async () => {
          throw new RegistryError('DENIED', { message: 'the registry refused the upload' });
        },
      },
    });
    const err = await copyImage(a, refusing, { fromRepository: 'named/app', fromReference: 'v1', toRepository: 'dst/app' }).then(
      () => null,
      (e: unknown) => e as RegistryError,
    );
    expect(err).toBeInstanceOf(RegistryError);
    expect(err!.message).toContain('on "This computer" to dst/app on "Team registry"');
    expect(err!.message).not.toContain('c-5f0e2a');
    expect(img.children.size).toBeGreaterThan(0);
  });
});
