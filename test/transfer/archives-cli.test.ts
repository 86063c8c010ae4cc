/**
 * `berth export`, `berth import` and `berth copy` as a user runs them, against real servers and
 * real skopeo: round trips keep every digest, skopeo reads Berth's docker archives and Berth
 * imports skopeo's, and a broken archive imports nothing of the broken image.
 */
import { copyFileSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, writeOciLayout, type ContainersSandbox, type WrittenImage } from '../helpers/images';
import { pushBlob, pushManifest, pushRandomImage, sha256, type PushedImage } from '../helpers/push';

const ws = berthWorkspace('berth-archives-');
let src: RunningBerth;
let sandbox: ContainersSandbox;
let single: PushedImage;
let multiDigest: string;
let multiImages: WrittenImage[];
let referrer: string;

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const ACCEPT = [OCI_MANIFEST, 'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json'].join(', ');

async function headDigest(base: string, repo: string, ref: string): Promise<string | null> {
  const r = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'HEAD', headers: { Accept: ACCEPT } });
  return r.status === 200 ? r.headers.get('docker-content-digest') : null;
}

async function manifestOf(base: string, repo: string, ref: string): Promise<{ config: { digest: string }; layers: { digest: string; mediaType: string }[] }> {
  const r = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT } });
  expect(r.status).toBe(200);
  return (await r.json()) as never;
}

function json<T>(out: string): T {
  return JSON.parse(out) as T;
}

beforeAll(async () => {
  src = await ws.serve(ws.fresh('src'));
  sandbox = containersSandbox(join(ws.dir, 'containers'));
  const layoutDir = join(ws.dir, 'multi-layout');
  const written = writeOciLayout(layoutDir, { tag: 'v2', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
  multiDigest = written.top.digest;
  multiImages = written.images;
  await sandbox.skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layoutDir}:v2`, `docker://${src.host}/multi:v2`]);
  single = await pushRandomImage(src.url, 'team/app', 'v1', [4096, 2048]);
  // An SBOM whose subject is team/app:v1.
  const empty = await pushBlob(src.url, 'team/app', Buffer.from('{}'));
  const sbom = Buffer.from('{"spdxVersion":"SPDX-2.3"}');
  const sbomDigest = await pushBlob(src.url, 'team/app', sbom);
  const body = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: 'application/spdx+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
    layers: [{ mediaType: 'application/spdx+json', digest: sbomDigest, size: sbom.length }],
    subject: { mediaType: OCI_MANIFEST, digest: single.digest, size: single.size },
  };
  referrer = sha256(Buffer.from(JSON.stringify(body)));
  await pushManifest(src.url, 'team/app', referrer, body);
}, 120_000);

describe('berth export and berth import', () => {
  it('round-trips several images, a multi-platform index whole and a referrer, with equal digests', async () => {
    const archive = join(ws.dir, 'images.tar');
    const ex = await runBerth(['export', 'team/app:v1', 'multi:v2', '--out', archive, '--data', src.dataDir, '--json']);
    expect(ex.stderr).not.toMatch(/Error|at .*\.ts/);
    expect(ex.code).toBe(0);
    const report = json<{ format: string; images: { name: string; digest: string; referrers: number }[]; bytes: number }>(ex.stdout);
    expect(report.format).toBe('oci');
    expect(report.images).toEqual([
      { name: 'team/app:v1', digest: single.digest, referrers: 1 },
      { name: 'multi:v2', digest: multiDigest, referrers: 0 },
    ]);
    expect(report.bytes).toBe(statSync(archive).size);
    // skopeo reads it as an OCI archive, by the name it gives each image.
    const inspected = await sandbox.skopeo(['inspect', '--raw', `oci-archive:${archive}:team/app:v1`]);
    expect(sha256(Buffer.from(inspected.stdout))).toBe(single.digest);

    const dst = ws.fresh('dst');
    mkdirSync(dst, { recursive: true });
    const im = await runBerth(['import', archive, '--data', dst, '--json']);
    expect(im.code).toBe(0);
    const imported = json<{ format: string; imported: number; failed: number; images: { name: string; target: string; digest: string; ok: boolean }[] }>(im.stdout);
    expect(imported).toMatchObject({ format: 'oci', imported: 2, failed: 0 });
    expect(imported.images.map((i) => [i.target, i.digest])).toEqual([
      ['team/app:v1', single.digest],
      ['multi:v2', multiDigest],
    ]);
    const b = await ws.serve(dst);
    expect(await headDigest(b.url, 'team/app', 'v1')).toBe(single.digest);
    expect(await headDigest(b.url, 'multi', 'v2')).toBe(multiDigest);
    for (const img of multiImages) expect(await headDigest(b.url, 'multi', img.manifest.digest)).toBe(img.manifest.digest);
    const refs = (await (await fetch(`${b.url}/v2/team/app/referrers/${single.digest}`)).json()) as { manifests: { digest: string }[] };
    expect(refs.manifests.map((m) => m.digest)).toEqual([referrer]);
    // A pull of the imported multi-platform image gets every byte.
    await sandbox.skopeo(['copy', '--all', '--src-tls-verify=false', `docker://${b.host}/multi:v2`, `oci:${join(ws.dir, 'pulled-multi')}:v2`]);
    await b.stop();
  }, 180_000);

  it('writes a docker archive that skopeo and podman load read', async () => {
    const archive = join(ws.dir, 'docker.tar');
    const ex = await runBerth(['export', 'multi:v2', '--format', 'docker', '--platform', 'linux/arm64', '--out', archive, '--data', src.dataDir, '--json']);
    expect(ex.code).toBe(0);
    const arm = multiImages[1]!;
    expect(json<{ images: { name: string; digest: string }[] }>(ex.stdout).images).toEqual([{ name: 'multi:v2', digest: arm.manifest.digest, referrers: 0 }]);
    const cfg = await sandbox.skopeo(['inspect', '--config', '--raw', `docker-archive:${archive}:multi:v2`]);
    expect(sha256(Buffer.from(cfg.stdout))).toBe(arm.config.digest);
    await sandbox.podman(['load', '-i', archive]);
    const images = await sandbox.podman(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    expect(images.stdout).toContain(`localhost/multi:v2 ${arm.config.digest.slice('sha256:'.length, 'sha256:'.length + 12)}`);
  }, 180_000);

  it("imports the docker archive skopeo writes (docker save's format): the same image config, layers by their diff IDs", async () => {
    const archive = join(ws.dir, 'skopeo-docker.tar');
    await sandbox.skopeo(['copy', '--src-tls-verify=false', '--override-arch', 'amd64', `docker://${src.host}/multi:v2`, `docker-archive:${archive}:mirror/multi:v2`]);
    const dst = ws.fresh('from-skopeo');
    mkdirSync(dst, { recursive: true });
    const im = await runBerth(['import', archive, '--data', dst, '--json']);
    expect(im.code).toBe(0);
    const r = json<{ format: string; images: { target: string; ok: boolean }[] }>(im.stdout);
    expect(r).toMatchObject({ format: 'docker', images: [{ target: 'mirror/multi:v2', ok: true }] });
    const b = await ws.serve(dst);
    const m = await manifestOf(b.url, 'mirror/multi', 'v2');
    const amd = multiImages[0]!;
    expect(m.config.digest).toBe(amd.config.digest);
    expect(m.layers.map((l) => l.digest)).toEqual(amd.diffIds);
    // It pulls whole (every blob checked by skopeo against its digest).
    await sandbox.skopeo(['copy', '--src-tls-verify=false', `docker://${b.host}/mirror/multi:v2`, `oci:${join(ws.dir, 'pulled-imported')}:v2`]);
    await b.stop();
  }, 180_000);

  it('imports nothing of an image whose blob does not match its digest, names it, and imports the others', async () => {
    const archive = join(ws.dir, 'images.tar');
    const bad = join(ws.dir, 'bad-digest.tar');
    copyFileSync(archive, bad);
    // Flip a byte in the middle of team/app:v1's 4 KiB layer, found by its bytes.
    const layer = single.manifest.layers[0]!;
    const bytes = readFileSync(bad);
    const layerBytes = Buffer.from(await (await fetch(`${src.url}/v2/team/app/blobs/${layer.digest}`)).arrayBuffer());
    const at = bytes.indexOf(layerBytes.subarray(0, 64));
    expect(at).toBeGreaterThan(0);
    bytes[at + 100] = bytes[at + 100]! ^ 0xff;
    writeFileSync(bad, bytes);
    const dst = ws.fresh('bad');
    mkdirSync(dst, { recursive: true });
    const im = await runBerth(['import', bad, '--data', dst, '--json']);
    expect(im.code).toBe(1);
    const r = json<{ imported: number; failed: number; images: { name: string; ok: boolean; error?: { code: string; message: string } }[] }>(im.stdout);
    expect(r.imported).toBe(1);
    expect(r.failed).toBe(1);
    const failed = r.images.find((i) => !i.ok)!;
    expect(failed.name).toBe('team/app:v1');
    expect(failed.error!.code).toBe('DIGEST_INVALID');
    expect(failed.error!.message).toContain('team/app:v1');
    expect(failed.error!.message).toContain(layer.digest);
    const b = await ws.serve(dst);
    expect(await headDigest(b.url, 'team/app', 'v1')).toBeNull();
    expect(await headDigest(b.url, 'team/app', single.digest)).toBeNull();
    expect(await headDigest(b.url, 'multi', 'v2')).toBe(multiDigest);
    await b.stop();
  }, 120_000);

  it('refuses a truncated archive in words, importing nothing', async () => {
    const archive = join(ws.dir, 'images.tar');
    const cut = join(ws.dir, 'cut.tar');
    copyFileSync(archive, cut);
    truncateSync(cut, Math.floor(statSync(cut).size / 2));
    const dst = ws.fresh('cut');
    mkdirSync(dst, { recursive: true });
    const im = await runBerth(['import', cut, '--data', dst]);
    expect(im.code).toBe(1);
    expect(im.stderr).toMatch(/cut\.tar/);
    expect(im.stderr).toMatch(/truncated|ends early|incomplete/i);
    expect(im.stderr).not.toMatch(/\n\s+at /);
    const b = await ws.serve(dst);
    const catalog = (await (await fetch(`${b.url}/v2/_catalog`)).json()) as { repositories: string[] };
    expect(catalog.repositories).toEqual([]);
    await b.stop();
  }, 120_000);
});

describe('berth copy between any two places', () => {
  it('local → oci → oci-archive → docker-archive → local keeps the digest; an index gives this machine\'s platform unless --all', async () => {
    const d = (n: string) => join(ws.dir, `chain-${n}`);
    const steps: Array<[string, string]> = [
      ['team/app:v1', `oci:${d('layout')}:v1`],
      [`oci:${d('layout')}:v1`, `oci-archive:${d('a.tar')}:v1`],
      [`oci-archive:${d('a.tar')}:v1`, `docker-archive:${d('d.tar')}:team/app:v1`],
      [`docker-archive:${d('d.tar')}:team/app:v1`, 'copied/app:v1'],
    ];
    for (const [from, to] of steps) {
      const r = await runBerth(['copy', from, to, '--data', src.dataDir, '--json']);
      expect(r.stderr.split('\n').filter((l) => /error/i.test(l))).toEqual([]);
      expect(r.code).toBe(0);
      expect(json<{ digest: string }>(r.stdout).digest).toBe(single.digest);
    }
    expect(await headDigest(src.url, 'copied/app', 'v1')).toBe(single.digest);

    const one = await runBerth(['copy', 'multi:v2', `oci:${d('multi')}:v2`, '--data', src.dataDir, '--json']);
    expect(json<{ digest: string }>(one.stdout).digest).toBe(multiImages[0]!.manifest.digest);
    const all = await runBerth(['copy', '--all', 'multi:v2', `oci:${d('multi-all')}:v2`, '--data', src.dataDir, '--json']);
    expect(json<{ digest: string }>(all.stdout).digest).toBe(multiDigest);
    const inspected = await sandbox.skopeo(['inspect', '--raw', `oci:${d('multi-all')}:v2`]);
    expect(sha256(Buffer.from(inspected.stdout))).toBe(multiDigest);
  }, 180_000);

  it('refuses bad references and missing images in one line each', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['copy', 'containers-storage:alpine', 'x:1'], /containers-storage: is not a transport Berth reads/],
      [['copy', 'team/app:nope', `oci:${join(ws.dir, 'never')}:x`], /nope/],
      [['copy', `oci-archive:${join(ws.dir, 'missing.tar')}`, 'x:1'], /missing\.tar/],
      [['copy', '--all', '--platform', 'linux/amd64', 'multi:v2', 'x:1'], /--all or --platform, not both/],
      [['export', 'team/app:v1', '--format', 'zip', '--out', join(ws.dir, 'z.tar')], /--format takes oci or docker/],
    ];
    for (const [args, re] of cases) {
      const r = await runBerth([...args, '--data', src.dataDir]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 120_000);
});
