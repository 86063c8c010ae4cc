import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Descriptor, ManifestInfo } from '../core/manifest';
import { RegistryIndex } from './registry-index';
import { RepositoryListing } from './repository-listing';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const desc = (n: number, size: number, mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip'): Descriptor => ({ mediaType, digest: d(n), size });
const image = (config: number, layers: Descriptor[]): ManifestInfo => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  kind: 'image',
  artifactType: null,
  config: desc(config, 10, 'application/vnd.oci.image.config.v1+json'),
  layers,
  manifests: [],
  subject: null,
  annotations: null,
});
const index = (children: Descriptor[]): ManifestInfo => ({ ...image(0, []), mediaType: 'application/vnd.oci.image.index.v1+json', kind: 'index', config: null, manifests: children });

let dir: string;
let idx: RegistryIndex;
let listing: RepositoryListing;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-listing-'));
  idx = new RegistryIndex(join(dir, 'index.db'));
  listing = new RepositoryListing(idx);
});
afterEach(() => {
  idx.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * a: one tag, 100 + 10 + 1000 bytes. b: three tags on one 50 + 10 + 200 image. c: no tag, one
 * manifest of 20 + 10 + 5000. d: an index (30) of two images sharing a layer: 40 + 10 + 700 and
 * 45 + 10 + 700 (the shared one) + 300, tagged twice.
 */
function seed(): { a: number; b: number; c: number; d: number } {
  idx.addManifest('a', { digest: d(1), size: 100, info: image(101, [desc(102, 1000)]) });
  idx.setTag('a', 'v1', d(1));
  idx.addManifest('b', { digest: d(2), size: 50, info: image(201, [desc(202, 200)]) });
  for (const t of ['1', '2', 'latest']) idx.setTag('b', t, d(2));
  idx.addManifest('c', { digest: d(3), size: 20, info: image(301, [desc(302, 5000)]) });
  idx.addManifest('d', { digest: d(41), size: 40, info: image(411, [desc(400, 700)]) });
  idx.addManifest('d', { digest: d(42), size: 45, info: image(421, [desc(400, 700), desc(422, 300)]) });
  idx.addManifest('d', { digest: d(4), size: 30, info: index([desc(41, 40, 'application/vnd.oci.image.manifest.v1+json'), desc(42, 45, 'application/vnd.oci.image.manifest.v1+json')]) });
  for (const t of ['1.0', 'stable']) idx.setTag('d', t, d(4));
  return { a: 1110, b: 260, c: 5030, d: 30 + 40 + 10 + 700 + 45 + 10 + 300 };
}

const names = (q: Parameters<RepositoryListing['page']>[0]) => listing.page(q).items.map((r) => r.name);
const all = { offset: 0, limit: 100 };

describe('RepositoryListing', () => {
  it('counts tags and distinct bytes (each blob once per repository, index children included)', () => {
    const sizes = seed();
    const page = listing.page({ sort: 'name', dir: 'asc', ...all });
    expect(page.total).toBe(4);
    expect(page.items.map((r) => [r.name, r.tagCount, r.size])).toEqual([
      ['a', 1, sizes.a],
      ['b', 3, sizes.b],
      ['c', 0, sizes.c],
      ['d', 2, sizes.d],
    ]);
  });

  it('sorts the whole list by name, tag count or size, both ways, ties by name', () => {
    seed();
    expect(names({ sort: 'name', dir: 'desc', ...all })).toEqual(['d', 'c', 'b', 'a']);
    expect(names({ sort: 'tags', dir: 'desc', ...all })).toEqual(['b', 'd', 'a', 'c']);
    expect(names({ sort: 'tags', dir: 'asc', ...all })).toEqual(['c', 'a', 'd', 'b']);
    expect(names({ sort: 'size', dir: 'desc', ...all })).toEqual(['c', 'd', 'a', 'b']);
    expect(names({ sort: 'size', dir: 'asc', ...all })).toEqual(['b', 'a', 'd', 'c']);
    idx.addManifest('e', { digest: d(2), size: 50, info: image(201, [desc(202, 200)]) });
    // e and b have the same size and one tag less: by name within equal sizes, whichever way.
    expect(names({ sort: 'size', dir: 'asc', ...all })).toEqual(['b', 'e', 'a', 'd', 'c']);
    expect(names({ sort: 'size', dir: 'desc', ...all })).toEqual(['c', 'd', 'a', 'b', 'e']);
  });

  it('pages by offset in the sorted order, with the total of the filtered list', () => {
    seed();
    expect(listing.page({ sort: 'size', dir: 'desc', offset: 1, limit: 2 })).toMatchObject({ total: 4, items: [{ name: 'd' }, { name: 'a' }] });
    expect(listing.page({ sort: 'size', dir: 'desc', offset: 4, limit: 2 })).toEqual({ total: 4, items: [] });
    expect(listing.page({ sort: 'tags', dir: 'desc', query: 'B', offset: 0, limit: 10 })).toMatchObject({ total: 1, items: [{ name: 'b' }] });
  });

  it('filters on a literal substring: %, _ and \\ are not patterns', () => {
    for (const name of ['team/app_1', 'team/appx1', 'team/app%', 'back\\slash']) idx.addManifest(name, { digest: d(1), size: 1, info: image(9, []) });
    expect(names({ sort: 'name', dir: 'asc', query: 'app_', ...all })).toEqual(['team/app_1']);
    expect(names({ sort: 'name', dir: 'asc', query: '%', ...all })).toEqual(['team/app%']);
    expect(names({ sort: 'size', dir: 'asc', query: '\\', ...all })).toEqual(['back\\slash']);
    expect(listing.page({ sort: 'tags', dir: 'asc', query: "' OR 1=1 --", ...all })).toEqual({ total: 0, items: [] });
  });

  it('follows every change of the manifests of a repository: pushes, deletes, a whole repository, a reconcile', () => {
    const sizes = seed();
    expect(names({ sort: 'size', dir: 'desc', ...all })[0]).toBe('c');
    idx.addManifest('b', { digest: d(5), size: 60, info: image(501, [desc(502, 9000)]) });
    expect(listing.page({ sort: 'size', dir: 'desc', offset: 0, limit: 1 }).items[0]).toMatchObject({ name: 'b', size: sizes.b + 60 + 10 + 9000 });
    idx.deleteManifest('b', d(5));
    expect(listing.page({ sort: 'size', dir: 'desc', offset: 0, limit: 1 }).items[0]).toMatchObject({ name: 'c', size: sizes.c });
    idx.deleteRepo('c');
    expect(names({ sort: 'size', dir: 'desc', ...all })).toEqual(['d', 'a', 'b']);
    idx.reconcile([{ name: 'a', revisions: [d(1), d(2)], tags: [{ tag: 'v1', digest: d(1) }] }], new Map());
    expect(listing.page({ sort: 'size', dir: 'asc', ...all }).items.map((r) => [r.name, r.size])).toEqual([['a', sizes.a + sizes.b]]);
  });

  it('keeps computed sizes until a repository changes, and fills the missing ones at once', () => {
    seed();
    expect(listing.fillSizes()).toBe(4);
    expect(listing.fillSizes()).toBe(0);
    idx.addManifest('a', { digest: d(6), size: 1, info: image(601, []) });
    expect(listing.fillSizes()).toBe(1);
  });
});
