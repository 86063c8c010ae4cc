/**
 * `storage.maintenance.uploadpurging` as a user sets it: a `berth serve` whose config purges
 * uploads older than two seconds forgets an abandoned upload (its folder leaves the disk and the
 * client gets BLOB_UPLOAD_UNKNOWN), and keeps pushes that finish in time working.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berthWorkspace } from '../helpers/berth-server';
import { pushRandomImage } from '../helpers/push';

const ws = berthWorkspace('berth-purge-serve-');

describe('upload purging in berth serve', () => {
  it('removes an abandoned upload after the configured age, and leaves finished pushes alone', async () => {
    const config = join(ws.dir, 'purge.yml');
    writeFileSync(config, 'version: 0.1\nstorage:\n  maintenance:\n    uploadpurging:\n      enabled: true\n      age: 2s\n      interval: 1s\n');
    const dataDir = ws.fresh();
    const b = await ws.serve(dataDir, ['--config', config, '--auth', 'none']);

    const start = await fetch(`${b.url}/v2/team/app/blobs/uploads/`, { method: 'POST' });
    expect(start.status).toBe(202);
    const location = new URL(start.headers.get('location')!, b.url);
    const patch = await fetch(location, { method: 'PATCH', body: new Uint8Array(1000), headers: { 'Content-Type': 'application/octet-stream' } });
    expect(patch.status).toBe(202);
    const uploads = join(dataDir, 'docker/registry/v2/repositories/team/app/_uploads');
    expect(readdirSync(uploads)).toHaveLength(1);

    const image = await pushRandomImage(b.url, 'team/app', 'v1', [2048]);
    await expect.poll(() => readdirSync(uploads).length, { timeout: 30_000, interval: 250 }).toBe(0);
    const status = await fetch(new URL(patch.headers.get('location')!, b.url));
    expect(status.status).toBe(404);
    expect(((await status.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('BLOB_UPLOAD_UNKNOWN');
    expect(b.output()).toMatch(/upload purge: removed upload \S+ of team\/app/);

    const m = await fetch(`${b.url}/v2/team/app/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(m.headers.get('docker-content-digest')).toBe(image.digest);
    for (const l of image.manifest.layers) expect((await fetch(`${b.url}/v2/team/app/blobs/${l.digest}`)).status).toBe(200);
    expect(existsSync(join(dataDir, 'docker/registry/v2/repositories/team/app/_manifests'))).toBe(true);
  }, 60_000);
});
