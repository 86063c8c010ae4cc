import { describe, expect, it } from 'vitest';
import { formatImageRef, ImageRefError, parseImageRef } from './image-ref';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseImageRef', () => {
  it.each([
    ['team/app', { kind: 'local', repository: 'team/app', reference: 'latest' }],
    ['app:v1', { kind: 'local', repository: 'app', reference: 'v1' }],
    [`team/app@${D}`, { kind: 'local', repository: 'team/app', reference: D }],
    [`team/app:v1@${D}`, { kind: 'local', repository: 'team/app', reference: D }],
    ['localhost/app', { kind: 'remote', host: 'localhost', repository: 'app', reference: 'latest' }],
    ['127.0.0.1:5000/team/app:v2', { kind: 'remote', host: '127.0.0.1:5000', repository: 'team/app', reference: 'v2' }],
    ['Registry.Example.com/a/b:c', { kind: 'remote', host: 'registry.example.com', repository: 'a/b', reference: 'c' }],
    [`ghcr.io/o/r@${D}`, { kind: 'remote', host: 'ghcr.io', repository: 'o/r', reference: D }],
    ['[::1]:5000/app:1', { kind: 'remote', host: '[::1]:5000', repository: 'app', reference: '1' }],
    ['oci:/tmp/layout', { kind: 'oci', dir: '/tmp/layout' }],
    ['oci:/tmp/layout:v1', { kind: 'oci', dir: '/tmp/layout', tag: 'v1' }],
    ['oci:./l:1.0', { kind: 'oci', dir: './l', tag: '1.0' }],
    ['oci:/a:b/c', { kind: 'oci', dir: '/a:b/c' }],
  ])('%s', (text, want) => {
    expect(parseImageRef(text)).toEqual(want);
  });

  it.each([
    ['', /empty/],
    ['Team/App:v1', /lower case/],
    ['app:', /not a tag/],
    ['app@sha256:abc', /not a digest/],
    ['app@latest', /not a digest/],
    ['host.io:99999/app', /out of range/],
    ['host_x.io/app', /not a registry host/],
    ['oci:', /needs a folder/],
    ['a b', /spaces/],
    ['../etc/passwd', /not a registry host/],
    ['team/../x', /not a repository name/],
  ])('refuses %j', (text, re) => {
    expect(() => parseImageRef(text)).toThrow(ImageRefError);
    expect(() => parseImageRef(text)).toThrow(re);
  });

  it('formats back', () => {
    for (const t of ['team/app:v1', `h.io:5/r@${D}`, 'oci:/x:t']) expect(formatImageRef(parseImageRef(t))).toBe(t);
  });
});
