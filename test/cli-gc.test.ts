/**
 * `berth gc` as a user runs it: against a real `berth serve` (the server collects; its index stays
 * consistent and it keeps serving), and with no server (in-process on the data directory).
 */
import { spawn } from 'node:child_process';
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GcReport } from '../src-server/contract';
import { dataDirLockPath } from '../src-server/serving/data-dir-lock';
import { berthWorkspace, runBerth } from './helpers/berth-server';
import { pushRandomImage, type PushedImage } from './helpers/push';

const ws = berthWorkspace('berth-cli-gc-');
const fresh = () => ws.fresh();
// These tests are about collecting: deletes skip the trash (trash.keep 0), so a GC frees them at once.
const serve = (dataDir: string) => ws.serve(dataDir, [], { REGISTRY_TRASH_KEEP: '0' });

const blobFile = (dataDir: string, digest: string) => {
  const hex = digest.slice('sha256:'.length);
  return join(dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
};
/** The manifest, config and layers of an image. */
const blobsOf = (img: PushedImage) => [img.digest, img.manifest.config.digest, ...img.manifest.layers.map((l) => l.digest)];

async function expectServed(base: string, repo: string, tag: string, img: PushedImage): Promise<void> {
  const m = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
  expect(m.status).toBe(200);
  expect(m.headers.get('docker-content-digest')).toBe(img.digest);
  for (const d of blobsOf(img).slice(1)) expect((await fetch(`${base}/v2/${repo}/blobs/${d}`)).status).toBe(200);
}

const json = async (url: string) => (await fetch(url)).json();

describe('berth gc with a running server', () => {
  it('--dry-run --json reports, gc removes; the server keeps serving and its index agrees', async () => {
    const dataDir = fresh();
    const b = await serve(dataDir);
    const gone = await pushRandomImage(b.url, 'team/app', 'v1', [4096, 8192]);
    const kept = await pushRandomImage(b.url, 'team/app', 'v2', [4096]);
    const other = await pushRandomImage(b.url, 'other', 'v1', [4096]);
    expect((await fetch(`${b.url}/v2/team/app/manifests/${gone.digest}`, { method: 'DELETE' })).status).toBe(202);

    const dry = await runBerth(['gc', '--dry-run', '--json', '--data', dataDir]);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as GcReport;
    expect(plan.dryRun).toBe(true);
    expect(plan.blobsRemoved.map((x) => x.digest).sort()).toEqual(blobsOf(gone).sort());
    expect(plan.bytesRemoved).toBe(plan.blobsRemoved.reduce((a, x) => a + x.size, 0));
    for (const d of blobsOf(gone)) expect(existsSync(blobFile(dataDir, d))).toBe(true);

    const real = await runBerth(['gc', '--data', dataDir]);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/^Removed 0 manifests, 4 blobs, [\d.]+ kB in [\d.]+ s\n/);
    expect(real.stderr).toMatch(/^gc: removing blobs: 4\/4$/m);
    for (const d of blobsOf(gone)) expect(existsSync(blobFile(dataDir, d))).toBe(false);
    for (const d of [...blobsOf(kept), ...blobsOf(other)]) expect(existsSync(blobFile(dataDir, d))).toBe(true);
    expect(b.output()).toMatch(/gc: removed 0 manifests, 4 blobs/);

    await expectServed(b.url, 'team/app', 'v2', kept);
    await expectServed(b.url, 'other', 'v1', other);
    expect((await json(`${b.url}/v2/_catalog`)).repositories).toEqual(['other', 'team/app']);
    expect((await json(`${b.url}/v2/team/app/tags/list`)).tags).toEqual(['v2']);
    expect((await fetch(`${b.url}/v2/team/app/blobs/${gone.manifest.layers[0]!.digest}`)).status).toBe(404);

    // An untagged manifest goes only with --delete-untagged, and with it what only it held.
    expect((await fetch(`${b.url}/v2/team/app/manifests/v2`, { method: 'DELETE' })).status).toBe(202);
    expect(JSON.parse((await runBerth(['gc', '--json', '--data', dataDir])).stdout).blobsRemoved).toEqual([]);
    const untagged = JSON.parse((await runBerth(['gc', '--delete-untagged', '--json', '--data', dataDir])).stdout) as GcReport;
    expect(untagged.manifestsRemoved).toEqual([{ repository: 'team/app', digest: kept.digest }]);
    expect(untagged.blobsRemoved.map((x) => x.digest).sort()).toEqual(blobsOf(kept).sort());
    expect((await fetch(`${b.url}/v2/team/app/manifests/${kept.digest}`)).status).toBe(404);
    await expectServed(b.url, 'other', 'v1', other);
    expect(await b.stop()).toBe(0);
  });

  it('two at once: each finishes or is refused in one line as already running; the store ends collected', async () => {
    const dataDir = fresh();
    const b = await serve(dataDir);
    const imgs = [];
    for (let i = 0; i < 6; i++) imgs.push(await pushRandomImage(b.url, `r${i}`, 'v1', [1024, 1024]));
    for (const img of imgs.slice(0, 3)) await fetch(`${b.url}/v2/r${imgs.indexOf(img)}/manifests/${img.digest}`, { method: 'DELETE' });
    const both = await Promise.all([runBerth(['gc', '--data', dataDir]), runBerth(['gc', '--data', dataDir])]);
    for (const r of both) {
      if (r.code !== 0) expect(r.stderr).toBe('berth: a garbage collection is already running\n');
    }
    expect(both.some((r) => r.code === 0)).toBe(true);
    for (const img of imgs.slice(0, 3)) for (const d of blobsOf(img)) expect(existsSync(blobFile(dataDir, d))).toBe(false);
    for (const img of imgs.slice(3)) for (const d of blobsOf(img)) expect(existsSync(blobFile(dataDir, d))).toBe(true);
    await b.stop();
  });
});

describe('berth gc without a server', () => {
  it('works in-process on the data directory', async () => {
    const dataDir = fresh();
    const b = await serve(dataDir);
    const gone = await pushRandomImage(b.url, 'a', 'v1', [2048]);
    const kept = await pushRandomImage(b.url, 'b', 'v1', [2048]);
    await fetch(`${b.url}/v2/a/manifests/${gone.digest}`, { method: 'DELETE' });
    await b.stop();

    const dry = await runBerth(['gc', '--dry-run', '--data', dataDir]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Would remove 0 manifests, 3 blobs, .* \(dry run: nothing removed\)\n/);
    expect(dry.stderr).toMatch(/^gc: marking/m);
    for (const d of blobsOf(gone)) expect(existsSync(blobFile(dataDir, d))).toBe(true);

    const real = await runBerth(['gc', '--json', '--data', dataDir]);
    expect(real.code).toBe(0);
    expect((JSON.parse(real.stdout) as GcReport).blobsRemoved.map((x) => x.digest).sort()).toEqual(blobsOf(gone).sort());
    for (const d of blobsOf(gone)) expect(existsSync(blobFile(dataDir, d))).toBe(false);

    const again = await serve(dataDir);
    await expectServed(again.url, 'b', 'v1', kept);
    await again.stop();
  });

  it('waits for another command working in-process, then runs (they take turns)', async () => {
    const dataDir = fresh();
    const b = await serve(dataDir);
    await pushRandomImage(b.url, 'a', 'v1');
    await b.stop();
    // This test process holds the data directory's lock, as a running `berth repo rm` would.
    writeFileSync(dataDirLockPath(dataDir), String(process.pid));
    let released = false;
    const root = resolve(import.meta.dirname, '..');
    const gc = spawn(process.execPath, ['--import', 'tsx', join(root, 'src-server/cli.ts'), 'gc', '--data', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    gc.stdout.on('data', (d) => (out += d));
    const done = new Promise<{ code: number | null; releasedFirst: boolean }>((res) => gc.on('close', (code) => res({ code, releasedFirst: released })));
    await new Promise((r) => setTimeout(r, 2500));
    released = true;
    unlinkSync(dataDirLockPath(dataDir));
    const r = await done;
    expect(r.releasedFirst).toBe(true);
    expect(r.code).toBe(0);
    expect(out).toMatch(/^Removed 0 manifests, 0 blobs/);
  });

  it('a data directory that does not exist is one line, and is not created', async () => {
    const missing = join(ws.dir, 'nowhere');
    const r = await runBerth(['gc', '--data', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`berth: data directory ${missing} not found\n`);
    expect(existsSync(missing)).toBe(false);
  });
});
