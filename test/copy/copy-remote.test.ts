/**
 * copyImage over the Distribution API: the embedded registry (in-process) to a real registry:2 and
 * back through a real `berth serve`, both reached by RemoteSource; the result checked with skopeo
 * (inspect, and a full pull of every blob into an OCI layout).
 */
import { toApiError } from '../../src-server/api/errors';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSource } from '../../src-server/browse/local-source';
import { RemoteSource } from '../../src-server/browse/remote-source';
import type { RegistrySource } from '../../src-server/browse/source';
import { copyImage } from '../../src-server/copy/copy-image';
import type { CopyProgressEvent } from '../../src-server/copy/progress';
import { silentLogger } from '../../src-server/logger';
import { RemoteRegistry } from '../../src-server/remote/client';
import { createServices, type Services } from '../../src-server/services';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, openOciLayout, type ContainersSandbox } from '../helpers/images';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { RegistryError } from '../../src-server/core/errors';
import { MT } from '../helpers/oci-content';
import { gatedSource, multiArch, openUploads, totalSize, type BuiltImage } from './images';
import { startHeldUploadsProxy } from './held-uploads-proxy';
import { putReferrers, type WrittenReferrer } from './referrers';

const ws = berthWorkspace('berth-copy-remote-');
let services: Services;
let local: LocalSource;
let reg2: RunningRegistry2;
let berth: RunningBerth;
let r2: RemoteSource;
let remoteBerth: RemoteSource;
let sandbox: ContainersSandbox;
let img: BuiltImage;
let reg2Dir: string;
let berthDir: string;

const remote = (id: string, url: string) => new RemoteSource({ id, client: new RemoteRegistry({ url }), kind: 'registry' });

beforeAll(async () => {
  services = await createServices({ dataDir: ws.fresh('local'), fsync: false, log: silentLogger });
  local = new LocalSource(services.registry, () => 'localhost');
  reg2Dir = ws.fresh('registry2');
  berthDir = ws.fresh('berth');
  [reg2, berth] = await Promise.all([startRegistry2(reg2Dir, ws.dir), ws.serve(berthDir)]);
  r2 = remote('r2', reg2.url);
  remoteBerth = remote('berth', berth.url);
  sandbox = containersSandbox(join(ws.dir, 'sandbox'));
  img = await multiArch(local, 'src/app', 'v1', { layerSize: 300_000 });
}, 60_000);

afterAll(async () => {
  await reg2?.stop();
  services?.close();
  sandbox?.cleanup();
});

async function inspectRaw(host: string, ref: string): Promise<any> {
  return JSON.parse((await sandbox.skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${host}/${ref}`])).stdout);
}

async function inspect(host: string, ref: string): Promise<{ raw: any; digest: string }> {
  const raw = JSON.parse((await sandbox.skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${host}/${ref}`])).stdout);
  const { Digest } = JSON.parse((await sandbox.skopeo(['inspect', '--tls-verify=false', `docker://${host}/${ref}`])).stdout);
  return { raw, digest: Digest };
}

/** Pulls every platform's every blob into an OCI layout; returns the layout's entry and reachable blobs. */
async function pullAll(host: string, ref: string, name: string) {
  const dir = join(ws.dir, `oci-${name}`);
  // --preserve-digests: without it skopeo may rewrite the index for the layout, and we compare digests.
  await sandbox.skopeo(['copy', '--quiet', '--all', '--preserve-digests', '--src-tls-verify=false', `docker://${host}/${ref}`, `oci:${dir}:t`]);
  const layout = openOciLayout(dir);
  return { digest: layout.descriptor('t').digest, reachable: layout.reachable('t') };
}

describe('copy across real registries', () => {
  it('local → registry:2, every platform: same digest, pullable with skopeo', async () => {
    const events: CopyProgressEvent[] = [];
    const report = await copyImage(local, r2, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'copied/app', toReference: 'v1' }, {
      onProgress: (p) => events.push(p),
    });
    expect(report).toMatchObject({ digest: img.digest, target: 'copied/app:v1', manifests: 4, blobsCopied: 7, bytesCopied: totalSize(img.blobs) });
    expect(events[events.length - 1]).toMatchObject({ phase: 'done', bytesDone: totalSize(img.blobs), bytesTotal: totalSize(img.blobs) });
    const seen = await inspect(reg2.host, 'copied/app:v1');
    expect(seen.digest).toBe(img.digest);
    expect(seen.raw.manifests.map((m: any) => m.digest)).toEqual([...img.children.values()].map((c) => c.digest));
    const pulled = await pullAll(reg2.host, 'copied/app:v1', 'r2');
    expect(pulled.digest).toBe(img.digest);
    // The index, 3 child manifests and 7 blobs: every one of them came down.
    expect(new Set(pulled.reachable)).toEqual(new Set([img.digest, ...[...img.children.values()].map((c) => c.digest), ...img.blobs.keys()]));
  });

  it('registry:2 → berth serve → local: the same image comes back', async () => {
    const there = await copyImage(r2, remoteBerth, { fromRepository: 'copied/app', fromReference: 'v1', toRepository: 'back/app', toReference: 'v1' });
    expect(there).toMatchObject({ digest: img.digest, blobsCopied: 7, bytesCopied: totalSize(img.blobs) });
    expect((await inspect(berth.host, 'back/app:v1')).digest).toBe(img.digest);
    const home = await copyImage(remoteBerth, local, { fromRepository: 'back/app', fromReference: 'v1', toRepository: 'home/app', toReference: 'v1' });
    expect(home).toMatchObject({ digest: img.digest, blobsCopied: 7 });
    const m = await local.getManifest('home/app', 'v1');
    expect(m!.body.equals((await local.getManifest('src/app', 'v1'))!.body)).toBe(true);
  });

  it('within registry:2: blobs are mounted, not sent', async () => {
    const report = await copyImage(r2, r2, { fromRepository: 'copied/app', fromReference: 'v1', toRepository: 'mounted/app', toReference: 'm' });
    expect(report).toMatchObject({ digest: img.digest, blobsMounted: 7, blobsCopied: 0, bytesCopied: 0 });
    expect((await pullAll(reg2.host, 'mounted/app:m', 'mounted')).digest).toBe(img.digest);
  });

  it('one platform to registry:2: a single image manifest under the tag', async () => {
    const report = await copyImage(local, r2, {
      fromRepository: 'src/app',
      fromReference: 'v1',
      toRepository: 'single/app',
      toReference: 'arm64',
      platforms: ['linux/arm64'],
    });
    const child = img.children.get('linux/arm64')!;
    expect(report).toMatchObject({ digest: child.digest, manifests: 1 });
    const seen = await inspect(reg2.host, 'single/app:arm64');
    expect(seen.digest).toBe(child.digest);
    expect(seen.raw.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  });

  it('a blob the source lost: clear error naming it, and no manifest on the target', async () => {
    const gone = img.platformBlobs.get('linux/amd64')![2]!;
    const res = await fetch(`${reg2.url}/v2/copied/app/blobs/${gone}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    const err = await copyImage(r2, remoteBerth, { fromRepository: 'copied/app', fromReference: 'v1', toRepository: 'broken/app', toReference: 'v1' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'BLOB_UNKNOWN', message: expect.stringContaining(gone) });
    const target: RegistrySource = remoteBerth;
    expect(await target.headManifest('broken/app', 'v1')).toBeNull();
    for (const c of img.children.values()) expect(await target.headManifest('broken/app', c.digest)).toBeNull();
  });

  it('a target that refuses the push: clear error naming the blob, nothing written', async () => {
    const data = ws.fresh('readonly');
    for (const [args, input] of [
      [['init', '--data', data], undefined],
      [['user', 'add', 'reader', '--password-stdin', '--access', 'pull@*', '--data', data], 'reader-secret-1\n'],
    ] as const) {
      const r = await runBerth([...args], { input });
      expect(r.code, r.stderr).toBe(0);
    }
    const guarded = await ws.serve(data, ['--auth', 'basic']);
    const reader = new RemoteSource({
      id: 'reader',
      client: new RemoteRegistry({ url: guarded.url, credentials: { username: 'reader', password: 'reader-secret-1' } }),
      kind: 'registry',
    });
    const err = await copyImage(local, reader, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'src/app', toReference: 'v1' }).catch(
      (e: unknown) => e,
    );
    // The API answers what the registry said (DENIED: a known user without the push right).
    expect(toApiError(err, silentLogger, 'image:copy')).toMatchObject({ code: 'DENIED', message: expect.stringMatching(/^copying blob sha256:[0-9a-f]{64} /) });
    expect(await reader.headManifest('src/app', 'v1')).toBeNull();
    expect(guarded.output()).not.toContain('reader-secret-1');
  });
});

/** Both remote targets: registry:2 and berth serve, with their data directories. */
const targets = () =>
  [
    { name: 'registry:2', source: r2, host: reg2.host, dir: reg2Dir },
    { name: 'berth serve', source: remoteBerth, host: berth.host, dir: berthDir },
  ] as const;

describe('the target tag on real registries', () => {
  it('a 3-platform index is not replaced by a single image unasked; with the confirmed digest it is (skopeo sees each step)', async () => {
    const child = img.children.get('linux/arm64')!;
    for (const t of targets()) {
      const repo = `guard/${t.name === 'registry:2' ? 'r2' : 'berth'}`;
      await copyImage(local, t.source, { fromRepository: 'src/app', fromReference: 'v1', toRepository: repo, toReference: 'v1' });
      expect((await inspect(t.host, `${repo}:v1`)).digest, t.name).toBe(img.digest);
      const err = await copyImage(local, t.source, { fromRepository: 'src/app', fromReference: 'v1', toRepository: repo, toReference: 'v1', platforms: ['linux/arm64'] }).catch(
        (e: unknown) => e,
      );
      expect(err, t.name).toBeInstanceOf(RegistryError);
      expect(err).toMatchObject({ code: 'DESTINATION_EXISTS', detail: { current: img.digest, copied: child.digest } });
      const kept = await inspect(t.host, `${repo}:v1`);
      expect(kept.digest, t.name).toBe(img.digest);
      expect(kept.raw.manifests, t.name).toHaveLength(3);
      const report = await copyImage(local, t.source, {
        fromRepository: 'src/app',
        fromReference: 'v1',
        toRepository: repo,
        toReference: 'v1',
        platforms: ['linux/arm64'],
        expectDestination: img.digest,
      });
      expect(report, t.name).toMatchObject({ digest: child.digest, replaced: img.digest });
      const now = await inspect(t.host, `${repo}:v1`);
      expect(now.digest, t.name).toBe(child.digest);
      expect(now.raw.mediaType, t.name).toBe(MT.ociManifest);
    }
  });

  it('a cancelled copy leaves the tag as it was (skopeo checks) and no upload open at berth serve; registry:2 keeps the ones cut mid-PATCH', async () => {
    const child = img.children.get('linux/amd64')!;
    for (const t of targets()) {
      const repo = `stopped/${t.name === 'registry:2' ? 'r2' : 'berth'}`;
      await copyImage(local, t.source, { fromRepository: 'src/app', fromReference: 'v1', toRepository: repo, toReference: 'v1', platforms: ['linux/amd64'] });
      const gated = gatedSource(local);
      const ctl = new AbortController();
      const run = copyImage(gated.source, t.source, { fromRepository: 'src/app', fromReference: 'v1', toRepository: repo, toReference: 'v1', expectDestination: child.digest }, {
        signal: ctl.signal,
      });
      // The copy must still be moving a blob; if it ended first, say how.
      const ended = run.then(
        (r) => new Error(`the copy ended before a blob was half across: ${JSON.stringify(r)}`),
        (e: unknown) => e,
      );
      const first = await Promise.race([gated.firstChunk, ended]);
      expect(typeof first, String(first)).toBe('string');
      ctl.abort(new Error('stop'));
      const err = await run.catch((e: unknown) => e);
      if (t.name === 'berth serve') {
        expect(openUploads(t.dir, repo)).toEqual([]);
      } else {
        // registry:2 takes a DELETE of an upload only with the state of its last answered request, so an
        // upload cut in the middle of its PATCH stays until registry:2's upload purging: at most one per
        // blob that was moving (3 at once), none begun after the cancel.
        expect(openUploads(t.dir, repo).length).toBeLessThanOrEqual(3);
      }
      expect(err, t.name).toMatchObject({ code: 'CANCELLED', detail: { manifestsWritten: 0 } });
      expect((await inspect(t.host, `${repo}:v1`)).digest, t.name).toBe(child.digest);
      expect(await t.source.headManifest(repo, img.digest), t.name).toBeNull();
      gated.release();
    }
  });
});

describe('cancel through a network that holds uploads', () => {
  it('a copy waiting on an upload to berth serve stops at once, and the registry never sees the held bytes', async () => {
    const proxy = await startHeldUploadsProxy(berth.url);
    try {
      const held = remote('held', proxy.url);
      const ctl = new AbortController();
      const events: CopyProgressEvent[] = [];
      const run = copyImage(local, held, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'held/app', toReference: 'v1' }, {
        signal: ctl.signal,
        onProgress: (p) => events.push(p),
      });
      await proxy.firstHeld;
      ctl.abort(new Error('stop'));
      const err = await run.catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CANCELLED', detail: { blobsCopied: 0, manifestsWritten: 0 } });
      await proxy.drained();
      expect(openUploads(berthDir, 'held/app')).toEqual([]);
      expect(await remoteBerth.headManifest('held/app', 'v1')).toBeNull();
      for (const d of img.blobs.keys()) expect(await remoteBerth.headBlob('held/app', d)).toBeNull();
      expect(events.some((e) => e.phase === 'manifests')).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});

describe('referrers across real registries', () => {
  let written: WrittenReferrer[];
  beforeAll(async () => {
    const index = { mediaType: img.mediaType, digest: img.digest, size: (await local.getManifest('src/app', 'v1'))!.body.length };
    written = await putReferrers(local, 'src/app', 'localhost/src/app', index);
  });

  const referrersApi = async (base: string, repo: string, digest: string) => {
    const res = await fetch(`${base}/v2/${repo}/referrers/${digest}`);
    return { status: res.status, body: res.status === 200 ? ((await res.json()) as { manifests: Array<{ digest: string; artifactType?: string }> }) : null };
  };

  it('to registry:2, which has no referrers API: written by digest, listed under the fallback tag', async () => {
    const report = await copyImage(local, r2, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'signed/app', toReference: 'v1', referrers: true });
    expect(report.referrers).toEqual({ found: 4, copied: 4, leftOut: 0, fallbackTags: 1 });
    expect((await referrersApi(reg2.url, 'signed/app', img.digest)).status).toBe(404);
    // skopeo reads the fallback tag: an index of the referrers, with their artifact types.
    const fallback = await inspectRaw(reg2.host, `signed/app:${img.digest.replace(':', '-')}`);
    expect(fallback.mediaType).toBe(MT.ociIndex);
    expect(new Set(fallback.manifests.map((m: { digest: string }) => m.digest))).toEqual(new Set(written.map((w) => w.digest)));
    expect(new Set(fallback.manifests.map((m: { artifactType: string }) => m.artifactType))).toEqual(new Set(written.map((w) => w.artifactType)));
    // Berth's own client finds them there, and the image is the one copied.
    expect(new Set(((await r2.referrers('signed/app', img.digest)) ?? []).map((r) => r.digest))).toEqual(new Set(written.map((w) => w.digest)));
    expect((await inspect(reg2.host, 'signed/app:v1')).digest).toBe(img.digest);
    // A second copy adds nothing twice.
    const again = await copyImage(local, r2, { fromRepository: 'src/app', fromReference: 'v1', toRepository: 'signed/app', toReference: 'v1', referrers: true });
    expect(again.referrers).toMatchObject({ copied: 4, fallbackTags: 0 });
    expect((await inspectRaw(reg2.host, `signed/app:${img.digest.replace(':', '-')}`)).manifests).toHaveLength(4);
  });

  it('from registry:2 (through its fallback tag) to berth serve: its referrers API lists them', async () => {
    const report = await copyImage(r2, remoteBerth, { fromRepository: 'signed/app', fromReference: 'v1', toRepository: 'signed/app', toReference: 'v1', referrers: true });
    expect(report.referrers).toEqual({ found: 4, copied: 4, leftOut: 0, fallbackTags: 0 });
    const listed = await referrersApi(berth.url, 'signed/app', img.digest);
    expect(listed.status).toBe(200);
    expect(new Set(listed.body!.manifests.map((m) => m.digest))).toEqual(new Set(written.map((w) => w.digest)));
    // No fallback tag where the registry has the API.
    const tags = (await (await fetch(`${berth.url}/v2/signed/app/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags).toEqual(['v1']);
    for (const w of written) {
      const pulled = await sandbox.skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/signed/app@${w.digest}`]);
      expect(JSON.parse(pulled.stdout).subject.digest).toBe(img.digest);
    }
  });
});
