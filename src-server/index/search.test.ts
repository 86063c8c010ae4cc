import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Descriptor, ManifestInfo } from '../core/manifest';
import { RegistryIndex } from './registry-index';
import { IndexSearch } from './search';

const d = (hex: string) => `sha256:${hex.padEnd(64, '0')}`;
const image = (): ManifestInfo => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  kind: 'image',
  artifactType: null,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('c0'), size: 10 },
  layers: [],
  manifests: [],
  subject: null,
  annotations: null,
});
const child = (digest: string, architecture: string, variant?: string): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest,
  size: 100,
  platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) },
});
const index = (children: Descriptor[]): ManifestInfo => ({ ...image(), mediaType: 'application/vnd.oci.image.index.v1+json', kind: 'index', config: null, manifests: children });

let dir: string;
let idx: RegistryIndex;
let search: IndexSearch;
const AMD = d('aa01');
const ARM = d('aa02');
const IDX = d('bb01');
const SOLO = d('aa03');
const UNTAGGED = d('cc01');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-search-'));
  idx = new RegistryIndex(join(dir, 'index.db'));
  search = new IndexSearch(idx);
  // team/app: an index of two platforms tagged 1.0 and stable; v1.0 on a single image; an untagged manifest.
  idx.addManifest('team/app', { digest: AMD, size: 100, info: image() });
  idx.addManifest('team/app', { digest: ARM, size: 100, info: image() });
  idx.addManifest('team/app', { digest: IDX, size: 200, info: index([child(AMD, 'amd64'), child(ARM, 'arm', 'v7')]) });
  idx.addManifest('team/app', { digest: SOLO, size: 100, info: image() });
  idx.addManifest('team/app', { digest: UNTAGGED, size: 100, info: image() });
  for (const t of ['1.0', 'stable']) idx.setTag('team/app', t, IDX);
  idx.setTag('team/app', 'v1.0', SOLO);
  // other/tool has the same amd64 image as its own tag 1.0.1, and v1_0 (an underscore, not a wildcard).
  idx.addManifest('other/tool', { digest: AMD, size: 100, info: image() });
  idx.setTag('other/tool', '1.0.1', AMD);
  idx.setTag('other/tool', 'v1_0', AMD);
});
afterEach(() => {
  idx.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('IndexSearch.tags', () => {
  it('finds a tag or the beginning of one across repositories, by repository then tag', () => {
    expect(search.tags({ prefix: '1.0', offset: 0, limit: 10 })).toEqual({
      items: [
        { repository: 'other/tool', tag: '1.0.1', digest: AMD },
        { repository: 'team/app', tag: '1.0', digest: IDX },
      ],
      total: 2,
    });
    expect(search.tags({ prefix: 'stable', offset: 0, limit: 10 }).items).toEqual([{ repository: 'team/app', tag: 'stable', digest: IDX }]);
  });

  it('is case-sensitive and literal, as tags are', () => {
    expect(search.tags({ prefix: 'V1', offset: 0, limit: 10 }).total).toBe(0);
    expect(search.tags({ prefix: 'v1_', offset: 0, limit: 10 }).items.map((h) => h.tag)).toEqual(['v1_0']);
    expect(search.tags({ prefix: 'v1.', offset: 0, limit: 10 }).items.map((h) => h.tag)).toEqual(['v1.0']);
  });

  it('pages by offset, and narrows to repositories whose name contains a text', () => {
    expect(search.tags({ prefix: 'v', offset: 1, limit: 1 })).toEqual({ items: [{ repository: 'team/app', tag: 'v1.0', digest: SOLO }], total: 2 });
    expect(search.tags({ prefix: 'v', repositories: 'TEAM/', offset: 0, limit: 10 }).items.map((h) => h.repository)).toEqual(['team/app']);
    expect(search.tags({ prefix: 'v', repositories: '%', offset: 0, limit: 10 }).total).toBe(0);
  });
});

describe('IndexSearch.digests', () => {
  it('finds a manifest by its full digest, with the tags on it and the tagged indexes listing it', () => {
    expect(search.digests({ prefix: AMD, limit: 100 })).toEqual({
      items: [
        { repository: 'other/tool', digest: AMD, tags: ['1.0.1', 'v1_0'], indexes: [] },
        { repository: 'team/app', digest: AMD, tags: [], indexes: [{ digest: IDX, platform: 'linux/amd64', tags: ['1.0', 'stable'] }] },
      ],
      more: false,
    });
  });

  it('finds manifests by the beginning of a digest; an index child with its platform; untagged ones too', () => {
    const found = search.digests({ prefix: 'sha256:aa0', limit: 100 }).items.map((h) => [h.repository, h.digest]);
    expect(found).toEqual([
      ['other/tool', AMD],
      ['team/app', AMD],
      ['team/app', ARM],
      ['team/app', SOLO],
    ]);
    expect(search.digests({ prefix: ARM, limit: 100 }).items[0]!.indexes).toEqual([{ digest: IDX, platform: 'linux/arm/v7', tags: ['1.0', 'stable'] }]);
    expect(search.digests({ prefix: 'sha256:cc', limit: 100 }).items).toEqual([{ repository: 'team/app', digest: UNTAGGED, tags: [], indexes: [] }]);
  });

  it('stops at the limit and says there is more', () => {
    expect(search.digests({ prefix: 'sha256:aa', limit: 2 })).toMatchObject({ items: [{ repository: 'other/tool' }, { repository: 'team/app', digest: AMD }], more: true });
  });

  it('narrows to repositories by name', () => {
    expect(search.digests({ prefix: AMD, repositories: 'other', limit: 10 }).items.map((h) => h.repository)).toEqual(['other/tool']);
  });
});
