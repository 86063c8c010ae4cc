import { describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { findImage, nameFromAnnotations, resolveImage, splitRepoTag, stripRegistryHost, tagsOf } from './file-image-names';
import type { FileImage } from './types';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const img = (name: string, repository: string | null, tag: string | null, digest: string): FileImage => ({
  name,
  repository,
  tag,
  digest,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 100,
});

describe('image names', () => {
  it('takes a registry host off the front only when it is one', () => {
    expect(stripRegistryHost('docker.io/library/alpine')).toBe('library/alpine');
    expect(stripRegistryHost('localhost/app')).toBe('app');
    expect(stripRegistryHost('127.0.0.1:5000/team/app')).toBe('team/app');
    expect(stripRegistryHost('team/app')).toBe('team/app');
    expect(stripRegistryHost('alpine')).toBe('alpine');
  });

  it('splits repo:tag, a host port is not a tag', () => {
    expect(splitRepoTag('docker.io/library/alpine:3.19')).toEqual({ repository: 'library/alpine', tag: '3.19' });
    expect(splitRepoTag('localhost:5000/app')).toEqual({ repository: 'app', tag: null });
    expect(splitRepoTag('app@sha256:abc')).toEqual({ repository: 'app', tag: null });
  });

  it('names from containerd first, then ref.name, else #N', () => {
    expect(
      nameFromAnnotations({ 'io.containerd.image.name': 'docker.io/library/alpine:3', 'org.opencontainers.image.ref.name': '3' }, 1),
    ).toEqual({ repository: 'library/alpine', tag: '3', name: 'library/alpine:3' });
    expect(nameFromAnnotations({ 'org.opencontainers.image.ref.name': 'v1' }, 1)).toEqual({ repository: null, tag: 'v1', name: 'v1' });
    expect(nameFromAnnotations({ 'org.opencontainers.image.ref.name': 'team/app:v1' }, 1)).toEqual({ repository: 'team/app', tag: 'v1', name: 'team/app:v1' });
    expect(nameFromAnnotations(undefined, 3)).toEqual({ repository: null, tag: null, name: '#3' });
  });
});

describe('resolve', () => {
  const images = [img('a/app:v1', 'a/app', 'v1', D('1')), img('b/app:v1', 'b/app', 'v1', D('2')), img('b/app:v2', 'b/app', 'v2', D('2')), img('#1', null, null, D('3'))];

  it('finds by digest, full name, #N, repository + tag, host-qualified name, or a unique bare tag', () => {
    expect(resolveImage(images, D('9'), 'x')).toBe(D('9'));
    expect(resolveImage(images, 'a/app:v1', 'x')).toBe(D('1'));
    expect(resolveImage(images, '#1', 'x')).toBe(D('3'));
    expect(resolveImage(images, 'v2', 'x')).toBe(D('2'));
    expect(resolveImage(images, 'docker.io/a/app:v1', 'x')).toBe(D('1'));
    expect(findImage(images, 'v1', 'x', 'b/app')).toBe(D('2'));
    expect(findImage(images, 'nope', 'x')).toBeNull();
  });

  it('refuses a tag two different images have, naming them', () => {
    expect(() => resolveImage(images, 'v1', 'oci-archive:/a.tar')).toThrow(/"v1" names 2 different images \(a\/app:v1, b\/app:v1\)/);
  });

  it('without a reference: the only image (several names of one digest count once), else the names listed', () => {
    expect(resolveImage(images.slice(1, 3), undefined, 'x')).toBe(D('2'));
    expect(() => resolveImage(images, undefined, 'oci:/d')).toThrow('oci:/d holds 3 images: name one (a/app:v1, b/app:v1, b/app:v2, #1)');
    expect(() => resolveImage([], undefined, 'oci:/d')).toThrow('oci:/d holds no image');
    const err = (() => {
      try {
        resolveImage(images, 'zzz', 'oci:/d');
      } catch (e) {
        return e as RegistryError;
      }
    })();
    expect(err?.code).toBe('ARCHIVE_INVALID');
    expect(err?.message).toMatch(/has no image named "zzz"; its images: a\/app:v1/);
  });

  it('lists tags per repository; unnamed repositories are ""', () => {
    expect(tagsOf(images, 'b/app')).toEqual(['v1', 'v2']);
    expect(tagsOf(images, '')).toEqual([]);
    expect(tagsOf(images, 'zzz')).toBeNull();
  });
});
