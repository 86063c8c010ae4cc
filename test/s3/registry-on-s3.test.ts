/**
 * Berth with its content in a bucket of a real Ceph RGW: skopeo pushes a two-platform image to one
 * Berth and pulls it from a second Berth on the same bucket (each with its own index, built from the
 * bucket at start); registry:2 (`docker-registry` with its S3 driver) serves what Berth pushed from
 * the same keys, and Berth serves what registry:2 pushed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, writeOciLayout, type ContainersSandbox } from '../helpers/images';
import { pushManifest, pushRandomImage } from '../helpers/push';
import { freePort, REGISTRY2_BIN } from '../helpers/registry2';
import type { RunningRgw } from '../helpers/rgw';
import { rgwFixture, s3StorageYaml } from './s3-berth';

const BUCKET = 'berth-registry';
const ROOT = 'reg';

/** A registry:2 config.yml (or Berth's) with storage.s3 on the test's RGW. */
function s3Config(rgw: RunningRgw, port: number): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    'storage:',
    '  delete:',
    '    enabled: true',
    ...s3StorageYaml(rgw, BUCKET, ROOT),
    '',
  ].join('\n');
}

/** Starts docker-registry with its S3 driver; resolves its URL once /v2/ answers. */
async function startRegistry2OnS3(rgw: RunningRgw, dir: string): Promise<{ url: string; proc: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const file = join(dir, `registry2-s3-${port}.yml`);
  writeFileSync(file, s3Config(rgw, port));
  // registry:2's S3 driver panics on this machine's AWS_CA_BUNDLE (TESTING-NOTES); REGISTRY_* would override the file.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_') && k !== 'AWS_CA_BUNDLE'));
  const proc = spawn(REGISTRY2_BIN, ['serve', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((res) => proc.on('exit', () => res()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/v2/`)).status === 200) break;
    } catch {
      // not yet
    }
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`docker-registry on S3 did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    proc,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

describe('Berth on S3 (Ceph RGW): two instances, and registry:2 on the same bucket', () => {
  const fixture = rgwFixture('berth-s3-registry-', BUCKET);
  let sandbox: ContainersSandbox;
  let config: string;
  const berths: RunningBerth[] = [];
  let layoutIndex: string;

  const serveOnBucket = async (name: string) => {
    const b = await startBerth(join(fixture.dir, name), ['--config', config, '--auth', 'none']);
    berths.push(b);
    return b;
  };
  const host = (url: string) => url.replace(/^https?:\/\//, '');

  beforeAll(async () => {
    config = join(fixture.dir, 'berth-s3.yml');
    // Berth's own listen address comes from --listen; the file says where the content lives.
    writeFileSync(config, s3Config(fixture.rgw, 5000).replace(/http:\n  addr: .*\n/, ''));
    sandbox = containersSandbox(join(fixture.dir, 'sandbox'));
    const { top } = writeOciLayout(join(fixture.dir, 'layout'), {
      tag: 'v1',
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
    });
    layoutIndex = top.digest;
  }, 180_000);

  afterAll(async () => {
    for (const b of berths) await b.stop();
    sandbox?.cleanup();
  });

  it('skopeo pushes a two-platform image to one Berth and pulls it, whole, from a second one on the bucket', async () => {
    const a = await serveOnBucket('data-a');
    await sandbox.skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${join(fixture.dir, 'layout')}:v1`, `docker://${host(a.url)}/s3/app:v1`]);
    // Nothing of the registry's content is under Berth's data directory: it is all in the bucket.
    expect(existsSync(join(fixture.dir, 'data-a', 'docker'))).toBe(false);
    const b = await serveOnBucket('data-b');
    const raw = await sandbox.skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${host(b.url)}/s3/app:v1`]);
    expect(`sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`).toBe(layoutIndex);
    mkdirSync(join(fixture.dir, 'pulled'), { recursive: true });
    await sandbox.skopeo(['copy', '--all', '--src-tls-verify=false', `docker://${host(b.url)}/s3/app:v1`, `oci:${join(fixture.dir, 'pulled')}:v1`]);
    const pulled = JSON.parse(readFileSync(join(fixture.dir, 'pulled', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    expect(pulled.manifests[0]!.digest).toBe(layoutIndex);
    const catalog = (await (await fetch(`${b.url}/v2/_catalog`)).json()) as { repositories: string[] };
    expect(catalog.repositories).toContain('s3/app');
  });

  it('podman pushes to one instance and pulls the same image from the other', async () => {
    const [a, b] = berths as [RunningBerth, RunningBerth];
    // podman names an image pulled from a layout after its path, which must be lowercase.
    const layout = join(tmpdir(), `berth-podman-${randomUUID()}`);
    let id: string;
    try {
      writeOciLayout(layout, { tag: 'p1' });
      id = (await sandbox.podman(['pull', '--quiet', `oci:${layout}:p1`])).stdout.trim();
    } finally {
      rmSync(layout, { recursive: true, force: true });
    }
    const digestFile = join(fixture.dir, 'podman-digest');
    await sandbox.podman(['push', '--quiet', '--tls-verify=false', '--digestfile', digestFile, id, `docker://${a.host}/s3/podman:v1`]);
    const pushed = readFileSync(digestFile, 'utf8').trim();
    const pulled = (await sandbox.podman(['pull', '--quiet', '--tls-verify=false', `${b.host}/s3/podman:v1`], {}, 'pull')).stdout.trim();
    // The image id is its config's digest: the same image came back whole, from the other instance.
    expect(pulled).toBe(id);
    const inspect = JSON.parse((await sandbox.podman(['image', 'inspect', pulled], {}, 'pull')).stdout)[0] as { RepoDigests: string[] };
    expect(inspect.RepoDigests).toContain(`${b.host}/s3/podman@${pushed}`);
  });

  it('registry:2 with its S3 driver serves what Berth pushed, and Berth serves what registry:2 pushed', async () => {
    const reg2 = await startRegistry2OnS3(fixture.rgw, fixture.dir);
    try {
      const raw = await sandbox.skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${host(reg2.url)}/s3/app:v1`]);
      expect(JSON.parse(raw.stdout).manifests).toHaveLength(2);
      await sandbox.skopeo(['copy', '--all', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${host(reg2.url)}/s3/app:v1`, `docker://${host(reg2.url)}/from-r2/app:v2`]);
    } finally {
      await reg2.stop();
    }
    const c = await serveOnBucket('data-c');
    const raw = await sandbox.skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${host(c.url)}/from-r2/app:v2`]);
    expect(`sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`).toBe(layoutIndex);
    await sandbox.skopeo(['copy', '--all', '--src-tls-verify=false', `docker://${host(c.url)}/from-r2/app:v2`, `oci:${join(fixture.dir, 'pulled-r2')}:v2`]);
  });

  it('instances on one bucket see each other: new tags and moved or deleted tags at once, tag lists within seconds, new repositories within the refresh', async () => {
    const [a, b] = berths as [RunningBerth, RunningBerth];
    const accept = { Accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' };
    const digestAt = async (base: string, repo: string, ref: string) => {
      const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'HEAD', headers: accept });
      return res.status === 200 ? res.headers.get('docker-content-digest') : res.status;
    };
    const single = writeOciLayout(join(fixture.dir, 'single'), { tag: 'one' }).top.digest;

    // A new tag pushed through A is served by B at once (B reads tags from the bucket).
    await sandbox.skopeo(['copy', '--dest-tls-verify=false', `oci:${join(fixture.dir, 'single')}:one`, `docker://${host(a.url)}/s3/app:v2`]);
    expect(await digestAt(b.url, 's3/app', 'v2')).toBe(single);
    // A tag moved through A: B serves the new digest at once.
    await sandbox.skopeo(['copy', '--dest-tls-verify=false', `oci:${join(fixture.dir, 'single')}:one`, `docker://${host(a.url)}/s3/app:v1`]);
    expect(await digestAt(b.url, 's3/app', 'v1')).toBe(single);
    // B's tag list follows within its few seconds.
    const tagsOn = async (base: string, repo: string) => ((await (await fetch(`${base}/v2/${repo}/tags/list`)).json()) as { tags?: string[] }).tags ?? [];
    await expect.poll(() => tagsOn(b.url, 's3/app'), { timeout: 10_000, interval: 500 }).toContain('v2');
    // A tag deleted through A is gone from B at once.
    expect((await fetch(`${a.url}/v2/s3/app/manifests/v2`, { method: 'DELETE' })).status).toBe(202);
    expect(await digestAt(b.url, 's3/app', 'v2')).toBe(404);
    await expect.poll(() => tagsOn(b.url, 's3/app'), { timeout: 10_000, interval: 500 }).not.toContain('v2');
    // A new repository: B serves it at once when asked for by name...
    await sandbox.skopeo(['copy', '--dest-tls-verify=false', `oci:${join(fixture.dir, 'single')}:one`, `docker://${host(a.url)}/s3/new-repo:1`]);
    expect(await digestAt(b.url, 's3/new-repo', '1')).toBe(single);
    // ...and one nobody asked B for reaches its catalog with the periodic re-read of the bucket (30 s).
    await sandbox.skopeo(['copy', '--dest-tls-verify=false', `oci:${join(fixture.dir, 'single')}:one`, `docker://${host(a.url)}/s3/unasked:1`]);
    const catalog = async () => ((await (await fetch(`${b.url}/v2/_catalog`)).json()) as { repositories: string[] }).repositories;
    expect(await catalog()).not.toContain('s3/unasked');
    await expect.poll(catalog, { timeout: 45_000, interval: 1000 }).toContain('s3/unasked');
  }, 90_000);

  it('takes an index whose children were pushed through the other instance (instances behind one load balancer)', async () => {
    const [a, b] = berths as [RunningBerth, RunningBerth];
    const amd = await pushRandomImage(a.url, 's3/lb', 'amd', [2048]);
    const arm = await pushRandomImage(a.url, 's3/lb', 'arm', [2048], { os: 'linux', architecture: 'arm64' });
    // B has not looked at s3/lb yet: its index knows neither child until it reads the bucket.
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: amd.digest, size: amd.size, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: arm.digest, size: arm.size, platform: { os: 'linux', architecture: 'arm64' } },
      ],
    };
    const digest = await pushManifest(b.url, 's3/lb', 'multi', index, 'application/vnd.oci.image.index.v1+json');
    const res = await fetch(`${a.url}/v2/s3/lb/manifests/multi`, { headers: { Accept: 'application/vnd.oci.image.index.v1+json' } });
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    // A child nobody pushed is still refused, as on the filesystem.
    index.manifests[1]!.digest = `sha256:${'0'.repeat(64)}`;
    const bad = await fetch(`${b.url}/v2/s3/lb/manifests/bad`, {
      method: 'PUT',
      body: JSON.stringify(index),
      headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
    });
    expect(bad.status).toBe(404);
    expect(((await bad.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('MANIFEST_UNKNOWN');
  });
});
