import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcReport } from '../../src-server/contract';
import { collectGarbage } from '../../src-server/gc/collect';
import { parseManifest } from '../../src-server/core/manifest';
import { readDirImage, corruptBlobs } from '../clients/dir-image';
import { startApi, type ApiRegistry } from '../api/harness';
import { tempDir } from '../helpers/berth-server';
import { containersSandbox, digestOf, type ContainersSandbox } from '../helpers/images';
import { blobExists, verifyBlobs } from '../helpers/verify';
import { buildImage, pullComplete, pushImage, pushIndex, referrers } from './http';

// The stress test: eight clients push (fresh and shared layers, re-tags and deletes that
// make garbage) and pull their own tags while collections run back to back, some with
// deleteUntagged. Every pull during the run must be complete; afterwards skopeo pulls every tag
// completely and every blob on disk hashes to its digest.

const CLIENTS = 8;
const ROUNDS = 12;
const REPOS = ['stress/a', 'stress/b', 'stress/c'];

let tmp: ReturnType<typeof tempDir>;
let api: ApiRegistry;
let sandbox: ContainersSandbox;

beforeAll(async () => {
  tmp = tempDir('berth-gc-stress-');
  api = await startApi({ dataDir: join(tmp.dir, 'data') });
  sandbox = containersSandbox(join(tmp.dir, 'containers'));
});
afterAll(async () => {
  await api?.stop();
  sandbox?.cleanup();
  tmp?.cleanup();
});

/** One client: pushes images under its own tags, re-tags and deletes, and pulls its tags back. */
async function client(base: string, id: number, sharedLayers: Buffer[]): Promise<{ retries: number; tags: Map<string, string> }> {
  const repo = REPOS[id % REPOS.length]!;
  const current = new Map<string, string>();
  let retries = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const tag = `c${id}-t${round % 3}`;
    const layers = [randomBytes(1024 + ((id * 31 + round * 17) % 4096)), sharedLayers[(id + round) % sharedLayers.length]!];
    if (round % 4 === 3) {
      // A two-platform index under the tag.
      const a = buildImage(layers, { arch: 'amd64' });
      const b = buildImage([randomBytes(700), sharedLayers[0]!], { arch: 'arm64' });
      const children = [
        { ...a.desc, platform: { os: 'linux', architecture: 'amd64' } },
        { ...b.desc, platform: { os: 'linux', architecture: 'arm64' } },
      ];
      let idx = null;
      for (let attempt = 0; !idx; attempt++) {
        retries += await pushImage(base, repo, null, a, 50);
        retries += await pushImage(base, repo, null, b, 50);
        idx = await pushIndex(base, repo, tag, children).catch((err) => {
          // A collection between the children's PUTs and the index's may remove the untagged
          // children: push them again, as a client would, and retry.
          if (!String(err).includes('MANIFEST_UNKNOWN') || attempt >= 50) throw err;
          retries++;
          return null;
        });
      }
      current.set(tag, idx.digest);
    } else {
      const img = buildImage(layers);
      retries += await pushImage(base, repo, tag, img, 50);
      current.set(tag, img.desc.digest);
      if (round % 5 === 1) {
        // A signature of the tagged image, untagged: deleteUntagged must keep it while the image is tagged.
        const sig = buildImage([randomBytes(64)], { subject: img.desc, artifactType: 'application/vnd.dev.cosign.signature' });
        retries += await pushImage(base, repo, null, sig, 50);
      }
    }
    if (round % 6 === 5) {
      // Delete one of our tags (garbage for the next collection).
      const gone = `c${id}-t${(round + 1) % 3}`;
      if (current.has(gone)) {
        const res = await fetch(`${base}/v2/${repo}/manifests/${gone}`, { method: 'DELETE' });
        expect(res.status, `DELETE ${repo}:${gone}`).toBe(202);
        current.delete(gone);
      }
    }
    // Pull every tag this client owns: complete, whatever the collector is doing.
    for (const t of current.keys()) await pullComplete(base, repo, t);
  }
  return { retries, tags: current };
}

describe('online gc under load', () => {
  it('never breaks a tagged image while clients push, re-tag, delete and pull', async () => {
    const base = api.base;
    const registry = api.services.registry;
    // Seed: a tagged image with a referrer, and garbage (an untagged image, an orphan blob).
    const seedLayer = randomBytes(8192);
    const seed = buildImage([seedLayer]);
    await pushImage(base, 'seed/app', 'v1', seed);
    const seedSig = buildImage([randomBytes(80)], { subject: seed.desc, artifactType: 'application/vnd.dev.cosign.signature' });
    await pushImage(base, 'seed/app', null, seedSig);
    await pushImage(base, 'seed/app', null, buildImage([randomBytes(5000)]));
    const sharedLayers = [randomBytes(3000), randomBytes(6000), randomBytes(2000)];

    let clientsDone = false;
    const reports: GcReport[] = [];
    const collector = (async () => {
      // Back to back until the clients finish, every other run with deleteUntagged. Runs without a
      // grace period remove layers uploaded a moment ago for a manifest not pushed yet (the client
      // uploads them again); a short pause between runs lets such pushes through.
      while (!clientsDone || reports.length < 3) {
        const n = reports.length;
        reports.push(await collectGarbage(registry, { deleteUntagged: n % 2 === 1, graceMs: n % 3 === 0 ? 0 : 1000 }));
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
    let results: Awaited<ReturnType<typeof client>>[];
    try {
      results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(base, i, sharedLayers)));
    } finally {
      clientsDone = true;
      await collector;
    }

    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(reports.some((r) => r.deleteUntagged)).toBe(true);
    // The collections really removed garbage while the clients ran.
    expect(reports.reduce((a, r) => a + r.blobsRemoved.length, 0)).toBeGreaterThan(0);
    expect(reports.some((r) => r.deleteUntagged && r.manifestsRemoved.length > 0)).toBe(true);

    // A final collection with nothing running, then check everything.
    const last = await collectGarbage(registry, { deleteUntagged: true });
    const expectedTags = new Map<string, string>([['seed/app:v1', seed.desc.digest]]);
    for (const [i, r] of results!.entries()) for (const [t, d] of r.tags) expectedTags.set(`${REPOS[i % REPOS.length]}:${t}`, d);
    expect(expectedTags.size).toBeGreaterThan(CLIENTS);

    // Every tagged image pulls completely with skopeo, byte for byte.
    const refs = [...expectedTags.entries()];
    const outs: string[] = [];
    for (let i = 0; i < refs.length; i += 4) {
      await Promise.all(
        refs.slice(i, i + 4).map(async ([ref, digest], j) => {
          const out = join(tmp.dir, `pull-${i + j}`);
          await sandbox.skopeo(['copy', '--quiet', '--all', '--src-tls-verify=false', `docker://127.0.0.1:${api.port}/${ref}`, `dir:${out}`]);
          const img = readDirImage(out);
          expect(digestOf(img.manifest), ref).toBe(digest);
          expect(corruptBlobs(img), ref).toEqual([]);
          const m = JSON.parse(img.manifest.toString('utf8'));
          const needed = [...(m.config ? [m.config.digest] : []), ...(m.layers ?? []).map((l: { digest: string }) => l.digest)];
          for (const [cd, child] of img.children) {
            expect(digestOf(child), ref).toBe(cd);
            const c = JSON.parse(child.toString('utf8'));
            needed.push(c.config.digest, ...c.layers.map((l: { digest: string }) => l.digest));
          }
          if (m.manifests) expect(img.children.size, ref).toBe(m.manifests.length);
          for (const d of needed) expect(img.blobs.has(d), `${ref} ${d}`).toBe(true);
          outs.push(out);
        }),
      );
    }
    expect(outs.length).toBe(refs.length);

    // The seed's signature survived every deleteUntagged run; the untagged seed image did not.
    expect(await referrers(base, 'seed/app', seed.desc.digest)).toEqual([seedSig.desc.digest]);
    await pullComplete(base, 'seed/app', seedSig.desc.digest);

    // Every blob on disk hashes to its digest, and every manifest the index holds has all it references.
    const disk = await verifyBlobs(api.dataDir);
    expect(disk.bad).toEqual([]);
    expect(disk.good.length).toBe(last.blobsKept);
    const rows = registry.forCollection().index.db.prepare('SELECT r.name, v.digest FROM revisions v JOIN repos r ON r.id = v.repo_id').raw().all() as Array<[string, string]>;
    expect(rows.length).toBe(last.manifestsKept);
    for (const [repo, digest] of rows) {
      expect(blobExists(api.dataDir, digest), `${repo}@${digest}`).toBe(true);
      const [alg, hex] = digest.split(':') as [string, string];
      const body = readFileSync(join(api.dataDir, 'docker/registry/v2/blobs', alg, hex.slice(0, 2), hex, 'data'));
      const info = parseManifest(body, undefined);
      for (const b of [...(info.config ? [info.config] : []), ...info.layers]) expect(blobExists(api.dataDir, b.digest), `${repo}@${digest} -> ${b.digest}`).toBe(true);
      for (const c of info.manifests) expect(registry.forCollection().index.hasManifest(repo, c.digest), `${repo}@${digest} -> ${c.digest}`).toBe(true);
    }
    // Nothing is left for another collection.
    const after = await collectGarbage(registry, { deleteUntagged: true });
    expect(after.blobsRemoved).toEqual([]);
    expect(after.manifestsRemoved).toEqual([]);
    // Retries are the documented cost of collecting without a grace period; report them.
    const retries = results!.reduce((a, r) => a + r.retries, 0);
    console.log(`gc stress: ${reports.length} collections, ${retries} push retries, ${expectedTags.size} tags verified`);
  });
});
