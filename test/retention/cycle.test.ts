/**
 * Issue 19's whole cycle, as a user lives it: images pushed by skopeo at distinct times, a policy,
 * the dry run, the run (into the trash), a GC that deletes untagged manifests between the delete
 * and the restore, the restore, and skopeo pulling the restored image whole. Then emptying the
 * trash lets a GC free exactly what the dry run announced for what stayed deleted.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcReport, RetentionReport, TrashListing, TrashRestoreResult } from '../../src-server/contract';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, openOciLayout, writeOciLayout, type ContainersSandbox } from '../helpers/images';

const ws = berthWorkspace('berth-retention-cycle-');
let berth: RunningBerth;
let dataDir: string;
let sandbox: ContainersSandbox;
/** tag -> the blobs its image is made of (manifest, config, layers). */
const blobsOf = new Map<string, string[]>();
/** tag -> manifest digest. */
const digestOf = new Map<string, string>();

async function ok(args: string[]): Promise<string> {
  const r = await runBerth([...args, '--data', dataDir]);
  // gc reports its progress on stderr; an error is a line of its own.
  expect(r.stderr, `berth ${args.join(' ')}`).not.toMatch(/^berth: /m);
  expect(r.code, `berth ${args.join(' ')}`).toBe(0);
  return r.stdout;
}
const json = async <T>(args: string[]) => JSON.parse(await ok([...args, '--json'])) as T;

async function push(tag: string): Promise<void> {
  const dir = join(ws.dir, `layout-${tag}`);
  const { layout, top } = writeOciLayout(dir);
  blobsOf.set(tag, layout.reachable('latest'));
  digestOf.set(tag, top.digest);
  await sandbox.skopeo(['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', `oci:${dir}:latest`, `docker://${berth.host}/cycle/app:${tag}`]);
}

/** Pulls a tag into a new layout with skopeo and checks every blob against its digest; the digests pulled. */
async function pullWhole(tag: string): Promise<string[]> {
  const dir = join(ws.dir, `pulled-${tag}`);
  await sandbox.skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${berth.host}/cycle/app:${tag}`, `oci:${dir}:out`]);
  const pulled = openOciLayout(dir);
  const digests = pulled.reachable('out');
  for (const d of digests) expect(`sha256:${createHash('sha256').update(pulled.blob(d)).digest('hex')}`).toBe(d);
  return digests.sort();
}

beforeAll(async () => {
  dataDir = ws.fresh();
  berth = await ws.serve(dataDir);
  sandbox = containersSandbox(join(ws.dir, 'containers'));
  // One after another, so each tag got its digest later than the one before.
  for (const tag of ['old-1', 'old-2', 'new-1']) await push(tag);
}, 120_000);

afterAll(() => sandbox?.cleanup());

describe('retention → trash → gc → restore', () => {
  it('dry run, run, gc between delete and restore, restore pulled whole by skopeo, then the announced bytes freed', async () => {
    await ok(['retention', 'add', 'newest', '--repos', 'cycle/*', '--keep-last', '1', '--untagged']);

    const dry = await json<RetentionReport>(['retention', 'run', '--dry-run']);
    expect(dry.tags.map((t) => t.tag).sort()).toEqual(['old-1', 'old-2']);
    expect(dry.manifests.map((m) => m.digest).sort()).toEqual([digestOf.get('old-1'), digestOf.get('old-2')].sort());
    expect(dry.bytesFreed).toBeGreaterThan(0);
    // Nothing changed.
    expect((await fetch(`${berth.url}/v2/cycle/app/tags/list`).then((r) => r.json())).tags.sort()).toEqual(['new-1', 'old-1', 'old-2']);

    const run = await json<RetentionReport>(['retention', 'run']);
    expect(run.tags.map((t) => t.tag).sort()).toEqual(['old-1', 'old-2']);
    expect(run.manifests.map((m) => m.digest).sort()).toEqual(dry.manifests.map((m) => m.digest).sort());
    expect(run.bytesFreed).toBe(dry.bytesFreed);
    expect(run.errors).toEqual([]);
    expect((await fetch(`${berth.url}/v2/cycle/app/tags/list`).then((r) => r.json())).tags).toEqual(['new-1']);

    const trash = await json<TrashListing>(['trash', 'list']);
    expect(trash.items.flatMap((i) => i.tags).sort()).toEqual(['old-1', 'old-2']);

    // A collection between the delete and the restore: it frees nothing the trash holds.
    const gc = await json<GcReport>(['gc', '--delete-untagged', '--grace', '0']);
    const held = new Set([...blobsOf.get('old-1')!, ...blobsOf.get('old-2')!]);
    expect(gc.blobsRemoved.filter((b) => held.has(b.digest))).toEqual([]);

    const restored = await json<TrashRestoreResult>(['trash', 'restore', 'cycle/app:old-2']);
    expect(restored.digest).toBe(digestOf.get('old-2'));
    expect(restored.restoredTags).toEqual(['old-2']);
    expect(await pullWhole('old-2')).toEqual([...blobsOf.get('old-2')!].sort());
    expect(await pullWhole('new-1')).toEqual([...blobsOf.get('new-1')!].sort());

    // What stays deleted leaves the trash; GC then frees exactly old-1's own bytes, which the dry
    // run counted (old-2's came back with it).
    const left = await json<TrashListing>(['trash', 'list']);
    expect(left.items.flatMap((i) => i.tags)).toEqual(['old-1']);
    await ok(['trash', 'empty']);
    const freed = await json<GcReport>(['gc', '--delete-untagged', '--grace', '0']);
    const stillUsed = new Set([...blobsOf.get('old-2')!, ...blobsOf.get('new-1')!]);
    expect(freed.blobsRemoved.map((b) => b.digest).sort()).toEqual(blobsOf.get('old-1')!.filter((d) => !stillUsed.has(d)).sort());
    expect(freed.bytesRemoved).toBe(left.totals.heldBytes);
    expect(await pullWhole('old-2')).toEqual([...blobsOf.get('old-2')!].sort());
  }, 180_000);
});
