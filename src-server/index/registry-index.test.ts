import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManifestInfo } from '../core/manifest';
import { RegistryIndex } from './registry-index';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const image = (extra: Partial<ManifestInfo> = {}): ManifestInfo => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  kind: 'image',
  artifactType: null,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d(900), size: 10 },
  layers: [],
  manifests: [],
  subject: null,
  annotations: null,
  ...extra,
});

let dir: string;
let idx: RegistryIndex;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-index-'));
  idx = new RegistryIndex(join(dir, 'index.db'));
});
afterEach(() => {
  idx.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RegistryIndex', () => {
  it('pages the catalog in lexical order after `last`', () => {
    for (const r of ['c', 'a/b', 'a', 'b-x', 'B']) idx.addManifest(r, { digest: d(1), size: 1, info: image() });
    expect(idx.catalog(100)).toEqual(['B', 'a', 'a/b', 'b-x', 'c']);
    expect(idx.catalog(2)).toEqual(['B', 'a']);
    expect(idx.catalog(2, 'a')).toEqual(['a/b', 'b-x']);
    expect(idx.catalog(2, 'aa')).toEqual(['b-x', 'c']);
    expect(idx.catalog(2, 'c')).toEqual([]);
  });

  it('pages tags, null for an unknown repository', () => {
    idx.addManifest('r', { digest: d(1), size: 1, info: image() });
    for (const t of ['v2', 'v10', 'latest', 'A']) idx.setTag('r', t, d(1));
    expect(idx.tags('r', 10)).toEqual(['A', 'latest', 'v10', 'v2']);
    expect(idx.tags('r', 2, 'latest')).toEqual(['v10', 'v2']);
    expect(idx.tags('nope', 10)).toBeNull();
  });

  it('drops a repository from the catalog when its last manifest goes, as reconcile does at start', () => {
    idx.addManifest('r', { digest: d(1), size: 1, info: image() });
    idx.addManifest('r', { digest: d(2), size: 1, info: image() });
    idx.addManifest('s', { digest: d(1), size: 1, info: image() });
    idx.setTag('r', 'v1', d(1));
    idx.deleteManifest('r', d(1));
    expect(idx.catalog(10)).toEqual(['r', 's']);
    idx.deleteManifest('r', d(2));
    expect(idx.catalog(10)).toEqual(['s']);
    expect(idx.tags('r', 10)).toBeNull();
  });

  it('moves, resolves and deletes tags; deleting a manifest drops its tags only', () => {
    idx.addManifest('r', { digest: d(1), size: 1, info: image() });
    idx.addManifest('r', { digest: d(2), size: 1, info: image() });
    idx.setTag('r', 'a', d(1));
    idx.setTag('r', 'b', d(1));
    idx.setTag('r', 'c', d(2));
    idx.setTag('r', 'b', d(2));
    expect(idx.resolveTag('r', 'b')).toBe(d(2));
    expect(idx.tagsOf('r', d(2))).toEqual(['b', 'c']);
    expect(idx.deleteTag('r', 'a')).toBe(true);
    expect(idx.deleteTag('r', 'a')).toBe(false);
    expect(idx.hasManifest('r', d(1))).toBe(true);
    idx.deleteManifest('r', d(2));
    expect(idx.tags('r', 10)).toEqual([]);
    expect(idx.hasManifest('r', d(2))).toBe(false);
    expect(idx.hasManifest('r', d(1))).toBe(true);
    // Content facts stay (another repository may hold the same digest).
    expect(idx.manifestMediaType(d(2))).toBe('application/vnd.oci.image.manifest.v1+json');
  });

  it('lists referrers per repository, with artifactType falling back to the config media type', () => {
    const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d(1), size: 5 };
    idx.addManifest('r', { digest: d(2), size: 7, info: image({ subject, artifactType: 'x/sbom', annotations: { k: 'v' } }) });
    idx.addManifest('r', { digest: d(3), size: 8, info: image({ subject }) });
    idx.addManifest('other', { digest: d(4), size: 9, info: image({ subject }) });
    expect(idx.referrers('r', d(1))).toEqual([
      { digest: d(2), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 7, artifactType: 'x/sbom', annotations: { k: 'v' } },
      { digest: d(3), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 8, artifactType: 'application/vnd.oci.image.config.v1+json', annotations: null },
    ]);
    expect(idx.referrers('r', d(1), 'x/sbom').map((r) => r.digest)).toEqual([d(2)]);
    expect(idx.referrers('none', d(1))).toEqual([]);
  });

  it('reconcile replaces repositories, tags and revisions with the snapshot', () => {
    idx.addManifest('gone', { digest: d(1), size: 1, info: image() });
    idx.addManifest('kept', { digest: d(1), size: 1, info: image() });
    idx.setTag('kept', 'stale', d(1));
    const info = new Map([[d(5), { digest: d(5), size: 3, info: image({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }) }]]);
    idx.reconcile([{ name: 'kept', revisions: [d(1), d(5)], tags: [{ tag: 'new', digest: d(5) }] }], info);
    expect(idx.catalog(10)).toEqual(['kept']);
    expect(idx.tags('kept', 10)).toEqual(['new']);
    expect(idx.hasManifest('kept', d(5))).toBe(true);
    expect(idx.manifestMediaType(d(5))).toBe('application/vnd.docker.distribution.manifest.v2+json');
  });

  it('reconciles one repository with storage and leaves the others; null drops it', () => {
    idx.addManifest('mine', { digest: d(1), size: 1, info: image() });
    idx.setTag('mine', 'old', d(1));
    idx.addManifest('other', { digest: d(2), size: 1, info: image() });
    idx.setTag('other', 'x', d(2));
    const info = new Map([[d(6), { digest: d(6), size: 4, info: image() }]]);
    idx.reconcileRepository('mine', { name: 'mine', revisions: [d(6)], tags: [{ tag: 'new', digest: d(6) }] }, info);
    expect(idx.tags('mine', 10)).toEqual(['new']);
    expect(idx.hasManifest('mine', d(1))).toBe(false);
    expect(idx.resolveTag('other', 'x')).toBe(d(2));
    idx.reconcileRepository('brand-new', { name: 'brand-new', revisions: [d(6)], tags: [] }, new Map());
    expect(idx.catalog(10)).toEqual(['brand-new', 'mine', 'other']);
    idx.reconcileRepository('mine', null, new Map());
    expect(idx.catalog(10)).toEqual(['brand-new', 'other']);
    idx.reconcileRepository('never-was', null, new Map());
    expect(idx.catalog(10)).toEqual(['brand-new', 'other']);
  });

  it('persists across reopen', () => {
    idx.addManifest('r', { digest: d(1), size: 1, info: image() });
    idx.setTag('r', 't', d(1));
    idx.close();
    idx = new RegistryIndex(join(dir, 'index.db'));
    expect(idx.resolveTag('r', 't')).toBe(d(1));
  });
});
