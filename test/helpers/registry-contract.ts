import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDigest, type ParsedDigest } from '../../src-server/core/digest';
import { MissingReferencesError, NotFoundError, RegistryError } from '../../src-server/core/errors';
import type { BlobContent, RegistryService } from '../../src-server/registry/service';
import { putBlob, putImage, putIndex } from '../gc/fixtures';
import { readAll } from './driver-contract';

/** A registry service under test, and how to dispose of it. */
export interface ServiceUnderTest {
  registry: RegistryService;
  close(): Promise<void> | void;
}

const digestOfBytes = (b: Buffer): ParsedDigest => parseDigest(`sha256:${createHash('sha256').update(b).digest('hex')}`)!;
const chunks = (...parts: Buffer[]): AsyncIterable<Buffer> =>
  (async function* () {
    yield* parts;
  })();

/** The bytes of an opened blob, whatever form it came in (a redirect is not expected here). */
async function bytesOf(content: BlobContent): Promise<Buffer> {
  if ('stream' in content) return readAll(content.stream);
  if ('file' in content) {
    try {
      const { start, end } = content.range ?? { start: 0, end: content.size - 1 };
      const buf = Buffer.alloc(end - start + 1);
      await content.file.handle.read(buf, 0, buf.length, start);
      return buf;
    } finally {
      await content.file.close();
    }
  }
  throw new Error(`unexpected redirect to ${content.redirect}`);
}

const whole = { range: () => undefined };

/**
 * The RegistryService contract: the same cases for every implementation (the local registry, and
 * the pull-through cache wrapped around one, in test/registry/service-contract.test.ts), as
 * driver-contract.ts does for the storage drivers. Failures are neutral errors (NotFoundError,
 * MissingReferencesError...): the caller picks the protocol's code.
 */
export function registryContract(name: string, make: () => Promise<ServiceUnderTest>): void {
  describe(`${name}: RegistryService contract`, () => {
    let sut: ServiceUnderTest;
    let reg: RegistryService;
    beforeEach(async () => {
      sut = await make();
      reg = sut.registry;
    });
    afterEach(async () => {
      await sut.close();
    });

    it('uploads in chunks: status follows, the commit verifies the digest, the blob reads back whole and by range', async () => {
      const data = randomBytes(3000);
      const d = digestOfBytes(data);
      const up = await reg.startUpload('c/app');
      expect(up.size).toBe(0);
      expect((await reg.appendUpload('c/app', up.uuid, chunks(data.subarray(0, 1000)), 0)).size).toBe(1000);
      expect((await reg.uploadStatus('c/app', up.uuid)).size).toBe(1000);
      expect(await reg.commitUpload('c/app', up.uuid, d, chunks(data.subarray(1000)))).toBe(3000);
      await expect(reg.uploadStatus('c/app', up.uuid)).rejects.toBeInstanceOf(NotFoundError);
      expect(await reg.statBlob('c/app', d)).toBe(3000);
      expect(await reg.claimBlob('c/app', d)).toBe(3000);
      expect((await bytesOf(await reg.openBlob('c/app', d, whole))).equals(data)).toBe(true);
      const part = await reg.openBlob('c/app', d, { range: (size) => ({ start: 10, end: size - 11 }), file: true });
      expect(part.size).toBe(3000);
      expect((await bytesOf(part)).equals(data.subarray(10, 2990))).toBe(true);
    });

    it('a range the reader refuses is refused before anything is opened', async () => {
      const blob = await putBlob(reg, 'c/app', randomBytes(10));
      const refusal = new RegistryError('RANGE_INVALID');
      const got = await reg.openBlob('c/app', parseDigest(blob.digest)!, { range: () => { throw refusal; } }).catch((e: unknown) => e);
      expect(got).toBe(refusal);
    });

    it('a wrong digest stores nothing, and a cancelled upload is gone', async () => {
      const data = randomBytes(100);
      const wrong = digestOfBytes(randomBytes(100));
      await expect(reg.putBlob('c/app', wrong, chunks(data))).rejects.toThrow();
      await expect(reg.statBlob('c/app', wrong)).rejects.toBeInstanceOf(NotFoundError);
      const up = await reg.startUpload('c/app');
      await reg.cancelUpload('c/app', up.uuid);
      await expect(reg.uploadStatus('c/app', up.uuid)).rejects.toBeInstanceOf(NotFoundError);
      await expect(reg.appendUpload('c/app', '00000000-0000-4000-8000-000000000000', chunks(data))).rejects.toBeInstanceOf(NotFoundError);
    });

    it('mounts from a repository that has the blob, and not from one that does not', async () => {
      const blob = await putBlob(reg, 'c/a', randomBytes(64));
      const d = parseDigest(blob.digest)!;
      expect(await reg.mountBlob('c/b', d, 'c/elsewhere')).toBe(false);
      await expect(reg.statBlob('c/b', d)).rejects.toBeInstanceOf(NotFoundError);
      expect(await reg.mountBlob('c/b', d, 'c/a')).toBe(true);
      expect(await reg.statBlob('c/b', d)).toBe(64);
      expect(await reg.mountBlob('c/x', digestOfBytes(randomBytes(8)))).toBe(false);
    });

    it('stores manifests by tag and digest; tags, catalog and lookups agree', async () => {
      const one = await putImage(reg, 'c/app', 'v1');
      const two = await putImage(reg, 'c/app', 'v2');
      await reg.putManifest('c/app', 'latest', two.body, two.desc.mediaType);
      await putImage(reg, 'c/other', 'x');
      expect(await reg.getManifest('c/app', 'v1')).toMatchObject({ digest: one.desc.digest, mediaType: one.desc.mediaType });
      expect((await reg.getManifest('c/app', two.desc.digest)).body.equals(two.body)).toBe(true);
      expect(reg.tags('c/app', 10)).toEqual(['latest', 'v1', 'v2']);
      expect(reg.tags('c/app', 1, 'latest')).toEqual(['v1']);
      expect(reg.allTags('c/app')).toEqual(['latest', 'v1', 'v2']);
      expect(reg.allTags('c/none')).toBeNull();
      expect(() => reg.tags('c/none', 10)).toThrow(NotFoundError);
      expect(reg.catalog(10)).toEqual(['c/app', 'c/other']);
      expect(reg.catalog(1, 'c/app')).toEqual(['c/other']);
      expect(await reg.currentTag('c/app', 'latest')).toBe(two.desc.digest);
      expect(await reg.currentTag('c/app', 'nope')).toBeNull();
      expect(await reg.holdsManifest('c/app', parseDigest(one.desc.digest)!)).toBe(true);
      expect(reg.tagsOf('c/app', two.desc.digest).sort()).toEqual(['latest', 'v2']);
    });

    it('refuses a manifest whose blobs or children are missing', async () => {
      const missing = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOfBytes(randomBytes(4)).digest, size: 4 };
      const put = await putImage(reg, 'c/app', 'v1', { layers: [missing] }).catch((e: unknown) => e);
      expect(put).toBeInstanceOf(MissingReferencesError);
      expect(put).toMatchObject({ kind: 'blob', digests: [missing.digest] });
      const child = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: missing.digest, size: 4 };
      const idx = await putIndex(reg, 'c/app', 'multi', [child]).catch((e: unknown) => e);
      expect(idx).toMatchObject({ kind: 'manifest', digests: [missing.digest] });
      await expect(reg.getManifest('c/app', 'v1')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('lists referrers by subject and artifact type', async () => {
      const image = await putImage(reg, 'c/app', 'v1');
      const sig = await putImage(reg, 'c/app', null, { subject: image.desc, artifactType: 'application/vnd.example.sig' });
      await putImage(reg, 'c/app', null, { subject: image.desc, artifactType: 'application/spdx+json' });
      expect(reg.referrers('c/app', image.desc.digest).map((r) => r.digest)).toHaveLength(2);
      expect(reg.referrers('c/app', image.desc.digest, 'application/vnd.example.sig').map((r) => r.digest)).toEqual([sig.desc.digest]);
    });

    it('references that are neither tag nor digest are not found', async () => {
      for (const ref of ['-lead', 'a'.repeat(129), 'sha256:zz', 'md5:abc']) {
        await expect(reg.getManifest('c/app', ref), ref).rejects.toBeInstanceOf(NotFoundError);
        await expect(reg.deleteManifest('c/app', ref), ref).rejects.toBeInstanceOf(NotFoundError);
      }
    });

    it('deletes a tag, a manifest with its tags, a blob link and a whole repository', async () => {
      const one = await putImage(reg, 'c/app', 'v1');
      await reg.putManifest('c/app', 'also', one.body, one.desc.mediaType);
      const two = await putImage(reg, 'c/app', 'v2');
      await reg.deleteManifest('c/app', 'v2');
      expect(await reg.currentTag('c/app', 'v2')).toBeNull();
      expect(await reg.holdsManifest('c/app', parseDigest(two.desc.digest)!)).toBe(true);
      await reg.deleteManifest('c/app', one.desc.digest);
      expect(reg.allTags('c/app')).toEqual([]);
      await expect(reg.getManifest('c/app', one.desc.digest)).rejects.toBeInstanceOf(NotFoundError);
      await expect(reg.deleteManifest('c/app', 'v1')).rejects.toBeInstanceOf(NotFoundError);
      const layer = parseDigest(two.layers[0]!.digest)!;
      await reg.deleteBlob('c/app', layer);
      await expect(reg.deleteBlob('c/app', layer)).rejects.toBeInstanceOf(NotFoundError);
      await putImage(reg, 'c/gone', 'a');
      expect(await reg.deleteRepository('c/gone')).toEqual({ tags: 1, manifests: 1 });
      expect(reg.catalog(10)).not.toContain('c/gone');
      await expect(reg.deleteRepository('c/gone')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('a blob and a manifest nobody has are not found', async () => {
      const d = digestOfBytes(randomBytes(16));
      await expect(reg.statBlob('c/app', d)).rejects.toBeInstanceOf(NotFoundError);
      await expect(reg.claimBlob('c/app', d)).rejects.toBeInstanceOf(NotFoundError);
      await expect(reg.openBlob('c/app', d, whole)).rejects.toBeInstanceOf(NotFoundError);
      await expect(reg.getManifest('c/app', 'v1')).rejects.toBeInstanceOf(NotFoundError);
      await expect(reg.getManifest('c/app', d.digest)).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
