import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** A platform of an image in the fixture. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** An image to write: one platform is an image manifest, several make an image index. */
export interface FixtureImage {
  tag: string;
  platforms: Platform[];
  /** Sizes of the random file put in each layer, in bytes. */
  layerBytes: number[];
}

const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A tar of one file holding `size` random bytes (uncompressed), made by the system tar. */
function randomTar(scratch: string, size: number): Buffer {
  const dir = mkdtempSync(join(scratch, 'layer-'));
  try {
    writeFileSync(join(dir, `file-${randomBytes(4).toString('hex')}.bin`), randomBytes(size));
    const r = spawnSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '-cf', '-', '.'], {
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/*`) by hand, so tests need no
 * network and no container engine. Each image is named by its tag (`oci:DIR:TAG` for skopeo).
 * Layers are gzipped tars of random data, so every run pushes content the registry has never seen.
 */
export function writeOciLayout(dir: string, images: FixtureImage[]): void {
  const blobs = join(dir, 'blobs/sha256');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const put = <T extends object>(data: Buffer, mediaType: string, extra: T = {} as T) => {
    const h = hex(data);
    writeFileSync(join(blobs, h), data);
    return { mediaType, digest: `sha256:${h}`, size: data.length, ...extra };
  };
  const image = (p: Platform, layerBytes: number[]) => {
    const tars = layerBytes.map((n) => randomTar(dir, n));
    const layers = tars.map((t) => put(gzipSync(t), 'application/vnd.oci.image.layer.v1.tar+gzip'));
    const config = {
      created: '2026-01-01T00:00:00Z',
      ...p,
      config: { Env: ['PATH=/usr/bin'], Labels: { 'test.berth': 'interop' } },
      rootfs: { type: 'layers', diff_ids: tars.map((t) => `sha256:${hex(t)}`) },
      history: tars.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'berth interop fixture' })),
    };
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: put(Buffer.from(JSON.stringify(config)), 'application/vnd.oci.image.config.v1+json'),
      layers,
    };
    return put(Buffer.from(JSON.stringify(manifest)), 'application/vnd.oci.image.manifest.v1+json', { platform: p });
  };
  const refs = images.map((img) => {
    const annotations = { 'org.opencontainers.image.ref.name': img.tag };
    if (img.platforms.length === 1) {
      const { mediaType, digest, size } = image(img.platforms[0]!, img.layerBytes);
      return { mediaType, digest, size, annotations };
    }
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: img.platforms.map((p) => image(p, img.layerBytes)),
    };
    return put(Buffer.from(JSON.stringify(index)), 'application/vnd.oci.image.index.v1+json', { annotations });
  });
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: refs }));
}
