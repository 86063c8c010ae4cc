/**
 * Usage and the collector agree about the trash (issue 19): what trashed items hold is counted as
 * `trashHeldBytes`, never as reclaimable, and once the trash is emptied it becomes reclaimable and
 * a collection plan frees exactly that. Real registry app on loopback, real disk and SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrashHandlers } from '../../src-server/api/trash';
import { collectGarbage, planCollection } from '../../src-server/gc/collect';
import { registryUsage } from '../../src-server/usage/usage';
import { startApi, type ApiRegistry } from '../api/harness';
import { pushBlob, pushManifest, pushRandomImage, sha256, type PushedImage } from '../helpers/push';

let api: ApiRegistry;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const bytesOf = (img: PushedImage) => img.size + img.manifest.config.size + img.manifest.layers.reduce((a, l) => a + l.size, 0);
const planned = async (deleteUntagged: boolean) => (await planCollection(api.services.registry, { deleteUntagged })).blobs.reduce((a, b) => a + b.size, 0);

describe('usage with the trash', () => {
  it('counts what trashed items hold apart from what a GC frees, and a plan agrees before and after emptying', async () => {
    const a = await pushRandomImage(api.base, 'app', 'v1', [3000, 5000]);
    const b = await pushRandomImage(api.base, 'app', 'v2', [7000]);
    await pushRandomImage(api.base, 'app', 'v3', [1000]);
    expect((await fetch(`${api.base}/v2/app/manifests/${a.digest}`, { method: 'DELETE' })).status).toBe(202);
    expect((await fetch(`${api.base}/v2/app/manifests/v2`, { method: 'DELETE' })).status).toBe(202);

    let totals = (await registryUsage(api.services.registry)).totals;
    expect(totals).toMatchObject({ trashItems: 2, trashHeldBytes: bytesOf(a) + bytesOf(b), reclaimable: 0, reclaimableUntagged: 0 });
    expect(await planned(false)).toBe(0);
    expect(await planned(true)).toBe(0);

    const handlers = createTrashHandlers({ registry: api.services.registry });
    const listing = await handlers['trash:list'](undefined, () => {});
    expect(listing.items.map((i) => [i.kind, i.tags, i.heldBytes])).toEqual([
      ['tag', ['v2'], bytesOf(b)],
      ['manifest', ['v1'], bytesOf(a)],
    ]);
    expect(listing.totals).toEqual({ items: 2, bytes: bytesOf(a) + bytesOf(b), heldBytes: bytesOf(a) + bytesOf(b) });

    expect(await handlers['trash:empty']({}, () => {})).toEqual({ removed: 2, heldBytes: bytesOf(a) + bytesOf(b) });
    totals = (await registryUsage(api.services.registry)).totals;
    // `a`'s revision went with its delete: any GC frees it; `b` is untagged: only --delete-untagged.
    expect(totals).toMatchObject({ trashItems: 0, trashHeldBytes: 0, reclaimable: bytesOf(a), reclaimableUntagged: bytesOf(a) + bytesOf(b) });
    expect(await planned(false)).toBe(bytesOf(a));
    expect(await planned(true)).toBe(bytesOf(a) + bytesOf(b));
  });

  it('a delete names its source and, through /v2, the user the authorizer found; repo deletes are one item per image', async () => {
    // The authorizer sets ctx.state.user for an authenticated request (auth/authorizer.ts); a stand-in does the same here.
    const authed = await startApi({}, { authorize: (ctx) => void (ctx.state.user = ctx.get('x-test-user') || undefined) });
    try {
      await pushRandomImage(authed.base, 'who', 'v1');
      await pushRandomImage(authed.base, 'who', 'v2');
      expect((await fetch(`${authed.base}/v2/who/manifests/v1`, { method: 'DELETE', headers: { 'x-test-user': 'alice' } })).status).toBe(202);
      await authed.services.registry.deleteRepository('who', { source: 'retention', policy: 'keep-3' });
      const items = (await createTrashHandlers({ registry: authed.services.registry })['trash:list'](undefined, () => {})).items;
      // The tag item is the oldest; the repository delete made one item per image, v1's untagged one too.
      expect(items.at(-1)).toMatchObject({ kind: 'tag', tags: ['v1'], source: 'registry-api', by: 'alice' });
      expect(items.slice(0, 2).map((i) => [i.kind, i.tags, i.source, i.by, i.policy])).toEqual(
        expect.arrayContaining([
          ['manifest', ['v2'], 'retention', undefined, 'keep-3'],
          ['manifest', [], 'retention', undefined, 'keep-3'],
        ]),
      );
      expect(items).toHaveLength(3);
    } finally {
      await authed.close();
    }
  });

  it('an item holds its referrers too: a signature survives gc --delete-untagged with its deleted subject, and both come back', async () => {
    const img = await pushRandomImage(api.base, 'signed', 'v1', [4000]);
    const sigLayer = Buffer.from('a signature');
    const emptyConfig = Buffer.from('{}');
    const sig = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.example.signature',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: await pushBlob(api.base, 'signed', emptyConfig), size: emptyConfig.length },
      layers: [{ mediaType: 'application/octet-stream', digest: await pushBlob(api.base, 'signed', sigLayer), size: sigLayer.length }],
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: img.digest, size: img.size },
    };
    const sigDigest = await pushManifest(api.base, 'signed', sha256(Buffer.from(JSON.stringify(sig))), sig);
    expect((await fetch(`${api.base}/v2/signed/manifests/${img.digest}`, { method: 'DELETE' })).status).toBe(202);

    const handlers = createTrashHandlers({ registry: api.services.registry });
    const [item] = (await handlers['trash:list'](undefined, () => {})).items.filter((i) => i.repository === 'signed');
    expect(item).toMatchObject({ kind: 'manifest', digest: img.digest, tags: ['v1'] });
    expect(item!.bytes).toBe(bytesOf(img) + JSON.stringify(sig).length + emptyConfig.length + sigLayer.length);

    const report = await collectGarbage(api.services.registry, { deleteUntagged: true, graceMs: 0 });
    expect(report.manifestsRemoved.filter((m) => m.repository === 'signed')).toEqual([]);
    const restored = await handlers['trash:restore']({ reference: 'signed:v1' }, () => {});
    expect(restored).toMatchObject({ digest: img.digest, restoredTags: ['v1'], relinkedManifests: 1 });
    const referrers = await (await fetch(`${api.base}/v2/signed/referrers/${img.digest}`)).json();
    expect(referrers.manifests.map((m: { digest: string }) => m.digest)).toEqual([sigDigest]);
    for (const d of [img.manifest.config.digest, img.manifest.layers[0]!.digest]) expect((await fetch(`${api.base}/v2/signed/blobs/${d}`)).status).toBe(200);
  });

  it('restore by a hostile id or reference is refused in words, and never reads outside the trash', async () => {
    const handlers = createTrashHandlers({ registry: api.services.registry });
    await expect(handlers['trash:restore']({ id: '../../../etc/passwd' }, () => {})).rejects.toMatchObject({ code: 'TRASH_ITEM_UNKNOWN' });
    await expect(handlers['trash:restore']({ reference: 'app@sha256:xyz' }, () => {})).rejects.toThrow(/not a reference of the trash/);
    await expect(handlers['trash:restore']({ reference: 'app:v9' }, () => {})).rejects.toThrow(/^app:v9 is not in the trash/);
  });
});

describe('one deleted image, one trash item', () => {
  it('folds the tags deleted before their manifest into its item, restored together; a tag pushed again elsewhere stays apart', async () => {
    const handlers = createTrashHandlers({ registry: api.services.registry });
    await handlers['trash:empty']({}, () => {});
    const img = await pushRandomImage(api.base, 'fold', 'alpha', [1500]);
    await pushManifest(api.base, 'fold', 'beta', img.manifest);
    await pushManifest(api.base, 'fold', 'gamma', img.manifest);
    const other = await pushRandomImage(api.base, 'fold', 'other', [900]);
    const del = (ref: string) => fetch(`${api.base}/v2/fold/manifests/${ref}`, { method: 'DELETE' });
    expect((await del('alpha')).status).toBe(202);
    expect((await del('gamma')).status).toBe(202);
    // gamma is pushed again, at another image: its item must stay its own (restoring it would conflict).
    await pushManifest(api.base, 'fold', 'gamma', other.manifest);
    expect((await del(img.digest)).status).toBe(202);

    const listing = await handlers['trash:list'](undefined, () => {});
    const mine = listing.items.filter((i) => i.repository === 'fold');
    expect(mine.map((i) => [i.kind, i.digest, i.tags])).toEqual([
      ['manifest', img.digest, ['alpha', 'beta']],
      ['tag', img.digest, ['gamma']],
    ]);
    const restored = await handlers['trash:restore']({ reference: 'fold:alpha' }, () => {});
    expect(restored.restoredTags).toEqual(['alpha', 'beta']);
    for (const tag of ['alpha', 'beta']) {
      const r = await fetch(`${api.base}/v2/fold/manifests/${tag}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
      expect(r.headers.get('docker-content-digest'), tag).toBe(img.digest);
    }
  });
});
