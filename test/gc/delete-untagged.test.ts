import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src-server/gc/collect';
import { startApi, type ApiRegistry } from '../api/harness';
import { verifyBlobs } from '../helpers/verify';
import { buildImage, getManifest, pullComplete, pushImage, pushIndex, referrers, type Desc } from './http';

// Over real HTTP: multi-arch images, referrers and garbage pushed to an in-process Berth; a
// collection with deleteUntagged; then every tag, platform and kept referrer serves completely and
// what was removed answers 404.

let api: ApiRegistry;
const layer = (n = 2048) => randomBytes(n);

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

describe('gc --delete-untagged over HTTP', () => {
  it('keeps every tagged image, platform and referrer, and removes the rest', async () => {
    const base = api.base;
    const shared = layer(4096);
    // app:multi, an index of two platforms sharing a base layer; its children are untagged.
    const amd = buildImage([shared, layer()], { arch: 'amd64' });
    const arm = buildImage([shared, layer()], { arch: 'arm64' });
    await pushImage(base, 'app', null, amd);
    await pushImage(base, 'app', null, arm);
    const multi = await pushIndex(base, 'app', 'multi', [
      { ...amd.desc, platform: { os: 'linux', architecture: 'amd64' } },
      { ...arm.desc, platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    // A signature of the index, an SBOM of a platform, and a signature of the signature: all untagged.
    const sig = buildImage([layer(100)], { subject: multi, artifactType: 'application/vnd.dev.cosign.signature' });
    const sbom = buildImage([layer(300)], { subject: amd.desc, artifactType: 'application/spdx+json' });
    const sigSig = buildImage([layer(50)], { subject: sig.desc, artifactType: 'application/vnd.dev.cosign.signature' });
    for (const r of [sig, sbom, sigSig]) await pushImage(base, 'app', null, r);

    // app:old was a multi-arch index; re-pushing the tag leaves the old index and its children untagged.
    const oldAmd = buildImage([shared, layer()], { arch: 'amd64' });
    await pushImage(base, 'app', null, oldAmd);
    const oldIndex = await pushIndex(base, 'app', 'rolling', [{ ...oldAmd.desc, platform: { os: 'linux', architecture: 'amd64' } }]);
    const oldSig = buildImage([layer(100)], { subject: oldIndex, artifactType: 'application/vnd.dev.cosign.signature' });
    await pushImage(base, 'app', null, oldSig);
    const newAmd = buildImage([shared, layer()], { arch: 'amd64' });
    await pushImage(base, 'app', null, newAmd);
    const newIndex = await pushIndex(base, 'app', 'rolling', [{ ...newAmd.desc, platform: { os: 'linux', architecture: 'amd64' } }]);

    // A single image in another repository sharing the layer; an untagged standalone manifest there.
    const solo = buildImage([shared, layer()]);
    await pushImage(base, 'other', 'v1', solo);
    const loose = buildImage([layer()]);
    await pushImage(base, 'other', null, loose);

    const before = await collectGarbage(api.services.registry, { dryRun: true, deleteUntagged: true });
    const report = await collectGarbage(api.services.registry, { deleteUntagged: true });
    const removedManifests = report.manifestsRemoved.map((m) => `${m.repository}@${m.digest}`).sort();
    expect(removedManifests).toEqual(
      [`app@${oldIndex.digest}`, `app@${oldAmd.desc.digest}`, `app@${oldSig.desc.digest}`, `other@${loose.desc.digest}`].sort(),
    );
    expect(report.blobsRemoved.map((b) => b.digest).sort()).toEqual(before.blobsRemoved.map((b) => b.digest).sort());
    expect(report.blobsProtected).toBe(0);

    // Everything kept serves completely.
    const multiPulled = await pullComplete(base, 'app', 'multi');
    expect(multiPulled).toEqual(expect.arrayContaining([multi.digest, amd.desc.digest, arm.desc.digest]));
    await pullComplete(base, 'app', 'rolling');
    await pullComplete(base, 'other', 'v1');
    for (const r of [amd, arm, sig, sbom, sigSig, newAmd]) await pullComplete(base, 'app', r.desc.digest);
    expect((await getManifest(base, 'app', 'rolling')).digest).toBe(newIndex.digest);
    expect(await referrers(base, 'app', multi.digest)).toEqual([sig.desc.digest]);
    expect(await referrers(base, 'app', amd.desc.digest)).toEqual([sbom.desc.digest]);
    expect(await referrers(base, 'app', sig.desc.digest)).toEqual([sigSig.desc.digest]);

    // What went answers 404, manifests and their own blobs alike.
    for (const [repo, d] of [
      ['app', oldIndex.digest],
      ['app', oldAmd.desc.digest],
      ['app', oldSig.desc.digest],
      ['other', loose.desc.digest],
    ] as const) {
      expect((await getManifest(base, repo, d)).status, `${repo}@${d}`).toBe(404);
    }
    expect(await referrers(base, 'app', oldIndex.digest)).toEqual([]);
    const gone: Desc[] = [];
    for (const img of [oldAmd, oldSig, loose]) for (const [d, b] of img.blobs) if (!b.equals(shared)) gone.push({ mediaType: '', digest: d, size: b.length });
    for (const g of gone) {
      for (const repo of ['app', 'other']) expect((await fetch(`${base}/v2/${repo}/blobs/${g.digest}`, { method: 'HEAD' })).status).toBe(404);
    }
    // The shared layer is still there for both repositories.
    const sharedDigest = [...solo.blobs].find(([, b]) => b.equals(shared))![0];
    for (const repo of ['app', 'other']) expect((await fetch(`${base}/v2/${repo}/blobs/${sharedDigest}`, { method: 'HEAD' })).status).toBe(200);

    // The disk holds exactly what is kept, every blob intact, and a second run has nothing to do.
    const disk = await verifyBlobs(api.dataDir);
    expect(disk.bad).toEqual([]);
    expect(disk.good.length).toBe(report.blobsKept);
    const again = await collectGarbage(api.services.registry, { deleteUntagged: true });
    expect(again.manifestsRemoved).toEqual([]);
    expect(again.blobsRemoved).toEqual([]);
    // The catalog and tags are unchanged.
    expect(await (await fetch(`${base}/v2/app/tags/list`)).json()).toEqual({ name: 'app', tags: ['multi', 'rolling'] });
  });
});
