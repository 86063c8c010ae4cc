import { describe, expect, it } from 'vitest';
import { parseDigest } from '../core/digest';
import { BERTH_DIR, paths, REPO_MARKERS, V2_ROOT } from './layout';

// The exact paths registry:2 (distribution's registry/storage/paths.go) uses; Berth must match them.
const d = parseDigest(`sha256:ab${'c'.repeat(62)}`)!;
const d512 = parseDigest(`sha512:0f${'e'.repeat(126)}`)!;
const hex = d.hex;

describe('storage layout paths', () => {
  const cases: Array<[string, string, string]> = [
    ['blobData', paths.blobData(d), `docker/registry/v2/blobs/sha256/ab/${hex}/data`],
    ['blobDir', paths.blobDir(d), `docker/registry/v2/blobs/sha256/ab/${hex}`],
    ['sha512 blobData', paths.blobData(d512), `docker/registry/v2/blobs/sha512/0f/${d512.hex}/data`],
    ['layerLink', paths.layerLink('library/alpine', d), `docker/registry/v2/repositories/library/alpine/_layers/sha256/${hex}/link`],
    ['revisionLink', paths.revisionLink('a/b', d), `docker/registry/v2/repositories/a/b/_manifests/revisions/sha256/${hex}/link`],
    ['revisionDir', paths.revisionDir('a', d), `docker/registry/v2/repositories/a/_manifests/revisions/sha256/${hex}`],
    ['tagCurrentLink', paths.tagCurrentLink('a', 'latest'), 'docker/registry/v2/repositories/a/_manifests/tags/latest/current/link'],
    ['tagIndexLink', paths.tagIndexLink('a', 'v1', d), `docker/registry/v2/repositories/a/_manifests/tags/v1/index/sha256/${hex}/link`],
    ['tagDir', paths.tagDir('a', 'v1'), 'docker/registry/v2/repositories/a/_manifests/tags/v1'],
    ['tagsRoot', paths.tagsRoot('a'), 'docker/registry/v2/repositories/a/_manifests/tags'],
    ['uploadData', paths.uploadData('a', 'u-1'), 'docker/registry/v2/repositories/a/_uploads/u-1/data'],
    ['uploadStartedAt', paths.uploadStartedAt('a', 'u-1'), 'docker/registry/v2/repositories/a/_uploads/u-1/startedat'],
    ['uploadDir', paths.uploadDir('a', 'u-1'), 'docker/registry/v2/repositories/a/_uploads/u-1'],
    ['layersRoot', paths.layersRoot('a'), 'docker/registry/v2/repositories/a/_layers'],
    ['manifestsRoot', paths.manifestsRoot('a'), 'docker/registry/v2/repositories/a/_manifests'],
    ['revisionsRoot', paths.revisionsRoot('a'), 'docker/registry/v2/repositories/a/_manifests/revisions'],
    ['repositoriesRoot', paths.repositoriesRoot(), 'docker/registry/v2/repositories'],
    ['blobsRoot', paths.blobsRoot(), 'docker/registry/v2/blobs'],
    ['repo', paths.repo('x/y/z'), 'docker/registry/v2/repositories/x/y/z'],
    ['berth', paths.berth('index.db'), 'berth/index.db'],
  ];
  for (const [name, got, want] of cases) it(name, () => expect(got).toBe(want));

  it('constants', () => {
    expect(V2_ROOT).toBe('docker/registry/v2');
    expect(BERTH_DIR).toBe('berth');
    expect([...REPO_MARKERS].sort()).toEqual(['_layers', '_manifests', '_uploads']);
  });

  it('paths are relative (no leading slash) and never contain `..`', () => {
    for (const [, p] of cases) {
      expect(p.startsWith('/')).toBe(false);
      expect(p.split('/')).not.toContain('..');
    }
  });
});
