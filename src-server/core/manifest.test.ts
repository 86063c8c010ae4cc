import { describe, expect, it } from 'vitest';
import { MAX_MANIFEST_DESCRIPTORS, ManifestParseError, parseManifest, referrerArtifactType, TooManyDescriptorsError } from './manifest';
import { MediaType } from './mediatypes';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('c'), size: 10 };
const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('1'), size: 100 };
const foreign = { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: d('2'), size: 5, urls: ['https://example.com/x'] };
const image = { schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers: [layer] };
const index = {
  schemaVersion: 2,
  mediaType: MediaType.OciIndex,
  manifests: [{ mediaType: MediaType.OciManifest, digest: d('a'), size: 300, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }],
};
const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('parseManifest: accepted', () => {
  it('an OCI image manifest', () => {
    const info = parseManifest(buf(image), MediaType.OciManifest);
    expect(info).toMatchObject({ mediaType: MediaType.OciManifest, kind: 'image', config, layers: [layer], manifests: [], subject: null, artifactType: null });
  });

  it('a Docker schema2 manifest, foreign layers left out of the required layers', () => {
    const m = { ...image, mediaType: MediaType.DockerManifest, layers: [layer, foreign] };
    const info = parseManifest(buf(m), MediaType.DockerManifest);
    expect(info.kind).toBe('image');
    expect(info.layers.map((l) => l.digest)).toEqual([layer.digest]);
  });

  it('an OCI index and a Docker manifest list', () => {
    const info = parseManifest(buf(index), MediaType.OciIndex);
    expect(info.kind).toBe('index');
    expect(info.manifests[0]!.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    const list = parseManifest(buf({ ...index, mediaType: MediaType.DockerManifestList }), MediaType.DockerManifestList);
    expect(list).toMatchObject({ kind: 'index', mediaType: MediaType.DockerManifestList, config: null, layers: [] });
  });

  it('no mediaType in the body: taken from Content-Type, else inferred from the shape', () => {
    const { mediaType: _m, ...noType } = image;
    expect(parseManifest(buf(noType), MediaType.OciManifest).mediaType).toBe(MediaType.OciManifest);
    expect(parseManifest(buf(noType), undefined).mediaType).toBe(MediaType.OciManifest);
    expect(parseManifest(buf(noType), 'application/json').mediaType).toBe(MediaType.OciManifest);
    const { mediaType: _i, ...noTypeIndex } = index;
    expect(parseManifest(buf(noTypeIndex), undefined).mediaType).toBe(MediaType.OciIndex);
  });

  it('Content-Type parameters and generic types are tolerated', () => {
    expect(parseManifest(buf(image), `${MediaType.OciManifest}; charset=utf-8`).kind).toBe('image');
    expect(parseManifest(buf(image), 'application/octet-stream').kind).toBe('image');
    expect(parseManifest(buf(image), undefined).kind).toBe('image');
  });

  it('an artifact: artifactType, subject and annotations', () => {
    const m = { ...image, artifactType: 'application/spdx+json', subject: { mediaType: MediaType.OciManifest, digest: d('e'), size: 9 }, annotations: { a: 'b' } };
    const info = parseManifest(buf(m), MediaType.OciManifest);
    expect(info.artifactType).toBe('application/spdx+json');
    expect(info.subject?.digest).toBe(d('e'));
    expect(info.annotations).toEqual({ a: 'b' });
    expect(referrerArtifactType(info)).toBe('application/spdx+json');
  });

  it('referrerArtifactType falls back to the config media type, and is null for an index without one', () => {
    expect(referrerArtifactType(parseManifest(buf(image), undefined))).toBe(config.mediaType);
    expect(referrerArtifactType(parseManifest(buf(index), undefined))).toBeNull();
    expect(referrerArtifactType(parseManifest(buf({ ...index, artifactType: 'x/y' }), undefined))).toBe('x/y');
  });

  it('an empty layers array (artifacts) is fine', () => {
    expect(parseManifest(buf({ ...image, layers: [] }), undefined).layers).toEqual([]);
  });
});

describe('parseManifest: refused', () => {
  const cases: Array<[string, unknown, string | undefined, RegExp]> = [
    ['invalid JSON', '{"schemaVersion":', undefined, /JSON/],
    ['empty body', '', undefined, /JSON/],
    ['a JSON array', [], undefined, /object/],
    ['null', 'null', undefined, /object/],
    ['a number', '2', undefined, /object/],
    ['schemaVersion 1', { ...image, schemaVersion: 1 }, undefined, /schemaVersion/],
    ['schemaVersion as a string', { ...image, schemaVersion: '2' }, undefined, /schemaVersion/],
    ['schema1 by mediaType', { schemaVersion: 1, mediaType: MediaType.DockerSchema1, fsLayers: [] }, undefined, /schema 1/],
    ['signed schema1 by Content-Type', { schemaVersion: 1, fsLayers: [] }, MediaType.DockerSchema1Signed, /schema 1/],
    ['Content-Type disagrees with mediaType', image, MediaType.OciIndex, /does not match/],
    ['Docker Content-Type for an OCI body', image, MediaType.DockerManifest, /does not match/],
    ['unknown media type', { ...image, mediaType: 'application/x-foo' }, undefined, /unsupported/],
    ['config missing', { ...image, config: undefined }, undefined, /config/],
    ['config without digest', { ...image, config: { ...config, digest: undefined } }, undefined, /config: invalid digest/],
    ['config with an uppercase digest', { ...image, config: { ...config, digest: d('C') } }, undefined, /invalid digest/],
    ['config with an empty mediaType', { ...image, config: { ...config, mediaType: '' } }, undefined, /mediaType/],
    ['layers not an array', { ...image, layers: { 0: layer } }, undefined, /layers/],
    ['layers missing', { ...image, layers: undefined }, undefined, /layers/],
    ['a layer that is not an object', { ...image, layers: ['x'] }, undefined, /layers\[0\]/],
    ['a negative size', { ...image, layers: [{ ...layer, size: -1 }] }, undefined, /size/],
    ['a fractional size', { ...image, layers: [{ ...layer, size: 1.5 }] }, undefined, /size/],
    ['a string size', { ...image, layers: [{ ...layer, size: '100' }] }, undefined, /size/],
    ['index manifests missing', { ...index, manifests: undefined }, MediaType.OciIndex, /manifests/],
    ['index child with a bad digest', { ...index, manifests: [{ ...index.manifests[0], digest: 'sha256:1' }] }, undefined, /manifests\[0\]: invalid digest/],
    ['a malformed subject', { ...image, subject: { mediaType: 'x' } }, undefined, /subject/],
    ['annotations with a number value', { ...image, annotations: { a: 1 } }, undefined, /annotations/],
    ['annotations as an array', { ...image, annotations: ['x'] }, undefined, /annotations/],
    ['annotations as a string', { ...index, annotations: 'x' }, undefined, /annotations/],
  ];
  for (const [desc, body, ct, why] of cases) {
    it(desc, () => {
      let err: unknown;
      try {
        parseManifest(buf(body), ct);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ManifestParseError);
      expect((err as Error).message).toMatch(why);
    });
  }
});

describe('parseManifest: the descriptor limit', () => {
  const subject = { mediaType: MediaType.OciManifest, digest: d('5'), size: 10 };
  const many = (n: number, desc: unknown) => Array.from({ length: n }, () => desc);

  it('counts config, every layer (foreign ones too), child manifests and subject', () => {
    const m = { ...image, layers: [...many(97, layer), foreign], subject };
    expect(parseManifest(buf(m), undefined, { maxDescriptors: 100 }).layers).toHaveLength(97);
    expect(() => parseManifest(buf(m), undefined, { maxDescriptors: 99 })).toThrow(TooManyDescriptorsError);
    const idx = { ...index, manifests: many(100, index.manifests[0]!) };
    expect(parseManifest(buf(idx), undefined, { maxDescriptors: 100 }).manifests).toHaveLength(100);
    expect(() => parseManifest(buf({ ...idx, subject }), undefined, { maxDescriptors: 100 })).toThrow(TooManyDescriptorsError);
  });

  it('names the count and the limit, and is a parse error like any other', () => {
    const m = { ...image, layers: many(MAX_MANIFEST_DESCRIPTORS, layer) };
    let err: unknown;
    try {
      parseManifest(buf(m), undefined, { maxDescriptors: MAX_MANIFEST_DESCRIPTORS });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ManifestParseError);
    expect(err).toMatchObject({ descriptors: MAX_MANIFEST_DESCRIPTORS + 1, limit: MAX_MANIFEST_DESCRIPTORS });
    expect((err as Error).message).toBe(`manifest lists ${MAX_MANIFEST_DESCRIPTORS + 1} descriptors; at most ${MAX_MANIFEST_DESCRIPTORS} are accepted`);
  });

  it('counts before validating: a huge list of junk is refused for its length', () => {
    expect(() => parseManifest(buf({ ...image, layers: many(5000, 'junk') }), undefined, { maxDescriptors: 1000 })).toThrow(TooManyDescriptorsError);
  });

  it('applies only when asked: stored manifests are read whatever their size', () => {
    expect(parseManifest(buf({ ...image, layers: many(MAX_MANIFEST_DESCRIPTORS * 2, layer) }), undefined).layers).toHaveLength(MAX_MANIFEST_DESCRIPTORS * 2);
  });
});
