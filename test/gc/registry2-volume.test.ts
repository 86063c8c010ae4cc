import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src-server/gc/collect';
import { silentLogger } from '../../src-server/logger';
import { createServices } from '../../src-server/services';
import { corruptBlobs, readDirImage } from '../clients/dir-image';
import { tempDir } from '../helpers/berth-server';
import { containersSandbox, digestOf, getManifest, writeOciLayout, type ContainersSandbox } from '../helpers/images';
import { registry2GarbageCollect, startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { verifyBlobs } from '../helpers/verify';

// A registry:2 volume, written by docker-registry itself (skopeo pushes, deletes through its API),
// collected by Berth (deleteUntagged), stays valid for registry:2: it serves every remaining tag
// completely, and its own garbage-collect finds nothing more to remove.

let tmp: ReturnType<typeof tempDir>;
let sandbox: ContainersSandbox;
let r2: RunningRegistry2 | null = null;
let n = 0;

beforeAll(() => {
  tmp = tempDir('berth-gc-r2-');
  sandbox = containersSandbox(join(tmp.dir, 'containers'));
});
afterAll(async () => {
  await r2?.stop();
  sandbox?.cleanup();
  tmp?.cleanup();
});

/** Writes a fresh OCI layout with one tag (an index when several platforms) and returns its top digest. */
function layout(platforms: string[] = ['amd64']): { dir: string; digest: string } {
  const dir = join(tmp.dir, `layout-${++n}`);
  mkdirSync(dir, { recursive: true });
  const { top } = writeOciLayout(dir, { platforms: platforms.map((architecture) => ({ os: 'linux', architecture })) });
  return { dir, digest: top.digest };
}

const push = (src: string, dest: string) =>
  sandbox.skopeo(['copy', '--quiet', '--all', '--dest-tls-verify=false', `oci:${src}:latest`, `docker://${r2!.host}/${dest}`]);

/** registry:2's `garbage-collect --dry-run` verdict: the blobs it would delete. */
async function r2Eligible(dataDir: string, flags: string[] = []): Promise<string[]> {
  const out = await registry2GarbageCollect(dataDir, tmp.dir, ['--dry-run', ...flags]);
  const summary = /(\d+) blobs marked, (\d+) blobs and \d+ manifests eligible for deletion/.exec(out);
  expect(summary, out).not.toBeNull();
  const eligible = [...out.matchAll(/blob eligible for deletion: (sha256:[0-9a-f]{64})/g)].map((m) => m[1]!).sort();
  // The per-blob lines are what its summary counts (so a change of wording cannot hide a verdict).
  expect(eligible.length, out).toBe(Number(summary![2]));
  expect(Number(summary![1])).toBeGreaterThan(0);
  return eligible;
}

describe('gc on a registry:2 volume', () => {
  it('leaves the volume valid for registry:2', async () => {
    const dataDir = join(tmp.dir, 'data');
    r2 = await startRegistry2(dataDir, tmp.dir);
    // single:v1 and v2 stay; single:v3 is re-pushed (its old image becomes untagged); single:gone is
    // deleted by digest; multi:latest is a two-platform index whose children are untagged.
    const v1 = layout();
    const v2 = layout();
    const v3old = layout();
    const v3 = layout();
    const gone = layout();
    const multi = layout(['amd64', 'arm64']);
    await push(v1.dir, 'single:v1');
    await push(v2.dir, 'single:v2');
    await push(v3old.dir, 'single:v3');
    await push(v3.dir, 'single:v3');
    await push(gone.dir, 'single:gone');
    await push(multi.dir, 'multi:latest');
    const del = await fetch(`${r2.url}/v2/single/manifests/${gone.digest}`, { method: 'DELETE' });
    expect(del.status).toBe(202);
    await r2.stop();
    r2 = null;

    // Berth collects the stopped volume.
    const services = await createServices({ dataDir, fsync: false, log: silentLogger });
    let report;
    try {
      expect(services.reconcileReport.warnings).toEqual([]);
      report = await collectGarbage(services.registry, { deleteUntagged: true });
    } finally {
      services.close();
    }
    // registry:2 2.8.2's DELETE by digest removes the tags but leaves the revision link, so the
    // deleted manifest is one more untagged revision here.
    expect(report.manifestsRemoved.map((m) => `${m.repository}@${m.digest}`).sort()).toEqual([`single@${v3old.digest}`, `single@${gone.digest}`].sort());
    // gone's and v3old's manifest, config and random layer each (their small first layer, the same
    // bytes in every amd64 image here, is shared with the kept ones).
    expect(report.blobsRemoved).toHaveLength(6);
    expect((await verifyBlobs(dataDir)).bad).toEqual([]);

    // registry:2 serves every remaining tag completely, and not the removed image.
    r2 = await startRegistry2(dataDir, tmp.dir);
    const tags = { 'single:v1': v1.digest, 'single:v2': v2.digest, 'single:v3': v3.digest, 'multi:latest': multi.digest };
    for (const [ref, digest] of Object.entries(tags)) {
      const out = join(tmp.dir, `pull-${++n}`);
      await sandbox.skopeo(['copy', '--quiet', '--all', '--src-tls-verify=false', `docker://${r2.host}/${ref}`, `dir:${out}`]);
      const img = readDirImage(out);
      expect(digestOf(img.manifest), ref).toBe(digest);
      expect(corruptBlobs(img), ref).toEqual([]);
      const m = JSON.parse(img.manifest.toString('utf8'));
      if (m.manifests) expect(img.children.size, ref).toBe(2);
      const needed = [m, ...[...img.children.values()].map((c) => JSON.parse(c.toString('utf8')))].flatMap((x) =>
        x.config ? [x.config.digest, ...x.layers.map((l: { digest: string }) => l.digest)] : [],
      );
      for (const d of needed) expect(img.blobs.has(d), `${ref} ${d}`).toBe(true);
    }
    for (const d of [v3old.digest, gone.digest]) expect((await getManifest(r2.url, 'single', d)).status).toBe(404);
    const tagList = await (await fetch(`${r2.url}/v2/single/tags/list`)).json();
    expect(tagList.tags.sort()).toEqual(['v1', 'v2', 'v3']);
    await r2.stop();
    r2 = null;

    // registry:2's own collector agrees: nothing more to delete.
    expect(await r2Eligible(dataDir)).toEqual([]);
    // With --delete-untagged, registry:2 2.8.2 also deletes the untagged children of an index (its
    // known multi-arch bug, distribution#3178): whatever it would delete must belong to the index's
    // children, never to the single-arch images Berth kept.
    const multiChildren = new Set<string>();
    const index = JSON.parse(readFileSync(join(multi.dir, 'blobs/sha256', multi.digest.slice(7))).toString('utf8'));
    for (const c of index.manifests) {
      multiChildren.add(c.digest);
      const cm = JSON.parse(readFileSync(join(multi.dir, 'blobs/sha256', c.digest.slice(7))).toString('utf8'));
      multiChildren.add(cm.config.digest);
      for (const l of cm.layers) multiChildren.add(l.digest);
    }
    const untaggedVerdict = await r2Eligible(dataDir, ['--delete-untagged']);
    console.log(`registry:2 garbage-collect --delete-untagged --dry-run after Berth's gc: ${untaggedVerdict.length} blobs (all of the index's children)`);
    for (const d of untaggedVerdict) expect(multiChildren.has(d), d).toBe(true);
  });
});
