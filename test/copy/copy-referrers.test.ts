/**
 * Copies that take referrers along, between two real embedded registries (in-process): the
 * referrers of every copied manifest and theirs (a signature of an SBOM), found through the source's
 * referrers API and written by digest; the limit; and a choice of platforms, which takes only the
 * referrers of what is copied.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalSource } from '../../src-server/browse/local-source';
import { copyImage } from '../../src-server/copy/copy-image';
import { planReferrers } from '../../src-server/copy/referrers';
import { silentLogger } from '../../src-server/logger';
import { createServices } from '../../src-server/services';
import { tempDir } from '../helpers/berth-server';
import { MT, multiArch, type BuiltImage } from './images';
import { putReferrers, type WrittenReferrer } from './referrers';

let cleanups: (() => void)[] = [];
let a: LocalSource;
let b: LocalSource;
let img: BuiltImage;
let onIndex: WrittenReferrer[];
let onChild: WrittenReferrer[];
let onSbom: WrittenReferrer[];

async function local(): Promise<LocalSource> {
  const tmp = tempDir('berth-copy-referrers-');
  const services = await createServices({ dataDir: tmp.dir, fsync: false, log: silentLogger });
  cleanups.push(() => {
    services.close();
    tmp.cleanup();
  });
  return new LocalSource(services.registry, () => 'localhost');
}

beforeEach(async () => {
  a = await local();
  b = await local();
  Object.defineProperty(b, 'id', { value: 'other' });
  img = await multiArch(a, 'src/app', 'v1');
  const index = { mediaType: img.mediaType, digest: img.digest, size: (await a.getManifest('src/app', 'v1'))!.body.length };
  onIndex = await putReferrers(a, 'src/app', 'localhost/src/app', index);
  onChild = await putReferrers(a, 'src/app', 'localhost/src/app', img.children.get('linux/arm64')!, ['cosign']);
  // A signature of the SPDX SBOM: a referrer of a referrer.
  const sbom = onIndex.find((r) => r.kind === 'spdx')!;
  onSbom = await putReferrers(a, 'src/app', 'localhost/src/app', sbom, ['cosign']);
});

afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const digests = (list: { digest: string }[] | null) => new Set((list ?? []).map((r) => r.digest));

describe('copying referrers', () => {
  it('takes the referrers of the index, of its children and of those along; the target lists them', async () => {
    const report = await copyImage(a, b, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v1', referrers: true });
    expect(report.referrers).toEqual({ found: 6, copied: 6, leftOut: 0, fallbackTags: 0 });
    expect(digests(await b.referrers('dst/app', img.digest))).toEqual(digests(onIndex));
    expect(digests(await b.referrers('dst/app', img.children.get('linux/arm64')!.digest))).toEqual(digests(onChild));
    expect(digests(await b.referrers('dst/app', onIndex.find((r) => r.kind === 'spdx')!.digest))).toEqual(digests(onSbom));
    for (const r of [...onIndex, ...onChild, ...onSbom]) {
      const m = await b.getManifest('dst/app', r.digest);
      expect(m!.body.equals(r.body), r.kind).toBe(true);
      for (const blob of r.blobs) expect(await b.headBlob('dst/app', blob.digest)).toBe(blob.size);
    }
    // Listed as the referrers API lists them: with their artifact types.
    const listed = await b.referrers('dst/app', img.digest);
    expect(new Set(listed.map((r) => r.artifactType))).toEqual(new Set(onIndex.map((r) => r.artifactType)));
    expect((await b.getManifest('dst/app', 'v1'))!.digest).toBe(img.digest);
  });

  it('takes none without the option', async () => {
    const report = await copyImage(a, b, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/app', toReference: 'v1' });
    expect(report).not.toHaveProperty('referrers');
    expect(await b.referrers('dst/app', img.digest)).toEqual([]);
  });

  it('one platform: only the referrers of that image come along', async () => {
    const child = img.children.get('linux/arm64')!;
    const report = await copyImage(a, b, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'dst/arm', toReference: 'arm', platforms: ['linux/arm64'], referrers: true });
    expect(report).toMatchObject({ digest: child.digest, referrers: { found: 1, copied: 1 } });
    expect(digests(await b.referrers('dst/arm', child.digest))).toEqual(digests(onChild));
    for (const r of onIndex) expect(await b.headManifest('dst/arm', r.digest)).toBeNull();
  });

  it('stops at the limit and says how many were left out', async () => {
    const plan = await planReferrers(a, 'src/app', [img.digest, img.children.get('linux/arm64')!.digest], 2, 3);
    expect(plan.referrers).toHaveLength(3);
    // Five are found on the two subjects; the SBOM's signature too when the SBOM is among the three kept.
    expect(plan.leftOut).toBeGreaterThanOrEqual(2);
    expect(plan.found).toBe(plan.referrers.length + plan.leftOut);
    expect(plan.referrers.every((r) => r.manifests.length === 1 && r.manifests[0]!.mediaType === MT.ociManifest)).toBe(true);
  });
});
