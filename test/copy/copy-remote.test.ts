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
import { multiArch, totalSize, type BuiltImage } from './images';

const ws = berthWorkspace('berth-copy-remote-');
let services: Services;
let local: LocalSource;
let reg2: RunningRegistry2;
let berth: RunningBerth;
let r2: RemoteSource;
let remoteBerth: RemoteSource;
let sandbox: ContainersSandbox;
let img: BuiltImage;

const remote = (id: string, url: string) => new RemoteSource({ id, client: new RemoteRegistry({ url }), kind: 'registry' });

beforeAll(async () => {
  services = await createServices({ dataDir: ws.fresh('local'), fsync: false, log: silentLogger });
  local = new LocalSource(services.registry, () => 'localhost');
  [reg2, berth] = await Promise.all([startRegistry2(ws.fresh('registry2'), ws.dir), ws.serve(ws.fresh('berth'))]);
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
