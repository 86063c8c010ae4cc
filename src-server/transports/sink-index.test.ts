import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { blobPath, checkManifest, destinationError, mergeEntries, refName, REF_NAME, verifiedStream } from './sink-index';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const named = (digest: string, name?: string) => ({ mediaType: OCI_MANIFEST, digest, size: 1, ...(name ? { annotations: { [REF_NAME]: name } } : {}) });

describe('sink index', () => {
  it('names by tag or repository:tag', () => {
    expect(refName('tag', 'team/app', 'v1')).toBe('v1');
    expect(refName('repository-tag', 'team/app', 'v1')).toBe('team/app:v1');
  });

  it('merges entries: same ref.name replaced, others kept, an unnamed digest listed once', () => {
    const earlier = [named(d(1), 'v1'), named(d(2), 'v2'), named(d(3))];
    const merged = mergeEntries(earlier, [named(d(4), 'v1'), named(d(3)), named(d(5), 'v5')]);
    expect(merged.map((e) => [e.digest, e.annotations?.[REF_NAME]])).toEqual([
      [d(2), 'v2'],
      [d(4), 'v1'],
      [d(3), undefined],
      [d(5), 'v5'],
    ]);
  });

  it('maps digests to blob paths and refuses what is not a digest (no path escapes)', () => {
    expect(blobPath(d(7))).toBe(`blobs/sha256/${'7'.repeat(64)}`);
    for (const bad of ['sha256:../../etc/passwd', 'sha256:abc', 'md5:' + 'a'.repeat(32), '']) {
      expect(() => blobPath(bad)).toThrow(RegistryError);
    }
  });

  it('checks manifests as a registry would', () => {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'x/c', digest: d(1), size: 2 }, layers: [{ mediaType: 'x/l', digest: d(2), size: 3 }] }));
    const has = (x: string) => x === d(1) || x === d(2);
    expect(checkManifest('app', 'v1', body, OCI_MANIFEST, has).info.kind).toBe('image');
    expect(() => checkManifest('app', 'v1', body, OCI_MANIFEST, (x) => x === d(1))).toThrow(expect.objectContaining({ code: 'MANIFEST_BLOB_UNKNOWN', message: expect.stringContaining(d(2)) }));
    expect(() => checkManifest('App', 'v1', body, OCI_MANIFEST, has)).toThrow(expect.objectContaining({ code: 'NAME_INVALID' }));
    expect(() => checkManifest('app', 'bad tag', body, OCI_MANIFEST, has)).toThrow(expect.objectContaining({ code: 'TAG_INVALID' }));
    expect(() => checkManifest('app', d(9), body, OCI_MANIFEST, has)).toThrow(expect.objectContaining({ code: 'DIGEST_INVALID' }));
    expect(() => checkManifest('app', 'v1', Buffer.from('[]'), OCI_MANIFEST, has)).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID' }));
  });

  it('verifies bytes against their digest as they pass', async () => {
    const data = Buffer.from('hello');
    const good = verifiedStream([data], 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824', 'x');
    for await (const _ of good.chunks);
    expect(() => good.check()).not.toThrow();
    const bad = verifiedStream([data], d(1), 'blob y');
    for await (const _ of bad.chunks);
    expect(() => bad.check()).toThrow(expect.objectContaining({ code: 'DIGEST_INVALID', message: expect.stringContaining('blob y: the bytes hash to sha256:2cf24') }));
  });

  it('says in words what a full disk or a folder in the way is, naming the path', () => {
    let full: unknown;
    try {
      writeFileSync('/dev/full', 'x');
    } catch (err) {
      full = err;
    }
    expect(destinationError(full, '/data/out.tar', 'write')).toMatchObject({ code: 'IMAGE_PLACE_INVALID', message: 'cannot write /data/out.tar: no space left on the device' });
    const isDir = Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    expect(destinationError(isDir, '/data/x', 'write')).toMatchObject({ message: 'cannot write /data/x: it is a folder' });
    const passes = new RegistryError('DIGEST_INVALID');
    expect(destinationError(passes, '/p', 'write')).toBe(passes);
  });
});
