/**
 * The image of the contents bench: one big gzip layer written to a file as it is generated (never
 * whole in memory), pushed to a running Berth with its config and manifest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { Header } from 'tar';
import { expectStatus, location, request } from './http';

/** A layer written to disk. */
export interface BenchLayer {
  path: string;
  digest: string;
  size: number;
  diffId: string;
  files: number;
  uncompressed: number;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Writes a gzip tar of `files` files of `fileSize` bytes each (half random, half text, so it
 * compresses about 2:1 as binaries and text mixed do) in folders of 100, and hashes it as it goes.
 */
export async function writeBenchLayer(path: string, files: number, fileSize: number): Promise<BenchLayer> {
  const diff = createHash('sha256');
  let uncompressed = 0;
  const text = Buffer.alloc(fileSize - (fileSize >> 1), 'the quick brown fox jumps over the lazy dog; ');
  async function* tar(): AsyncGenerator<Buffer> {
    const emit = (b: Buffer) => {
      diff.update(b);
      uncompressed += b.length;
      return b;
    };
    for (let i = 0; i < files; i++) {
      if (i % 100 === 0) yield emit(header(`data/d${i / 100}/`, 'Directory', 0));
      const body = Buffer.concat([randomBytes(fileSize >> 1), text]);
      yield emit(header(`data/d${Math.floor(i / 100)}/file-${i}.bin`, 'File', body.length));
      yield emit(body);
      const pad = (512 - (body.length % 512)) % 512;
      if (pad) yield emit(Buffer.alloc(pad));
    }
    yield emit(Buffer.alloc(1024));
  }
  const layer = createHash('sha256');
  await pipeline(Readable.from(tar()), createGzip({ level: 1 }), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      layer.update(chunk);
      yield chunk;
    }
  }, createWriteStream(path));
  return { path, digest: `sha256:${layer.digest('hex')}`, size: statSync(path).size, diffId: `sha256:${diff.digest('hex')}`, files, uncompressed };
}

function header(path: string, type: 'File' | 'Directory', size: number): Buffer {
  const block = Buffer.alloc(512);
  new Header({ path, type, size, mode: type === 'File' ? 0o644 : 0o755, uid: 0, gid: 0, mtime: new Date(0) }).encode(block, 0);
  return block;
}

/** Pushes the layer (streamed from its file), a config and a manifest as `repo:tag`. */
export async function pushBenchImage(base: string, repo: string, tag: string, layer: BenchLayer): Promise<string> {
  await putBlob(base, repo, layer.digest, layer.size, () => createReadStream(layer.path));
  const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [layer.diffId] }, history: [{ created_by: 'bench layer' }] }));
  await putBlob(base, repo, sha256(config), config.length, () => Readable.from([config]));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }],
    }),
  );
  const put = await request(`${base}/v2/${repo}/manifests/${tag}`, 'PUT', { headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Content-Length': manifest.length }, body: manifest });
  expectStatus(put, 201, 'PUT manifest');
  return sha256(manifest);
}

async function putBlob(base: string, repo: string, digest: string, size: number, body: () => Readable): Promise<void> {
  const post = expectStatus(await request(`${base}/v2/${repo}/blobs/uploads/`, 'POST', { headers: { 'Content-Length': 0 } }), 202, 'POST upload');
  const url = location(post, base);
  url.searchParams.set('digest', digest);
  expectStatus(await request(url, 'PUT', { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': size }, body: body() }), 201, 'PUT blob');
}
