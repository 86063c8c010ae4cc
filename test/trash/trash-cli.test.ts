/**
 * The trash as users meet it (issue 19): a real `berth serve`, real skopeo pushes, deletes and
 * pulls, and the `berth trash` and `berth gc` commands. Every delete goes to the trash; a GC that
 * deletes untagged manifests frees nothing a trashed item needs; a restore gives the image back
 * whole (skopeo pulls every blob and each matches its digest), even after that GC.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcReport, TrashEmptyResult, TrashListing, TrashRestoreResult } from '../../src-server/contract';
import { formatBytes } from '../../src-server/cli/format';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, openOciLayout, writeOciLayout, type ContainersSandbox } from '../helpers/images';
import { blobExists } from '../helpers/verify';

const ws = berthWorkspace('berth-trash-');
let sandbox: ContainersSandbox;
let n = 0;

beforeAll(() => {
  sandbox = containersSandbox(join(ws.dir, 'containers'));
});
afterAll(() => sandbox?.cleanup());

/** A fresh OCI layout with one tag (one image, or an index of two platforms), random layers each time. */
function layout(platforms = 1): { dir: string; blobs: string[] } {
  const dir = join(ws.dir, `layout-${++n}`);
  const all = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ];
  const { layout: l } = writeOciLayout(dir, { tag: 'latest', platforms: all.slice(0, platforms) });
  return { dir, blobs: l.reachable('latest').sort() };
}

/** Bytes of blobs of a layout. */
const sizeOf = (l: { dir: string }, digests: string[]) => digests.reduce((a, d) => a + readFileSync(join(l.dir, 'blobs', 'sha256', d.slice(7))).length, 0);

const push = (b: RunningBerth, dir: string, ref: string) =>
  sandbox.skopeo(['copy', '--quiet', '--all', '--dest-tls-verify=false', `oci:${dir}:latest`, `docker://${b.host}/${ref}`]);

/** Pulls `ref` into a new OCI layout and checks every blob's bytes against its digest; resolves the digests pulled. */
async function pullWhole(b: RunningBerth, ref: string): Promise<string[]> {
  const dir = join(ws.dir, `pulled-${++n}`);
  await sandbox.skopeo(['copy', '--quiet', '--all', '--src-tls-verify=false', `docker://${b.host}/${ref}`, `oci:${dir}:out`]);
  const pulled = openOciLayout(dir);
  const digests = pulled.reachable('out').sort();
  for (const d of digests) expect(`sha256:${createHash('sha256').update(pulled.blob(d)).digest('hex')}`).toBe(d);
  return digests;
}

const berth = (args: string[], dataDir: string) => runBerth([...args, '--data', dataDir]);
async function ok(args: string[], dataDir: string): Promise<string> {
  const r = await berth(args, dataDir);
  expect(r.stderr + r.stdout, `berth ${args.join(' ')}`).not.toMatch(/^berth: /m);
  expect(r.code).toBe(0);
  return r.stdout;
}
const list = async (dataDir: string) => JSON.parse(await ok(['trash', 'list', '--json'], dataDir)) as TrashListing;
const gcUntagged = async (dataDir: string) => JSON.parse(await ok(['gc', '--delete-untagged', '--grace', '0', '--json'], dataDir)) as GcReport;
const headTag = async (b: RunningBerth, repo: string, tag: string) =>
  (await fetch(`${b.url}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json' } }))
    .headers.get('docker-content-digest');

describe('berth trash with skopeo', () => {
  it('skopeo delete → trash list; gc --delete-untagged keeps what it needs; restore; skopeo pulls it whole', async () => {
    const dataDir = ws.fresh();
    const b = await ws.serve(dataDir);
    const img = layout();
    const other = layout();
    await push(b, img.dir, 'team/app:v1');
    await push(b, other.dir, 'team/app:v2');
    const digest = await headTag(b, 'team/app', 'v1');
    await sandbox.skopeo(['delete', '--tls-verify=false', `docker://${b.host}/team/app:v1`]);
    expect(await headTag(b, 'team/app', 'v1')).toBeNull();

    const listing = await list(dataDir);
    expect(listing.items).toHaveLength(1);
    const item = listing.items[0]!;
    expect(item).toMatchObject({ repository: 'team/app', digest, kind: 'manifest', tags: ['v1'], source: 'registry-api' });
    const bytes = sizeOf(img, img.blobs);
    // The small first layer (the platform's name) is the same in both images: v2 still needs it.
    const shared = img.blobs.filter((d) => other.blobs.includes(d));
    expect(shared).toHaveLength(1);
    const held = bytes - sizeOf(img, shared);
    expect(item.bytes).toBe(bytes);
    expect(item.heldBytes).toBe(held);
    expect(listing.totals).toEqual({ items: 1, bytes, heldBytes: held });
    expect(listing.keepSeconds).toBe(7 * 86400);
    expect(Date.parse(item.expiresAt) - Date.parse(item.deletedAt)).toBe(7 * 86_400_000);
    const human = await ok(['trash', 'list'], dataDir);
    expect(human).toMatch(/^REFERENCE\s+KIND\s+DELETED\s+EXPIRES\s+SOURCE\/BY\s+HELD$/m);
    expect(human).toMatch(/^team\/app:v1@[0-9a-f]{12}\s+manifest\s+\d+s ago\s+in 6d23h\s+registry-api\s+/m);
    expect(human).toMatch(/1 item, .* held back from GC only by the trash; items stay 1w \(trash\.keep\)/);

    const report = await gcUntagged(dataDir);
    const removed = new Set(report.blobsRemoved.map((x) => x.digest));
    for (const d of img.blobs) {
      expect(removed.has(d)).toBe(false);
      expect(blobExists(dataDir, d)).toBe(true);
    }

    expect(await ok(['trash', 'restore', 'team/app:v1'], dataDir)).toMatch(/^restored team\/app:v1 at [0-9a-f]{12}; 1 manifest linked back\n$/);
    expect(await headTag(b, 'team/app', 'v1')).toBe(digest);
    expect(await pullWhole(b, 'team/app:v1')).toEqual(img.blobs);
    expect((await list(dataDir)).items).toEqual([]);
    // One JSON line per entry.
    const audited = (await ok(['audit', '--json', '--action', 'trash.restore'], dataDir)).trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(audited).toMatchObject([{ action: 'trash.restore', target: `team/app@${digest}`, result: 'ok', via: 'cli', detail: { tags: 'v1', relinked: 1 } }]);
    // Restored once: a second restore says it is not there.
    const again = await berth(['trash', 'restore', 'team/app:v1'], dataDir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^berth: team\/app:v1 is not in the trash/);
    expect(await b.stop()).toBe(0);
  });

  it('a tag deleted through the API: the untagged manifest survives gc --delete-untagged, and the tag comes back', async () => {
    const dataDir = ws.fresh();
    const b = await ws.serve(dataDir);
    const img = layout();
    await push(b, img.dir, 'app:v1');
    const digest = await headTag(b, 'app', 'v1');
    expect((await fetch(`${b.url}/v2/app/manifests/v1`, { method: 'DELETE' })).status).toBe(202);
    const [item] = (await list(dataDir)).items;
    expect(item).toMatchObject({ repository: 'app', digest, kind: 'tag', tags: ['v1'], source: 'registry-api' });

    const report = await gcUntagged(dataDir);
    expect(report.manifestsRemoved).toEqual([]);
    expect(report.blobsRemoved).toEqual([]);
    expect((await fetch(`${b.url}/v2/app/manifests/${digest}`, { method: 'HEAD' })).status).toBe(200);

    const r = JSON.parse(await ok(['trash', 'restore', `app@${digest}`, '--json'], dataDir)) as TrashRestoreResult;
    expect(r).toMatchObject({ repository: 'app', digest, restoredTags: ['v1'], relinkedManifests: 0 });
    expect(await pullWhole(b, 'app:v1')).toEqual(img.blobs);
    expect(await b.stop()).toBe(0);
  });

  it('delete by digest, GC, restore REPO@DIGEST: the manifest and its tags come back', async () => {
    const dataDir = ws.fresh();
    const b = await ws.serve(dataDir);
    const img = layout();
    await push(b, img.dir, 'app:v1');
    await push(b, img.dir, 'app:stable');
    const digest = (await headTag(b, 'app', 'v1'))!;
    expect((await fetch(`${b.url}/v2/app/manifests/${digest}`, { method: 'DELETE' })).status).toBe(202);
    expect((await list(dataDir)).items[0]).toMatchObject({ kind: 'manifest', tags: ['stable', 'v1'] });
    await gcUntagged(dataDir);
    for (const d of img.blobs) expect(blobExists(dataDir, d)).toBe(true);
    const r = JSON.parse(await ok(['trash', 'restore', `app@${digest}`, '--json'], dataDir)) as TrashRestoreResult;
    expect(r.restoredTags).toEqual(['stable', 'v1']);
    expect(r.relinkedManifests).toBe(1);
    expect(await pullWhole(b, 'app:stable')).toEqual(img.blobs);
    expect(await headTag(b, 'app', 'v1')).toBe(digest);
    expect(await b.stop()).toBe(0);
  });

  it('berth repo rm of a multi-platform image, GC, restore: the index and both platforms are pulled whole', async () => {
    const dataDir = ws.fresh();
    const b = await ws.serve(dataDir);
    const multi = layout(2);
    const single = layout();
    await push(b, multi.dir, 'team/multi:latest');
    await push(b, single.dir, 'team/multi:solo');
    const rm = await berth(['repo', 'rm', 'team/multi', '--yes'], dataDir);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toMatch(/^deleted repository team\/multi: 2 tags, 4 manifests\.\nIt went to the trash: restore it with `berth trash restore team\/multi:TAG`/);
    expect(rm.stdout).toMatch(/until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; `berth gc` frees its space only after the trash lets go/);
    const items = (await list(dataDir)).items;
    // One item per image: the index brings its platforms with it.
    expect(items.map((i) => [i.tags, i.source, i.kind])).toEqual(
      expect.arrayContaining([
        [['latest'], 'repository-delete', 'manifest'],
        [['solo'], 'repository-delete', 'manifest'],
      ]),
    );
    expect(items).toHaveLength(2);
    expect((await fetch(`${b.url}/v2/_catalog`).then((r) => r.json())).repositories).toEqual([]);

    const report = await gcUntagged(dataDir);
    expect(report.blobsRemoved).toEqual([]);
    expect(await ok(['trash', 'restore', 'team/multi:latest'], dataDir)).toMatch(/^restored team\/multi:latest at [0-9a-f]{12}; 3 manifests linked back\n$/);
    expect(await pullWhole(b, 'team/multi:latest')).toEqual(multi.blobs);
    expect((await fetch(`${b.url}/v2/team/multi/tags/list`).then((r) => r.json())).tags).toEqual(['latest']);
    // The other image is still in the trash, still held.
    expect((await list(dataDir)).items.map((i) => i.tags)).toEqual([['solo']]);
    expect(await b.stop()).toBe(0);
  });

  it('refusals: never deleted, a bad reference, a tag pushed again elsewhere (nothing changes), content gone', async () => {
    const dataDir = ws.fresh();
    const b = await ws.serve(dataDir);
    const never = await berth(['trash', 'restore', 'app:never-deleted'], dataDir);
    expect(never.code).toBe(1);
    expect(never.stderr).toMatch(/^berth: app:never-deleted is not in the trash: never deleted, already restored, emptied, or expired \(trash\.keep 1w\)/);
    const bad = await berth(['trash', 'restore', '../etc:passwd'], dataDir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not a reference of the trash: give REPO:TAG or REPO@DIGEST/);

    const first = layout();
    const second = layout();
    await push(b, first.dir, 'app:v1');
    expect((await fetch(`${b.url}/v2/app/manifests/v1`, { method: 'DELETE' })).status).toBe(202);
    await push(b, second.dir, 'app:v1');
    const now = await headTag(b, 'app', 'v1');
    const conflict = await berth(['trash', 'restore', 'app:v1'], dataDir);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^berth: app:v1 points at sha256:[0-9a-f]{64} now, not at sha256:[0-9a-f]{64}/);
    expect(await headTag(b, 'app', 'v1')).toBe(now);
    expect((await list(dataDir)).items).toHaveLength(1);

    // A blob the item needs removed behind Berth's back: the restore names it and changes nothing.
    expect((await fetch(`${b.url}/v2/app/manifests/v1`, { method: 'DELETE' })).status).toBe(202);
    // The 1 MiB layer of random data.
    const layer = first.blobs.find((d) => readFileSync(join(first.dir, 'blobs', 'sha256', d.slice(7))).length > 100_000)!;
    rmSync(join(dataDir, 'docker/registry/v2/blobs/sha256', layer.slice(7, 9), layer.slice(7)), { recursive: true });
    const items = (await list(dataDir)).items;
    const firstItem = items.find((i) => i.digest !== now)!;
    const incomplete = await berth(['trash', 'restore', `app@${firstItem.digest}`], dataDir);
    expect(incomplete.code).toBe(1);
    expect(incomplete.stderr).toContain(`1 blob is no longer stored (${layer})`);
    expect(await headTag(b, 'app', 'v1')).toBeNull();
    expect(await b.stop()).toBe(0);
  });

  it('trash empty, then GC frees exactly the held bytes; --older-than takes only older items', async () => {
    const dataDir = ws.fresh();
    const b = await ws.serve(dataDir);
    const kept = layout();
    const a = layout();
    const c = layout();
    await push(b, kept.dir, 'app:kept');
    await push(b, a.dir, 'app:a');
    await push(b, c.dir, 'app:c');
    for (const t of ['a', 'c']) await sandbox.skopeo(['delete', '--tls-verify=false', `docker://${b.host}/app:${t}`]);
    const listing = await list(dataDir);
    expect(listing.items.map((i) => i.tags[0]).sort()).toEqual(['a', 'c']);
    const itemA = listing.items.find((i) => i.tags[0] === 'a')!;
    const itemC = listing.items.find((i) => i.tags[0] === 'c')!;

    // An item deleted three days ago (its record says so), emptied by --older-than 2d alone.
    const file = join(dataDir, 'berth', 'trash', `${itemA.id}.json`);
    const record = JSON.parse(readFileSync(file, 'utf8'));
    record.deletedAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
    writeFileSync(file, JSON.stringify(record));
    const older = JSON.parse(await ok(['trash', 'empty', '--older-than', '2d', '--json'], dataDir)) as TrashEmptyResult;
    expect(older).toEqual({ removed: 1, heldBytes: itemA.heldBytes });
    expect((await list(dataDir)).items.map((i) => i.id)).toEqual([itemC.id]);
    const freedA = await gcUntagged(dataDir);
    expect(freedA.bytesRemoved).toBe(itemA.heldBytes);
    // All but the small layer `kept` shares.
    expect(freedA.blobsRemoved.map((x) => x.digest).sort()).toEqual(a.blobs.filter((d) => !kept.blobs.includes(d)));

    expect(await ok(['trash', 'empty'], dataDir)).toBe(`removed 1 item from the trash; \`berth gc --delete-untagged\` can now free ${formatBytes(itemC.heldBytes)}\n`);
    expect(existsSync(join(dataDir, 'berth', 'trash', `${itemC.id}.json`))).toBe(false);
    const freedC = await gcUntagged(dataDir);
    expect(freedC.bytesRemoved).toBe(itemC.heldBytes);
    expect(await pullWhole(b, 'app:kept')).toEqual(kept.blobs);
    expect(await b.stop()).toBe(0);
  });

  it('past trash.keep an item no longer protects: it leaves the listing and GC frees its blobs', async () => {
    const dataDir = ws.fresh();
    const b = await ws.serve(dataDir, [], { REGISTRY_TRASH_KEEP: '2s' });
    const env = { REGISTRY_TRASH_KEEP: '2s' };
    const img = layout();
    await push(b, img.dir, 'app:v1');
    expect((await fetch(`${b.url}/v2/app/manifests/v1`, { method: 'DELETE' })).status).toBe(202);
    // The record is written before the delete answers.
    expect(readdirSync(join(dataDir, 'berth', 'trash')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    let listing: TrashListing;
    do listing = JSON.parse((await runBerth(['trash', 'list', '--json', '--data', dataDir], { env })).stdout) as TrashListing;
    while (listing.items.length > 0);
    expect(listing.keepSeconds).toBe(2);
    // Listing removed the expired record from storage.
    expect(readdirSync(join(dataDir, 'berth', 'trash')).filter((f) => f.endsWith('.json'))).toEqual([]);
    const report = await gcUntagged(dataDir);
    expect(report.blobsRemoved.map((x) => x.digest).sort()).toEqual(img.blobs);
    expect(await b.stop()).toBe(0);
  });

  it('trash.keep 0: deletes skip the trash and GC frees at once', async () => {
    const dataDir = ws.fresh();
    const b = await ws.serve(dataDir, [], { REGISTRY_TRASH_KEEP: '0' });
    const img = layout();
    await push(b, img.dir, 'app:v1');
    await sandbox.skopeo(['delete', '--tls-verify=false', `docker://${b.host}/app:v1`]);
    expect((await list(dataDir)).items).toEqual([]);
    expect(existsSync(join(dataDir, 'berth', 'trash'))).toBe(false);
    const report = await gcUntagged(dataDir);
    expect(report.blobsRemoved.map((x) => x.digest).sort()).toEqual(img.blobs);
    expect(await b.stop()).toBe(0);
  });
});
